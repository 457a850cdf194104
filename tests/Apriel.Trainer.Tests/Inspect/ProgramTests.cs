using Apriel.Trainer.Benchmarks;

namespace Apriel.Trainer.Tests.Inspect;

public sealed class ProgramTests
{
    [Theory]
    [InlineData(0, "inspect", "pixtral-12b", "--summary")]
    [InlineData(0, "config", "tiny")]
    [InlineData(2, "inspect", "no-such-preset")]
    public void Should_run_the_commands_by_name(int exitCode, params string[] args)
    {
        Assert.Equal(exitCode, Program.Main(args));
    }

    [Fact]
    public void Should_run_the_checkpoint_benchmark_end_to_end_on_a_small_file()
    {
        TorchSharp.torch.set_num_threads(1);
        using var dir = new TempDir();

        var result = CheckpointIoBenchmark.Measure(sizeMb: 8, rounds: 1, dir.Path);

        Assert.Equal(8L << 20, result.Bytes);
        Assert.True(result.SaveRatio > 0 && result.LoadRatio > 0);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
