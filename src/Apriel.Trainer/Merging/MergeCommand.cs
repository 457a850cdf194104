using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Artifacts;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Model;
using TorchSharp;

namespace Apriel.Trainer.Merging;

/// <summary>
/// <c>apriel-trainer merge --task FILE</c>: runs a MergeTask (JSON in the API's wire format) and commits the merged model
/// to <c>{Output}model/</c>. Inputs that cannot be merged exit 1 with one <c>error:</c> line; an unreadable task file
/// exits 2. SIGTERM stops the merge with nothing committed (exit 75: rerunning the task starts over).
/// </summary>
public static class MergeCommand
{
    public static Command Create(TextWriter output)
    {
        var task = new Option<string>("--task") { Description = "The MergeTask file (JSON)", Required = true };
        var threads = new Option<int>("--threads") { Description = "torch intra-op threads", DefaultValueFactory = _ => 1 };
        var command = new Command("merge", "Run one ModelMerge's task: merge the inputs tensor by tensor, commit the model") { task, threads };
        command.SetAction(parse => Handler(output, parse.GetValue(task)!, parse.GetValue(threads), new MergeOptions { Log = output }));
        return command;
    }

    internal static int Handler(TextWriter output, string taskFile, int threads, MergeOptions options)
    {
        MergeTask task;
        try
        {
            task = JsonSerializer.Deserialize<MergeTask>(File.ReadAllText(taskFile), ApiJson.Options) ?? throw new JsonException("the file holds null");
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            output.WriteLine($"error: {taskFile}: not a readable MergeTask ({e.Message})");
            return ExitCodes.Usage;
        }
        torch.set_num_threads(threads);
        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // exit through the cancellation, with nothing committed
            output.WriteLine($"{context.Signal}: stopping the merge");
            stop.Cancel();
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        try
        {
            MergeRun.Run(task, options, stop.Token);
            return ExitCodes.Ok;
        }
        catch (MergeInputException e)
        {
            output.WriteLine($"error: {taskFile}: {e.Message}");
            return ExitCodes.Invalid;
        }
        catch (Exception e) when (e is ArtifactIntegrityException or ArtifactNotFoundException or CheckpointException or ModelConfigException
            or ArgumentException or InvalidDataException)
        {
            output.WriteLine($"error: {e.Message}");
            return ExitCodes.Invalid;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return ExitCodes.Preempted;
        }
    }
}
