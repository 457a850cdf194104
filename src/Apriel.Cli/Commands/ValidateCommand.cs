using System.CommandLine;
using Apriel.Api.Manifests;
using Apriel.Api.Validation;

namespace Apriel.Cli.Commands;

/// <summary><c>apriel validate DIR</c>: every problem of a directory of manifests, with the file each came from.</summary>
public static class ValidateCommand
{
    public static Command Create(TextWriter output)
    {
        var path = new Argument<string>("path") { Description = "A directory of manifests (*.yaml, *.yml), or one file" };
        var command = new Command("validate", "Check manifests: schema, field rules and references across the set") { path };
        command.SetAction(parse => Handler(output, parse.GetValue(path)!));
        return command;
    }

    internal static int Handler(TextWriter output, string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            output.WriteLine($"error: {path} does not exist");
            return ExitCodes.Usage;
        }
        var set = ManifestFiles.Load(path);
        var manifests = set.Manifests;
        IReadOnlyList<ManifestProblem> problems = [.. set.Problems, .. PipelineValidator.Validate(manifests, set.Invalid)];
        foreach (var problem in problems) output.WriteLine(problem);
        output.WriteLine(problems.Count == 0
            ? $"{manifests.Count} resources in {path}: valid"
            : $"{problems.Count} problem(s) in {path}");
        return problems.Count == 0 ? ExitCodes.Ok : ExitCodes.Invalid;
    }
}
