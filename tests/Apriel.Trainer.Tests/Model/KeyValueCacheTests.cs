using Apriel.Trainer.Benchmarks;
using Apriel.Trainer.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Model;

public sealed class KeyValueCacheTests
{
    public KeyValueCacheTests() => torch.set_num_threads(1);

    private static VisionLanguageModel Tiny() => new VisionLanguageModel(ModelPresets.Tiny).Initialize(seed: 5);

    private static Tensor Ids(params long[] ids) => tensor(ids, [1, ids.Length]);

    [Fact]
    public void Should_give_the_logits_of_the_whole_sequence_when_fed_in_pieces()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = Tiny();
        using var cache = model.NewCache();
        // An image in the first piece; then several tokens at once (masked against the cache), then one at a time.
        long[] sequence = [1, 10, 10, 13, 40, 41, 42, 43, 44, 45, 46, 47];
        var image = randn(3, 8, 16);
        var whole = model.forward(new VlmInput(Ids(sequence), [image]));                       // [1, 12, V]

        var pieces = new[] { (0, 5), (5, 8), (8, 9), (9, 10), (10, 11), (11, 12) }
            .Select(p => model.forward(new VlmInput(Ids(sequence[p.Item1..p.Item2]), p.Item1 == 0 ? [image] : null, Cache: cache)))
            .ToList();

        Assert.Equal(sequence.Length, cache.Length);
        Assert.True(allclose(cat(pieces, 1), whole, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Should_generate_what_rerunning_the_whole_sequence_generates()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        int[] prompt = [1, 40, 41, 42];
        var expected = GenerationBenchmark.Rerun(model, prompt, tokens: 12);

        var generated = Generation.Greedy(model, prompt, maxNewTokens: 12);

        Assert.Equal(expected, generated);
    }

    [Fact]
    public void Should_leave_no_tensor_alive_after_generating()
    {
        using var model = Tiny();
        Generation.Greedy(model, [1, 40, 41], maxNewTokens: 3);
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        Generation.Greedy(model, [1, 40, 41], maxNewTokens: 6);

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Should_refuse_packed_documents_and_a_cache_of_another_depth()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        using var cache = model.NewCache();
        using var shallow = new KeyValueCache(ModelPresets.Tiny.Text.NumHiddenLayers - 1);

        var packed = Assert.Throws<ArgumentException>(() => model.forward(new VlmInput(Ids(1, 40, 41), DocumentIds: Ids(0, 0, 1), Cache: cache)));
        var depth = Assert.Throws<ArgumentException>(() => model.forward(new VlmInput(Ids(1, 40), Cache: shallow)));

        Assert.Contains("no document ids", packed.Message);
        Assert.Contains($"the cache has {ModelPresets.Tiny.Text.NumHiddenLayers - 1} layers", depth.Message);
    }
}
