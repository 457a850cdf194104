using System.Diagnostics;
using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;

namespace Apriel.Cli.Run;

/// <summary>How a local run ended.</summary>
public enum RunOutcome
{
    /// <summary>Every resource has a committed output.</summary>
    Succeeded,

    /// <summary>A resource could not be resolved or its trainer failed; what depends on it did not run.</summary>
    Failed,

    /// <summary>Stopped on request; the running trainer committed a checkpoint to resume from.</summary>
    Interrupted,
}

/// <summary>One resource of a local run and what it committed.</summary>
/// <param name="Manifest">The resource.</param>
/// <param name="RunId">Its run's identity.</param>
/// <param name="RunUri">Its run directory.</param>
/// <param name="Output">Its committed model.</param>
/// <param name="Trained">Whether this invocation ran it (false: its output was already committed).</param>
public sealed record RunStep(Manifest Manifest, string RunId, string RunUri, ArtifactRef Output, bool Trained);

/// <summary>
/// <c>apriel run</c>'s engine: runs a validated set of manifests on this machine, dependencies first, with the
/// operator's resolution (<see cref="RunResolver"/>), run ids, memoization (a committed output of the same run id is
/// adopted, not trained again) and artifact protocol; each stage or merge is an <c>apriel-trainer</c> process.
/// </summary>
public sealed class LocalRunner(IArtifactStore store, string workDirectory, TextWriter output, bool liveDisplay, int threads = 1)
{
    readonly IRunArtifacts _artifacts = new StoreRunArtifacts(store);

    /// <summary>What ran, in order; ends early at the first failure or interruption.</summary>
    public List<RunStep> Steps { get; } = [];

    /// <summary>Runs <paramref name="manifests"/> (valid, as <c>apriel validate</c> checks them).</summary>
    public Task<RunOutcome> RunAsync(IReadOnlyList<Manifest> manifests, CancellationToken cancellationToken) =>
        WalkAsync(manifests, execute: true, cancellationToken);

    /// <summary>
    /// Says where each resource stands without running anything: committed, started (its progress and checkpoints,
    /// which a run resumes from), or waiting for what it reads. Succeeded when everything is committed.
    /// </summary>
    public Task<RunOutcome> StatusAsync(IReadOnlyList<Manifest> manifests, CancellationToken cancellationToken) =>
        WalkAsync(manifests, execute: false, cancellationToken);

    async Task<RunOutcome> WalkAsync(IReadOnlyList<Manifest> manifests, bool execute, CancellationToken cancellationToken)
    {
        var upstream = new LocalUpstream(_artifacts, store.Root);
        var ordered = PipelineOrder.Of(manifests);
        var outcome = RunOutcome.Succeeded;
        for (var i = 0; i < ordered.Count; i++)
        {
            var manifest = ordered[i];
            manifest.Resource.Metadata.NamespaceProperty ??= "default";
            var label = $"[{i + 1}/{ordered.Count}] {manifest.Ref}";
            var (task, error) = await ResolveAsync(manifest, upstream, cancellationToken);
            if (task == null)
            {
                output.WriteLine(execute ? $"✗ {label}: {error}" : $"○ {label}: waiting: {error}");
                if (execute) return RunOutcome.Failed;
                outcome = RunOutcome.Failed;
                continue;
            }
            var committed = await _artifacts.CommittedModelAsync(task.Output, cancellationToken);
            var trained = committed == null;
            if (committed != null)
            {
                output.WriteLine($"✓ {label}: up to date (run {task.RunId}) {committed.Uri}");
            }
            else if (!execute)
            {
                output.WriteLine(await NotCommittedAsync(label, task, cancellationToken));
                outcome = RunOutcome.Failed;
                continue;
            }
            else
            {
                var (result, model) = await TrainAsync(label, manifest, task, cancellationToken);
                if (result != RunOutcome.Succeeded) return result;
                committed = model!;
            }
            var checkpoints = await _artifacts.CheckpointsAsync(task.Output, cancellationToken);
            var progress = await _artifacts.ProgressAsync(task.Output, cancellationToken);
            upstream.Record(manifest.Ref, new UpstreamOutput(committed, checkpoints, progress?.Total));
            Steps.Add(new RunStep(manifest, task.RunId, task.Output, committed, trained));
        }
        return outcome;
    }

