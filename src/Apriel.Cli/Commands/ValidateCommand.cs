using System.CommandLine;

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
        return ManifestFiles.LoadValid(path, output) == null ? ExitCodes.Invalid : ExitCodes.Ok;
    }
}
