using System.CommandLine;
using Apriel.Cli.Commands;

namespace Apriel.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("apriel: multi-stage LLM/VLM mid-training pipelines (TrainingStage, ModelMerge)")
        {
            ValidateCommand.Create(Console.Out),
            CrdsCommand.Create(Console.Out),
            RunCommand.Create(Console.Out),
            StatusCommand.Create(Console.Out),
            InspectCommand.Create(Console.Out),
        };
        return root.Parse(args).Invoke();
    }
}
