using Apriel.Trainer.Merging;
using Apriel.Trainer.Merging.Methods;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Merging;

public sealed class MergeMethodTests
{
    public MergeMethodTests() => torch.set_num_threads(1);

    static Tensor Random(int seed, params long[] shape)
    {
        using var generator = new Generator((ulong)seed);
        return randn(shape, generator: generator);
    }

    static void AssertExactly(Tensor expected, Tensor actual) => Assert.True(MergeFixtures.Identical(expected, actual), "tensors differ");

    [Fact]
    public void Should_average_uniformly_when_no_weights_are_given()
    {
        var models = Enumerable.Range(0, 4).Select(i => Random(i, 5, 7)).ToList();

        var merged = new LinearMerge(MergeWeights.Resolve([null, null, null, null], normalize: true)).Merge(models, null);

        Assert.True(merged.allclose(stack(models).mean([0]), rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Should_honour_and_normalise_weights()
    {
        var (a, b) = (Random(1, 10), Random(2, 10));

        var normalised = new LinearMerge(MergeWeights.Resolve([2.0, 6.0], normalize: true)).Merge([a, b], null);
        var raw = new LinearMerge(MergeWeights.Resolve([2.0, 6.0], normalize: false)).Merge([a, b], null);

        Assert.True(normalised.allclose(a * 0.25 + b * 0.75, rtol: 0, atol: 1e-6));
        Assert.True(raw.allclose(a * 2 + b * 6, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Should_compute_in_float32_from_bf16_inputs_and_leave_the_inputs_alone()
    {
        var models = new[] { Random(1, 64).to(ScalarType.BFloat16), Random(2, 64).to(ScalarType.BFloat16), Random(3, 64) };
        var copies = models.Select(m => m.clone()).ToList();

        var merged = new LinearMerge([0.5, 0.25, 0.25]).Merge(models, null);

        Assert.Equal(ScalarType.Float32, merged.dtype);
        var expected = models[0].to(ScalarType.Float32) * 0.5 + models[1].to(ScalarType.Float32) * 0.25 + models[2] * 0.25;
        Assert.True(merged.allclose(expected, rtol: 0, atol: 1e-6));
        Assert.All(models.Zip(copies), pair => Assert.True(MergeFixtures.Identical(pair.First, pair.Second)));
    }

    [Fact]
    public void Should_resolve_weights()
    {
        Assert.Equal([1.0 / 3, 1.0 / 3, 1.0 / 3], MergeWeights.Resolve([null, null, null], normalize: false));
        Assert.Equal([0.25, 0.75], MergeWeights.Resolve([1.0, 3.0], normalize: true));
        Assert.Equal([1.0, 3.0], MergeWeights.Resolve([1.0, 3.0], normalize: false));
        Assert.Contains("1 of 2 inputs set a weight", Assert.Throws<MergeInputException>(() => MergeWeights.Resolve([1.0, null], true)).Message);
        Assert.Contains("sum to 0", Assert.Throws<MergeInputException>(() => MergeWeights.Resolve([0.0, 0.0], true)).Message);
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(1.0, 1)]
    public void Should_return_an_input_from_slerp_at_the_ends(double t, int expected)
    {
        var models = new[] { Random(1, 6, 3), Random(2, 6, 3) };

        AssertExactly(models[expected], new SlerpMerge(t).Merge(models, null));
    }

    [Fact]
    public void Should_slerp_along_the_great_circle()
    {
        var (a, b) = (tensor(new[] { 2f, 0f }), tensor(new[] { 0f, 2f }));

        var half = new SlerpMerge(0.5).Merge([a, b], null);

        // Halfway between orthogonal vectors of norm 2: norm stays 2 (a linear average would give √2).
        Assert.True(half.allclose(tensor(new[] { MathF.Sqrt(2), MathF.Sqrt(2) }), rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Should_fall_back_to_linear_for_nearly_parallel_tensors()
    {
        var a = Random(3, 20);

        var merged = new SlerpMerge(0.25).Merge([a, a * 3], null);

        Assert.True(merged.allclose(a * 1.5, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Should_return_the_base_from_task_arithmetic_with_lambda_0()
    {
        var @base = Random(9, 4, 4);

        AssertExactly(@base, new TaskArithmeticMerge([0.5, 0.5], lambda: 0).Merge([Random(1, 4, 4), Random(2, 4, 4)], @base));
    }

    [Fact]
    public void Should_add_weighted_task_vectors_to_the_base()
    {
        var (@base, a, b) = (Random(9, 8), Random(1, 8), Random(2, 8));

        var merged = new TaskArithmeticMerge([0.25, 0.75], lambda: 2).Merge([a, b], @base);

        Assert.True(merged.allclose(@base + ((a - @base) * 0.25 + (b - @base) * 0.75) * 2, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Should_trim_to_the_largest_magnitudes()
    {
        var tau = tensor(new[] { 3f, -1f, 0.5f, -4f, 2f, 0f });

        AssertExactly(tensor(new[] { 3f, 0f, 0f, -4f, 2f, 0f }), TiesMerge.Trim(tau, density: 0.5));
        AssertExactly(tensor(new[] { 0f, 0f, 0f, -4f, 0f, 0f }), TiesMerge.Trim(tau, density: 0.01)); // at least one kept
    }

    [Fact]
    public void Should_trim_elect_signs_and_take_the_disjoint_mean()
    {
        var @base = tensor(new[] { 1f, 1f, 1f, 1f, 1f });
        var models = new[]
        {
            @base + tensor(new[] { 3f, -1f, 0.5f, 2f, -1f }),
            @base + tensor(new[] { -2f, -2f, 1f, 0.1f, -3f }),
            @base + tensor(new[] { 1f, -3f, -2f, 4f, 2f }),
        };

        var merged = new TiesMerge([1.0 / 3, 1.0 / 3, 1.0 / 3], lambda: 1, density: 0.6).Merge(models, @base);

        // Trimmed to 3 of 5 entries by magnitude (both 1s of τ1 tie at the threshold and are kept):
        //   τ1 → [3, -1, 0, 2, -1]; τ2 → [-2, -2, 0, 0, -3]; τ3 → [0, -3, -2, 4, 2]
        // Elected signs (of the sums 1, -6, -2, 6, -2): [+, -, -, +, -]
        // Disjoint means over the agreeing non-zero entries: [3, (-1-2-3)/3, -2, (2+4)/2, (-1-3)/2]
        Assert.True(merged.allclose(tensor(new[] { 1 + 3f, 1 - 2f, 1 - 2f, 1 + 3f, 1 - 2f }), rtol: 0, atol: 1e-6), string.Join(", ", merged.data<float>().ToArray()));
    }

    [Fact]
    public void Should_give_the_base_where_ties_finds_no_agreement()
    {
        var @base = tensor(new[] { 5f, 5f });
        var models = new[] { @base + tensor(new[] { 1f, 0f }), @base + tensor(new[] { -1f, 0f }) };

        AssertExactly(@base, new TiesMerge([0.5, 0.5], lambda: 1, density: 1).Merge(models, @base));
    }
}
