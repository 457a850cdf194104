using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// Greedy decoding for smoke tests and evaluation: the most likely next token, one at a time. The prompt (with its
/// images) runs once and fills a <see cref="KeyValueCache"/>; each new token then runs alone against the cache, so a
/// step costs one token's forward rather than the whole sequence's.
/// </summary>
public static class Generation
{
    /// <summary>
    /// Continues <paramref name="prompt"/> by up to <paramref name="maxNewTokens"/> tokens, stopping after
    /// <paramref name="stopId"/>. The prompt's [IMG] tokens take <paramref name="images"/>' features. Returns the new tokens only.
    /// Image tokens are never generated: no image could fill a generated [IMG], and the next forward would refuse it.
    /// </summary>
    public static int[] Greedy(VisionLanguageModel model, IReadOnlyList<int> prompt, int maxNewTokens, int? stopId = null,
        IReadOnlyList<Tensor>? images = null)
    {
        if (prompt.Count == 0) throw new ArgumentException("empty prompt", nameof(prompt));
        if (prompt.Count + maxNewTokens > model.Config.Text.MaxPositionEmbeddings)
            throw new ArgumentException($"prompt ({prompt.Count}) + new tokens ({maxNewTokens}) exceed max_position_embeddings ({model.Config.Text.MaxPositionEmbeddings})");
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var cache = model.NewCache();
            var device = model.Device;
            using var imageTokens = ImageTokens(model.Config, device);
            var generated = new List<int>();
            var ids = tensor(prompt.Select(x => (long)x).ToArray(), [1, prompt.Count], device: device); // the prompt, then each new token
            try
            {
                while (generated.Count < maxNewTokens)
                {
                    using var scope = NewDisposeScope();
                    var logits = model.forward(new VlmInput(ids, generated.Count == 0 ? images : null, Cache: cache)); // [1, T, V]
                    var next = Next(logits[0, -1], imageTokens);
                    generated.Add(next);
                    if (next == stopId) break;
                    ids.Dispose();
                    ids = tensor(new long[] { next }, [1, 1], device: device).DetachFromDisposeScope();
                }
            }
            finally
            {
                ids.Dispose();
            }
            return [.. generated];
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>The ids generation never picks: [IMG], [IMG_BREAK], [IMG_END], on <paramref name="device"/>.</summary>
    public static Tensor ImageTokens(ModelConfig config, Device device) =>
        tensor(new long[] { config.ImageTokenIndex, config.ImageBreakTokenId, config.ImageEndTokenId }, device: device);

    /// <summary>The greedy choice from one position's logits [V]: the most likely token that is not in <paramref name="imageTokens"/>.</summary>
    public static int Next(Tensor logits, Tensor imageTokens) =>
        (int)logits.index_fill(0, imageTokens, float.NegativeInfinity).argmax().item<long>();
}
