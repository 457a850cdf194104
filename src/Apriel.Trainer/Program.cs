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
            Benchmarks.CheckpointIoBenchmark.Create(Console.Out),
        };
        return root.Parse(args).Invoke();
    }
}
