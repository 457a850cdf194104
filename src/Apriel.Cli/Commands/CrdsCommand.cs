using System.CommandLine;
using Apriel.Api.Schema;

namespace Apriel.Cli.Commands;

/// <summary><c>apriel crds --output DIR</c>: writes the CRDs generated from the API types (what <c>make crds</c> runs).</summary>
public static class CrdsCommand
{
    public static Command Create(TextWriter output)
    {
        var dir = new Option<string>("--output") { Description = "Directory to write the CRD YAML files and their reference (README.md) to", DefaultValueFactory = _ => "crds" };
        var command = new Command("crds", "Generate the CustomResourceDefinitions from the API types") { dir };
        command.SetAction(parse => Handler(output, parse.GetValue(dir)!));
        return command;
    }

    internal static int Handler(TextWriter output, string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var (file, text) in Crds.Render(LoadDocs()))
        {
            File.WriteAllText(Path.Combine(dir, file), text);
            output.WriteLine($"wrote {Path.Combine(dir, file)}");
        }
        return ExitCodes.Ok;
    }

    /// <summary>The API assembly's XML documentation, which the build places next to it: the schema's descriptions.</summary>
    internal static XmlDocs LoadDocs()
    {
        var path = Path.ChangeExtension(typeof(Crds).Assembly.Location, ".xml");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: build with GenerateDocumentationFile", path);
        return XmlDocs.Parse(File.ReadAllText(path));
    }
}
