using System.CommandLine;
using System.Runtime.InteropServices;
using Apriel.Artifacts;
using Apriel.Cli.Report;
using Apriel.Cli.Run;

namespace Apriel.Cli.Commands;

/// <summary>
/// <c>apriel run DIR</c>: runs a directory of manifests on this machine (see <see cref="LocalRunner"/>). Re-running
/// an unchanged directory trains nothing; Ctrl-C stops after a checkpoint and a re-run resumes from it.
/// </summary>
public static class RunCommand
{
    /// <summary>Exit code after Ctrl-C (128 + SIGINT), as shells expect.</summary>
    public const int Interrupted = 130;

    public static Command Create(TextWriter output)
    {
        var path = new Argument<string>("path") { Description = "A directory of manifests (*.yaml, *.yml), or one file" };
        var work = new Option<string>("--work") { Description = "Working directory: the store (unless --store), task files, logs", DefaultValueFactory = _ => ".apriel" };
        var store = new Option<string?>("--store") { Description = "Artifact store root: file:///path/ or s3://bucket/prefix/ (default: WORK/store/)" };
        var threads = new Option<int>("--threads") { Description = "torch threads per trainer", DefaultValueFactory = _ => 1 };
        var command = new Command("run", "Run a pipeline locally: every stage and merge, dependencies first, skipping what is already committed")
        {
            path, work, store, threads,
        };
        command.SetAction((parse, cancellationToken) => HandlerAsync(output, parse.GetValue(path)!, parse.GetValue(work)!, parse.GetValue(store), parse.GetValue(threads), cancellationToken));
        return command;
    }

    internal static async Task<int> HandlerAsync(TextWriter output, string path, string work, string? storeUri, int threads, CancellationToken cancellationToken)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            output.WriteLine($"error: {path} does not exist");
            return ExitCodes.Usage;
        }
        if (ManifestFiles.LoadValid(path, output) is not { } manifests) return ExitCodes.Invalid;

        var workDirectory = Directory.CreateDirectory(work).FullName;
        using var store = ArtifactStores.Open(storeUri ?? WorkDirectory.DefaultStore(workDirectory));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
        {
            c.Cancel = true; // stop cleanly: the trainer checkpoints first
            output.WriteLine("\nstopping after the current step (the trainer commits a checkpoint)…");
            stop.Cancel();
        });
        output.WriteLine($"artifacts: {store.Root}");
        var runner = new LocalRunner(store, workDirectory, output, liveDisplay: !Console.IsOutputRedirected, threads);
        var outcome = await runner.RunAsync(manifests, stop.Token);
        if (runner.Steps.Count > 0)
        {
            var report = await new ReportWriter(store).WriteAsync(runner.Steps, path, Path.Combine(workDirectory, "report"), CancellationToken.None);
            output.WriteLine($"report: {report}");
        }
        return outcome switch
        {
            RunOutcome.Succeeded => ExitCodes.Ok,
            RunOutcome.Interrupted => Interrupted,
            _ => ExitCodes.Invalid,
        };
    }
}
