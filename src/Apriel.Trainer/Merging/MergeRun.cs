using System.Text.Json;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Merging.Methods;
using Apriel.Trainer.Training;

namespace Apriel.Trainer.Merging;

/// <summary>How a merge runs (not what it computes, which is the task's).</summary>
public sealed record MergeOptions
{
    /// <summary>Opens an artifact store from its root URI; <see cref="ArtifactStores.Open"/> (S3 settings from the environment) by default.</summary>
    public Func<string, IArtifactStore> OpenStore { get; init; } = root => ArtifactStores.Open(root);

    /// <summary>Elements per slice of an elementwise method (see <see cref="MergeExecutor"/>).</summary>
    public long SliceElements { get; init; } = MergeExecutor.DefaultSliceElements;

    /// <summary>Largest shard of the written model.</summary>
    public long MaxShardBytes { get; init; } = CheckpointFiles.DefaultMaxShardBytes;

    /// <summary>Where progress lines go.</summary>
    public TextWriter Log { get; init; } = TextWriter.Null;

    /// <summary>Least time between two writes of the run's progress.json.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock of progress reports.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// A MergeTask end to end: check the task, open every input (committed, at its pinned digest), check that they agree,
/// plan, merge tensor by tensor into sharded safetensors on private scratch, add <c>config.json</c> and the first
/// input's tokenizer files, and only when every input file has verified, commit the result to <c>{Output}model/</c>
/// with its lineage. A failure at any point commits nothing.
/// </summary>
public static class MergeRun
{
    /// <summary>Runs <paramref name="task"/> and returns the committed model.</summary>
    /// <exception cref="MergeInputException">The task or its inputs cannot be merged (the message says which and why).</exception>
    public static CommittedArtifact Run(MergeTask task, MergeOptions options, CancellationToken cancellationToken = default)
    {
        if (MergeTaskRules.Problem(task) is { } problem) throw new MergeInputException(problem);
        NativeHeap.ReturnLargeBlocks();
        var resolved = task.Inputs.Select(i => i.Model).Concat(task.Base is { } b ? [b] : []).ToList();
        var weights = MergeWeights.Resolve([.. task.Inputs.Select(i => i.Weight)], task.Spec.Parameters.Normalize);

        using var stores = new ArtifactStoreCache(options.OpenStore);
        var opened = new Dictionary<(string Uri, string Digest), ModelInput>();
        try
        {
            // The same artifact listed twice (Passthrough's two slices of one model) is opened, read and verified once.
            var inputs = resolved.Select(input => opened.TryGetValue((input.Uri, input.Digest), out var known) ? known
                : opened[(input.Uri, input.Digest)] = ModelInput.Open(stores, input)).ToList();
            var passthrough = task.Spec.Method == MergeMethod.Passthrough;
            if (InputAgreement.FirstDisagreement([.. inputs.Select(i => i.Summary())], passthrough) is { } disagreement)
                throw new MergeInputException($"inputs disagree: {disagreement}");
            var plan = MergePlanner.Plan(task, [.. inputs.Take(task.Inputs.Count).Select(i => i.Config)], [.. resolved.Select(ModelInput.LabelOf)]);
            options.Log.WriteLine($"merge: {task.Spec.Method} of {task.Inputs.Count} model(s), {plan.Tensors.Count} tensors, writing {plan.Type}");

            using var output = options.OpenStore(task.Output);
            using var scratch = Scratch.Create(task.RunId);
            var staged = Path.Combine(scratch.Path, "model");
            var progress = new MergeProgress(output, options.ProgressInterval, options.Time, options.Log);
            Write(plan, inputs, MergeMethods.Create(task.Spec, weights), staged, progress, options, cancellationToken);

            var lineage = new ArtifactLineage
            {
                Kind = ModelMerge.KindName, Namespace = task.Namespace, Name = task.Name, RunId = task.RunId, Inputs = resolved,
                Merge = new MergeLineage
                {
                    Method = task.Spec.Method, Parameters = task.Spec.Parameters, DType = task.Spec.DType,
                    Weights = MergeMethods.TakesWeights(task.Spec.Method) ? weights : null,
                    Layers = passthrough ? [.. task.Inputs.Select(i => i.Layers!)] : null,
                },
            };
            using var config = JsonDocument.Parse(plan.Config.ToJson());
            var committed = new ArtifactCommitter(output).CommitAsync(staged, ArtifactLayout.Model, lineage, config.RootElement.Clone(), cancellationToken)
                .GetAwaiter().GetResult();
            options.Log.WriteLine($"merge: committed {committed.Uri} ({committed.Digest})");
            return committed;
        }
        finally
        {
            foreach (var input in opened.Values) input.Dispose();
        }
    }

    static void Write(MergePlan plan, IReadOnlyList<ModelInput> inputs, IMergeMethod method, string staged, MergeProgress progress,
        MergeOptions options, CancellationToken cancellationToken)
    {
        var layouts = plan.Tensors.Select(t => new TensorLayout(t.Name, plan.Type, t.Shape)).ToList();
        using (var writer = new ShardedWriter(staged, layouts, options.MaxShardBytes))
        {
            progress.Report(0, plan.Tensors.Count);
            new MergeExecutor(inputs, method, options.SliceElements).Run(plan, writer, progress.Report, cancellationToken);
            writer.Finish();
        }
        plan.Config.Save(staged);
        foreach (var path in inputs[0].TokenizerFilePaths) inputs[0].CopyFile(path, Path.Combine(staged, path));
    }
}
