using System.CommandLine;
using Apriel.Trainer.Model;

namespace Apriel.Trainer.Inspect;

/// <summary><c>apriel-trainer config NAME</c>: the <c>config.json</c> of a preset, on standard output.</summary>
public static class ConfigCommand
{
    public static Command Create(TextWriter output)
    {
        var name = new Argument<string>("name") { Description = $"A preset: {string.Join(", ", ModelPresets.Names)}" };
        var command = new Command("config", "Print the config.json of a model preset") { name };
        command.SetAction(parse => Handler(output, parse.GetValue(name)!));
        return command;
    }

    internal static int Handler(TextWriter output, string name)
    {
        var config = ModelPresets.Find(name);
        if (config is null)
        {
            output.WriteLine($"error: unknown model preset \"{name}\" (one of: {string.Join(", ", ModelPresets.Names)})");
            return ExitCodes.Usage;
        }
        output.Write(config.ToJson());
        return ExitCodes.Ok;
    }
}
