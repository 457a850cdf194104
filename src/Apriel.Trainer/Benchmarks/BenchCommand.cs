using System.CommandLine;

namespace Apriel.Trainer.Benchmarks;

/// <summary><c>apriel-trainer bench …</c>: the benchmarks (not tests; each reports ratios measured in one run).</summary>
public static class BenchCommand
{
    public static Command Create(TextWriter output) => new("bench", "Benchmarks")
    {
        CheckpointIoBenchmark.Create(output),
        TrainerOverheadBenchmark.Create(output),
        S3Benchmark.Create(output),
        MergeBenchmark.Create(output),
        GenerationBenchmark.Create(output),
        ActivationCheckpointingBenchmark.Create(output),
    };
}
