using System.CommandLine;
using Apriel.Artifacts;
using Apriel.Cli.Run;

namespace Apriel.Cli.Commands;

/// <summary><c>apriel status DIR</c>: where each resource of a pipeline stands in the store, without running anything.</summary>
public static class StatusCommand
{
    public static Command Create(TextWriter output)
    {
        var path = new Argument<string>("path") { Description = "A directory of manifests (*.yaml, *.yml), or one file" };
        var work = new Option<string>("--work") { Description = "Working directory of `apriel run`", DefaultValueFactory = _ => ".apriel" };
        var store = new Option<string?>("--store") { Description = "Artifact store root (default: WORK/store/)" };
        var command = new Command("status", "Show which stages and merges are committed, stopped (and where they resume) or waiting") { path, work, store };
        command.SetAction((parse, cancellationToken) => HandlerAsync(output, parse.GetValue(path)!, parse.GetValue(work)!, parse.GetValue(store), cancellationToken));
        return command;
    }

    internal static async Task<int> HandlerAsync(TextWriter output, string path, string work, string? storeUri, CancellationToken cancellationToken)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            output.WriteLine($"error: {path} does not exist");
            return ExitCodes.Usage;
        }
        if (ManifestFiles.LoadValid(path, output) is not { } manifests) return ExitCodes.Invalid;
        using var store = ArtifactStores.Open(storeUri ?? WorkDirectory.DefaultStore(work));
        var runner = new LocalRunner(store, Path.GetFullPath(work), output, liveDisplay: false);
        var outcome = await runner.StatusAsync(manifests, cancellationToken);
        output.WriteLine(outcome == RunOutcome.Succeeded ? "everything is committed" : "not everything is committed: `apriel run` continues from here");
        return outcome == RunOutcome.Succeeded ? ExitCodes.Ok : ExitCodes.Invalid;
    }
}
