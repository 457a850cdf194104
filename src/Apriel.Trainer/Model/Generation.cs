using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// Greedy decoding for smoke tests and evaluation: the most likely next token, one at a time. There is no key/value
/// cache — every step runs the whole sequence again — which is simple and exact, and fast enough for short outputs of
/// small models; long generations with the 15B model want a cache.
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
            var tokens = prompt.Select(x => (long)x).ToList();
            var generated = new List<int>();
            using var imageTokens = tensor(new long[] { model.Config.ImageTokenIndex, model.Config.ImageBreakTokenId, model.Config.ImageEndTokenId });
            for (var step = 0; step < maxNewTokens; step++)
            {
                using var scope = NewDisposeScope();
                var ids = tensor(tokens.ToArray(), [1, tokens.Count]);
                var logits = model.forward(new VlmInput(ids, images));                  // [1, T, V]
                var next = (int)logits[0, -1].index_fill(0, imageTokens, float.NegativeInfinity).argmax().item<long>();
                generated.Add(next);
                tokens.Add(next);
                if (next == stopId) break;
            }
            return [.. generated];
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
