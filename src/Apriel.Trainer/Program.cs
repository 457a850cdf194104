using System.CommandLine;
using Apriel.Trainer.Inspect;

namespace Apriel.Trainer;

public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out);

    /// <summary>Runs a command line with its messages written to <paramref name="output"/>.</summary>
    public static int Run(string[] args, TextWriter output)
    {
        var root = new RootCommand("apriel-trainer: the Pixtral-architecture model, its checkpoints and training")
        {
            InspectCommand.Create(output),
            ConfigCommand.Create(output),
            Benchmarks.BenchCommand.Create(output),
            Data.Tiny.GenerateTinyDataCommand.Create(output),
            Training.TrainCommand.Create(output),
            Merging.MergeCommand.Create(output),
            Evaluation.EvalCommand.Create(output),
        };
        return root.Parse(args).Invoke();
    }
}
