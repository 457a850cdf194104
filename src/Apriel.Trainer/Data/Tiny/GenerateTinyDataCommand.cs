using System.CommandLine;

namespace Apriel.Trainer.Data.Tiny;

/// <summary><c>apriel-trainer generate-tiny-data DIR</c>: writes the data of examples/tiny under DIR/datasets/tiny/.</summary>
public static class GenerateTinyDataCommand
{
    public static Command Create(TextWriter output)
    {
        var root = new Argument<string>("dir") { Description = "The artifact store root (a local directory); files go to DIR/datasets/tiny/" };
        var seed = new Option<long>("--seed") { Description = "Seed of the generated data", DefaultValueFactory = _ => 0 };
        var command = new Command("generate-tiny-data", "Write the generated data that examples/tiny trains on") { root, seed };
        command.SetAction(parse =>
        {
            var files = TinyDataset.Write(parse.GetValue(root)!, parse.GetValue(seed));
            output.WriteLine($"wrote {files.Count} files under {Path.Combine(parse.GetValue(root)!, TinyDataset.Directory)}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
