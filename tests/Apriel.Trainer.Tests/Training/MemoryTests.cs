using Apriel.Trainer.Training;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Training;

/// <summary>Tests that count process-wide tensors run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(AloneCollection), DisableParallelization = true)]
public sealed class AloneCollection;

[Collection(nameof(AloneCollection))]
public sealed class MemoryTests
{
    [Fact]
    public void Should_free_every_tensor_a_step_makes()
    {
        using var run = new TempDir();
        var live = new Dictionary<long, long>();
        // Text and images, micro-batches, clipping and AdamW: the live tensor count is the same after every step.
        var spec = TinyStages.Shrunk("05-cpt-1.yaml", steps: 6) with { Data = TinyStages.Spec("05-cpt-1.yaml").Data with { SequenceLength = 128 } };

        // Garbage left to the finalizer (other tests', and this run's set-up) would otherwise be freed whenever the
        // GC happens to run and move the count; it is collected once, after the first step, and the steps measured.
        TinyStages.Run(TinyStages.Task(spec, run.Path), afterStep: r =>
        {
            if (r.Step == 1)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
            }
            live[r.Step] = Tensor.TotalCount;
        });

        Assert.Equal(live[2], live[6]);
        Assert.Equal(live[2], live[4]);
    }
}
