using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Tests;

public sealed class TaskBuilderTests
{
    static TrainingStage Stage()
    {
        var stage = (TrainingStage)ManifestReader.ReadDocument(Samples.Json(Samples.Stage)).Resource!;
        stage.Metadata.NamespaceProperty = "team-a";
        return stage;
    }

    static readonly ResolvedInput Model = new() { Role = "model", Source = "stage/realign", Uri = "s3://b/apriel/team-a/realign/aaa/model/", Digest = "sha256:" + new string('1', 64) };

    [Fact]
    public void Stage_task_has_absolute_data_and_evaluation_uris_and_its_output_under_the_run_directory()
    {
        var task = TaskBuilder.ForStage(Stage(), Model, "s3://b/apriel/");
        Assert.Equal(["s3://data/text/", "s3://b/apriel/datasets/mm.jsonl"], task.Spec.Data.Sources.Select(s => s.Uri));
        Assert.Equal(["s3://b/apriel/datasets/eval-counting.jsonl", "s3://data/eval-arithmetic.jsonl"], task.Spec.Evaluation!.Select(e => e.Uri));
        Assert.Equal($"s3://b/apriel/team-a/cpt-1/{task.RunId}/", task.Output);
        Assert.Equal(RunIdentity.Of(task.Spec, [Model]), task.RunId);
    }

    [Fact]
    public void Task_round_trips_through_json()
    {
        var task = TaskBuilder.ForStage(Stage(), Model, "s3://b/apriel/");
        var json = JsonSerializer.Serialize(task, ApiJson.Options);
        var back = JsonSerializer.Deserialize<TrainingTask>(json, ApiJson.Options)!;
        Assert.Equal(json, JsonSerializer.Serialize(back, ApiJson.Options));
        Assert.Contains("\"kind\":\"TrainingTask\"", json);
    }

    [Fact]
    public void A_referenced_model_must_be_resolved_first() =>
        Assert.Throws<ArgumentException>(() => TaskBuilder.ForStage(Stage(), null, "s3://b/apriel/"));
}

public sealed class MergeTaskBuilderTests
{
    static ResolvedInput Model(string role, char digit) =>
        new() { Role = role, Source = "stage/x", Uri = $"s3://b/apriel/x/{digit}/", Digest = "sha256:" + new string(digit, 64) };

    static ModelMerge Merge(string yaml)
    {
        var set = ManifestReader.Read(yaml, "merge.yaml");
        Assert.Empty(set.Problems);
        var merge = (ModelMerge)set.Manifests.Single().Resource;
        merge.Metadata.NamespaceProperty = "team-a";
        return merge;
    }

    [Fact]
    public void Selected_checkpoints_expand_into_inputs_sharing_their_weight()
    {
        var merge = Merge("""
            apiVersion: apriel.dev/v1alpha1
            kind: ModelMerge
            metadata: {name: final}
            spec:
              method: Linear
              inputs:
                - {stage: a, weight: 0.5, checkpoints: {select: Last, count: 2}}
                - {stage: b, weight: 0.5}
            """);
        var task = TaskBuilder.ForMerge(merge, [[Model("input-0", '1'), Model("input-0", '2')], [Model("input-1", '3')]], null, "s3://b/apriel/");
        Assert.Equal([0.25, 0.25, 0.5], task.Inputs.Select(i => i.Weight!.Value));
        Assert.Equal(["input-0.0", "input-0.1", "input-1"], task.Inputs.Select(i => i.Model.Role));
        Assert.Equal($"s3://b/apriel/team-a/final/{task.RunId}/", task.Output);
    }

    [Fact]
    public void Passthrough_slices_keep_their_layers_and_a_new_checkpoint_digest_changes_the_run()
    {
        var merge = Merge("""
            apiVersion: apriel.dev/v1alpha1
            kind: ModelMerge
            metadata: {name: upscale-init}
            spec:
              method: Passthrough
              inputs:
                - {uri: s3://models/base/, layers: {start: 0, end: 24}}
                - {uri: s3://models/base/, layers: {start: 16, end: 40}}
            """);
        var task = TaskBuilder.ForMerge(merge, [[Model("input-0", '1')], [Model("input-1", '1')]], null, "s3://b/apriel/");
        Assert.Equal([(0, 24), (16, 40)], task.Inputs.Select(i => (i.Layers!.Start, i.Layers.End)));
        Assert.Null(task.Inputs[0].Weight);
        var other = TaskBuilder.ForMerge(merge, [[Model("input-0", '2')], [Model("input-1", '2')]], null, "s3://b/apriel/");
        Assert.NotEqual(task.RunId, other.RunId);
    }
}
