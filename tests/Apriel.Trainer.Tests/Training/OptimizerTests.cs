using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Model;
using Apriel.Trainer.Training;
using TorchSharp;
using TorchSharp.Modules;
using AdamW = Apriel.Trainer.Training.AdamW;
using TorchAdamW = TorchSharp.Modules.AdamW;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Training;

public sealed class OptimizerTests
{
    public OptimizerTests() => torch.set_num_threads(1);

    private static OptimizerSpec Spec(double wd = 0.1) => new() { LearningRate = 1e-2, WeightDecay = wd };

    [Fact]
    public void Should_match_torch_adamw_on_weights_and_skip_decay_on_vectors()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var ours = new[] { ("w", new Parameter(randn(4, 3, generator: generator))), ("b", new Parameter(randn(3, generator: generator))) };
        var theirs = ours.Select(p => new Parameter(p.Item2.detach().clone())).ToArray();
        using var adam = new AdamW(ours, Spec());
        var reference = optim.AdamW(
            [new TorchAdamW.ParamGroup([theirs[0]], new TorchAdamW.Options { weight_decay = 0.1 }), new TorchAdamW.ParamGroup([theirs[1]], new TorchAdamW.Options { weight_decay = 0 })],
            lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8);

        for (var step = 0; step < 5; step++)
        {
            var gradients = new[] { randn(4, 3, generator: generator), randn(3, generator: generator) };
            for (var i = 0; i < 2; i++)
            {
                ours[i].Item2.grad = gradients[i].clone();
                theirs[i].grad = gradients[i].clone();
            }
            adam.Step(1e-2);
            reference.step();
        }

        for (var i = 0; i < 2; i++) Assert.True(ours[i].Item2.allclose(theirs[i], rtol: 1e-5, atol: 1e-7), ours[i].Item1);
        Assert.Equal(["w"], adam.Decaying);
    }

    [Fact]
    public void Should_decay_matrices_and_embeddings_but_not_norms_or_biases_of_the_model()
    {
        using var model = new VisionLanguageModel(ModelPresets.Tiny).Initialize(0);
        using var adam = new AdamW(model.named_parameters().Select(p => (p.name, p.parameter)).ToList(), Spec());

        var decaying = adam.Decaying.ToHashSet();

        Assert.Contains("language_model.model.embed_tokens.weight", decaying);
        Assert.Contains("language_model.model.layers.0.self_attn.q_proj.weight", decaying);
        Assert.Contains("vision_tower.patch_conv.weight", decaying);
        Assert.DoesNotContain("language_model.model.norm.weight", decaying);
        Assert.DoesNotContain("language_model.model.layers.0.input_layernorm.weight", decaying);
        Assert.DoesNotContain("multi_modal_projector.linear_1.bias", decaying);
    }

    [Fact]
    public void Should_accumulate_small_updates_of_bf16_weights_in_a_float32_master_copy()
    {
        using var scope = NewDisposeScope();
        var weight = new Parameter(full(new long[] { 4, 4 }, 1.0f, dtype: ScalarType.BFloat16));
        using var adam = new AdamW([("w", weight)], Spec(wd: 0));

        // lr 1e-4: each step moves the weight by ~1e-4, far below bf16's resolution at 1.0 (2^-7 = 0.0078).
        for (var step = 0; step < 200; step++)
        {
            weight.grad = ones(4, 4, dtype: ScalarType.BFloat16);
            adam.Step(1e-4);
        }

        Assert.Equal(ScalarType.BFloat16, weight.dtype);
        Assert.InRange(weight.to(ScalarType.Float32).mean().item<float>(), 0.975f, 0.985f);
    }

    [Fact]
    public void Should_clip_the_global_gradient_norm()
    {
        using var scope = NewDisposeScope();
        var a = new Parameter(zeros(2));
        var b = new Parameter(zeros(1));
        a.grad = tensor(new float[] { 3, 0 });
        b.grad = tensor(new float[] { 4 });

        var norm = GradientClipping.Clip([a, b], maxNorm: 1);

        Assert.Equal(5, norm, 5);
        Assert.Equal(new[] { 0.6f, 0f }, a.grad!.data<float>().ToArray(), new FloatTolerance(1e-5f));
        Assert.Equal(0.8f, b.grad!.item<float>(), 5);
        Assert.Equal(1, GradientClipping.Clip([a, b], maxNorm: 2), 4); // under the limit: measured, unchanged
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
