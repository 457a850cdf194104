using System.CommandLine;
using Apriel.Trainer.Inspect;

namespace Apriel.Trainer;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("apriel-trainer: the Pixtral-architecture model, its checkpoints and training")
        {
            InspectCommand.Create(Console.Out),
            ConfigCommand.Create(Console.Out),
            Benchmarks.BenchCommand.Create(Console.Out),
            Data.Tiny.GenerateTinyDataCommand.Create(Console.Out),
            Training.TrainCommand.Create(Console.Out),
        };
        return root.Parse(args).Invoke();
    }
}