    async Task<string> NotCommittedAsync(string label, ResolvedTask task, CancellationToken cancellationToken)
    {
        var progress = await _artifacts.ProgressAsync(task.Output, cancellationToken);
        if (progress == null) return $"○ {label}: not started (run {task.RunId})";
        var checkpoints = await _artifacts.CheckpointsAsync(task.Output, cancellationToken);
        var resume = task.Subcommand == "merge" ? "; a merge starts over"
            : checkpoints.Count > 0 ? $"; resumes from step {checkpoints[^1].Step}" : "; no checkpoint yet, restarts";
        return $"◐ {label}: stopped at {ProgressLine.Of(progress, task.ProgressUnit)} (run {task.RunId}){resume}";
    }

    /// <summary>A resolved resource: its run, where it goes, and its task file's content.</summary>
    sealed record ResolvedTask(string RunId, string Output, string Subcommand, string Json)
    {
        /// <summary>What the run's progress counts.</summary>
        public string ProgressUnit => Subcommand == "merge" ? "tensor" : "step";
    }

    static async Task<(ResolvedTask? Task, string? Error)> ResolveAsync(Manifest manifest, LocalUpstream upstream, CancellationToken cancellationToken)
    {
        var root = upstream.StoreRoot;
        switch (manifest.Resource)
        {
            case TrainingStage stage:
                var (training, stageError) = await RunResolver.StageAsync(stage, upstream, root, cancellationToken);
                return training == null ? (null, stageError)
                    : (new ResolvedTask(training.RunId, training.Output, "train", JsonSerializer.Serialize(training, ApiJson.Options)), null);
            case ModelMerge merge:
                var (merging, mergeError) = await RunResolver.MergeAsync(merge, upstream, root, cancellationToken);
                return merging == null ? (null, mergeError)
                    : (new ResolvedTask(merging.RunId, merging.Output, "merge", JsonSerializer.Serialize(merging, ApiJson.Options)), null);
            default:
                return (null, $"{manifest.Resource.Kind} is not a resource apriel runs");
        }
    }

    async Task<(RunOutcome, ArtifactRef?)> TrainAsync(string label, Manifest manifest, ResolvedTask task, CancellationToken cancellationToken)
    {
        var name = $"{manifest.Resource.Metadata.Name}-{task.RunId}";
        var taskFile = Path.Combine(Directory.CreateDirectory(Path.Combine(workDirectory, "tasks")).FullName, name + ".json");
        var log = Path.Combine(Directory.CreateDirectory(Path.Combine(workDirectory, "logs")).FullName, name + ".log");
        await File.WriteAllTextAsync(taskFile, task.Json, cancellationToken);
        output.WriteLine($"▶ {label}: {(task.Subcommand == "train" ? "training" : "merging")} run {task.RunId} (log: {log})");

        var clock = Stopwatch.StartNew();
        var display = new ProgressDisplay(output, liveDisplay, task.ProgressUnit);
        string[] arguments = task.Subcommand == "train"
            ? ["train", "--task", taskFile, "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--progress-seconds", "1"]
            : ["merge", "--task", taskFile];
        var code = await TrainerProcess.RunAsync(arguments, log,
            async () => display.Show(label, await _artifacts.ProgressAsync(task.Output, CancellationToken.None)), cancellationToken);
        display.End();

        if (code == TrainerProcess.Preempted || cancellationToken.IsCancellationRequested)
        {
            output.WriteLine($"■ {label}: interrupted after {ProgressLine.Duration(clock.Elapsed)}; run again to resume from its last checkpoint");
            return (RunOutcome.Interrupted, null);
        }
        var committed = code == 0 ? await _artifacts.CommittedModelAsync(task.Output, CancellationToken.None) : null;
        if (committed == null)
        {
            var why = code == 0 ? "the trainer exited without committing model/MANIFEST.json" : $"apriel-trainer exited with code {code}";
            output.WriteLine($"✗ {label}: {why}; the last lines of {log}:");
            foreach (var line in File.ReadLines(log).TakeLast(15)) output.WriteLine("    " + line);
            return (RunOutcome.Failed, null);
        }
        output.WriteLine($"✓ {label}: committed {committed.Uri} in {ProgressLine.Duration(clock.Elapsed)}");
        return (RunOutcome.Succeeded, committed);
    }
}
