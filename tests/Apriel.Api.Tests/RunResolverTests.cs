using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Tests;

public sealed class RunResolverTests
{
    const string Root = "s3://b/apriel/";

    static ArtifactRef Artifact(string uri, char digit) => new() { Uri = uri, Digest = "sha256:" + new string(digit, 64) };

    /// <summary>Upstream results held in memory: what the operator's caches or the runner's results would say.</summary>
    sealed class Upstream : IUpstream
    {
        public Dictionary<ResourceRef, UpstreamOutput> Outputs { get; } = [];
        public Dictionary<string, ArtifactRef> Committed { get; } = [];

        public UpstreamOutput? Output(ResourceRef reference, string? @namespace) => Outputs.GetValueOrDefault(reference);

        public Task<(ArtifactRef? Artifact, string? Error)> ResolveUriAsync(string uri, string? pinned, CancellationToken cancellationToken) =>
            Task.FromResult(Committed.TryGetValue(uri, out var a) ? ((ArtifactRef?)a, (string?)null) : (null, $"{uri} has no MANIFEST.json"));
    }

    static T Read<T>(string yaml) where T : class
    {
        var set = ManifestReader.Read(yaml, "r.yaml");
        Assert.True(set.Problems.Count == 0, string.Join("\n", set.Problems));
        return (T)(object)set.Manifests.Single().Resource;
    }

    static readonly ModelMerge Average = Read<ModelMerge>("""
        apiVersion: apriel.dev/v1alpha1
        kind: ModelMerge
        metadata: {name: avg}
        spec:
          method: TaskArithmetic
          inputs:
            - {stage: cpt, checkpoints: {select: Equispaced, count: 3}}
          base: {uri: models/base/}
        """);

    [Fact]
    public async Task Equispaced_checkpoints_of_a_stage_become_the_merge_inputs()
    {
        var upstream = new Upstream();
        upstream.Outputs[new ResourceRef(ResourceKind.TrainingStage, "cpt")] = new UpstreamOutput(Artifact("s3://b/apriel/cpt/model/", 'f'),
            [.. new[] { 20L, 40, 50, 60 }.Select(s => new CheckpointRef { Step = s, Uri = $"s3://b/apriel/cpt/ckpt-{s}/", Digest = "sha256:" + new string((char)('0' + s / 10), 64) })], 60);
        upstream.Committed[Root + "models/base/"] = Artifact(Root + "models/base/", 'b');

        var (task, error) = await RunResolver.MergeAsync(Average, upstream, Root, CancellationToken.None);

        Assert.Null(error);
        Assert.Equal(["stage/cpt@step-20", "stage/cpt@step-40", "stage/cpt@step-60"], task!.Inputs.Select(i => i.Model.Source));
        Assert.Equal("base", task.Base!.Role);
        Assert.Equal(4, RunResolver.Inputs(task).Count);
        var (again, _) = await RunResolver.MergeAsync(Average, upstream, Root, CancellationToken.None);
        Assert.Equal(task.RunId, again!.RunId); // the operator and the runner resolve the same run
    }

    [Fact]
    public async Task What_is_missing_is_named_by_its_spec_field()
    {
        var (task, error) = await RunResolver.MergeAsync(Average, new Upstream(), Root, CancellationToken.None);
        Assert.Null(task);
        Assert.Equal("spec.inputs[0] (stage/cpt): stage/cpt has not succeeded yet", error);

        var stage = Read<TrainingStage>("""
            apiVersion: apriel.dev/v1alpha1
            kind: TrainingStage
            metadata: {name: s}
            spec:
              model: {uri: models/none/}
              train: [Decoder]
              data: {sequenceLength: 64, sources: [{name: t, uri: d.jsonl, format: Text}]}
              optimizer: {learningRate: 1.0e-3}
              budget: {steps: 1}
              batch: {globalBatchSize: 8}
            """);
        var (_, stageError) = await RunResolver.StageAsync(stage, new Upstream(), Root, CancellationToken.None);
        Assert.Equal("spec.model (models/none/): s3://b/apriel/models/none/ has no MANIFEST.json", stageError);
    }
}
