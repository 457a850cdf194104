using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Artifacts;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Model;

namespace Apriel.Trainer.Training;

/// <summary>
/// <c>apriel-trainer train --task FILE</c>: runs a TrainingTask (JSON in the API's wire format) from its inputs into its
/// output directory (<c>s3://…</c> or <c>file:///…</c>). SIGTERM (or SIGINT) asks the loop to stop after the current step: it commits a checkpoint and the
/// process exits with <see cref="ExitCodes.Preempted"/> (75), which the operator's pod failure policy treats as a
/// preemption; a later run of the same task resumes from that checkpoint.
/// </summary>
public static class TrainCommand
{
    public static Command Create(TextWriter output)
    {
        var task = new Option<string>("--task") { Description = "The TrainingTask file (JSON)", Required = true };
        var threads = new Option<int>("--threads") { Description = "torch intra-op threads", DefaultValueFactory = _ => 1 };
        var progress = new Option<double>("--progress-seconds") { Description = "Seconds between progress.json reports", DefaultValueFactory = _ => 5 };
        var device = TrainingDevice.Option();
        var command = new Command("train", "Run one TrainingStage's task: train, checkpoint, commit the final model") { task, threads, progress, device };
        command.SetAction(parse => Handler(output, parse.GetValue(task)!, parse.GetValue(threads), TimeSpan.FromSeconds(parse.GetValue(progress)),
            parse.GetValue(device)!, Environment.GetEnvironmentVariable("JOB_COMPLETION_INDEX")));
        return command;
    }

    /// <summary>Runs the task file on <c>device</c>; <c>completionIndex</c> is the pod's <c>JOB_COMPLETION_INDEX</c> in an Indexed Job.</summary>
    internal static int Handler(TextWriter output, string taskFile, int threads, TimeSpan progressInterval, string device = "auto",
        string? completionIndex = null)
    {
        // resources.nodes > 1 makes an Indexed Job of that many pods. This trainer computes in one process, so only the
        // first pod trains; two would write the same run.
        if (completionIndex is { } index && index != "0")
        {
            output.WriteLine($"pod {index} of an Indexed Job: the trainer computes on one device of pod 0 (no distributed training in this version); nothing to do here");
            return ExitCodes.Ok;
        }
        TrainingTask task;
        try
        {
            task = JsonSerializer.Deserialize<TrainingTask>(File.ReadAllText(taskFile), ApiJson.Options)
                ?? throw new JsonException("the file holds null");
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            output.WriteLine($"error: {taskFile}: not a readable TrainingTask ({e.Message})");
            return ExitCodes.Usage;
        }
        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // keep running until the checkpoint is committed
            output.WriteLine($"{context.Signal}: stopping after the current step");
            stop.Cancel();
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        try
        {
            var on = TrainingDevice.Resolve(device);
            output.WriteLine($"device: {on}");
            var outcome = TrainingRun.Run(task, new TrainingOptions { Threads = threads, ProgressInterval = progressInterval, Log = output, Device = on }, stop.Token);
            return outcome == TrainingOutcome.Preempted ? ExitCodes.Preempted : ExitCodes.Ok;
        }
        catch (Exception e) when (e is InvalidDataException or CheckpointException or ModelConfigException or ArgumentException
            or ArtifactIntegrityException or ArtifactNotFoundException or ArtifactStoreException
            or NotSupportedException or FileNotFoundException or DirectoryNotFoundException)
        {
            // Inputs that cannot be trained on, or a store that cannot be reached (after its retries): say which and why,
            // without a stack trace.
            output.WriteLine($"error: {e.Message}");
            return ExitCodes.Invalid;
        }
    }
}
