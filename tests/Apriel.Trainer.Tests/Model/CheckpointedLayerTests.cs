using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Model;
using Apriel.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Model;

public sealed class CheckpointedLayerTests
{
    public CheckpointedLayerTests() => torch.set_num_threads(1);

    /// <summary>Loss and every trained parameter's gradient after one backward pass over packed rows with an image.</summary>
    static (float Loss, Dictionary<string, Tensor> Gradients) Backward(bool checkpoint, Component[] train)
    {
        using var model = new VisionLanguageModel(ModelPresets.Tiny).Initialize(seed: 11);
        model.LanguageModel.Model.CheckpointLayers = checkpoint;
        var trained = Components.Freeze(model, train);
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 1, 10, 10, 13, 40, 41, 42, 43, 1, 50, 51, 52 }, [1, 12]);
        var documents = tensor(new long[] { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1 }, [1, 12]);
        var logits = model.forward(new VlmInput(ids, [randn(3, 8, 16, generator: new Generator(5))], documents));
        var loss = nn.functional.cross_entropy(logits[0, ..^1], ids[0, 1..]);
        loss.backward();
        return (loss.item<float>(), trained.ToDictionary(p => p.Name, p => p.Parameter.grad!.clone().DetachFromDisposeScope()));
    }

    [Theory]
    [InlineData(new[] { Component.VisionEncoder, Component.Projector, Component.Decoder })]
    [InlineData(new[] { Component.Projector })] // the decoder frozen: its layers recompute only to pass the gradient on
    public void Should_give_the_gradients_of_the_plain_backward_pass(Component[] train)
    {
        var (plainLoss, plain) = Backward(checkpoint: false, train);
        var recomputed = CheckpointedLayer.Recomputed;
        var (checkpointedLoss, checkpointed) = Backward(checkpoint: true, train);

        Assert.Equal(ModelPresets.Tiny.Text.NumHiddenLayers, CheckpointedLayer.Recomputed - recomputed); // each layer once, on this thread
        Assert.Equal(plainLoss, checkpointedLoss);
        Assert.Equal(plain.Keys.Order(), checkpointed.Keys.Order());
        foreach (var (name, gradient) in plain)
            Assert.True(gradient.allclose(checkpointed[name], rtol: 1e-5, atol: 1e-7), $"{name} differs");
    }

    [Fact]
    public void Should_dispose_what_its_backward_makes_even_without_a_dispose_scope()
    {
        // On a GPU the backward pass runs on a thread with no dispose scope; here it runs on this thread, outside one.
        using var model = new VisionLanguageModel(ModelPresets.Tiny).Initialize(seed: 11);
        model.LanguageModel.Model.CheckpointLayers = true;
        using var ids = tensor(new long[] { 1, 40, 41, 42, 43, 44, 45, 46 }, [1, 8]);
        void Step()
        {
            Tensor loss;
            using (var scope = NewDisposeScope())
            {
                var logits = model.forward(new VlmInput(ids));
                loss = nn.functional.cross_entropy(logits[0, ..^1], ids[0, 1..]).MoveToOuterDisposeScope();
            }
            loss.backward();
            loss.Dispose();
            model.zero_grad();
        }
        Step();
        Step();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        Step();
        Step();

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
