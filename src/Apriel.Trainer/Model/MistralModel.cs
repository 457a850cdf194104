using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// The decoder stack (<c>language_model.model</c>): token embeddings, L decoder layers, final RMSNorm. Its forward takes
/// embeddings rather than ids, so the VLM can put image features in place of <c>[IMG]</c> embeddings first.
/// </summary>
public sealed class MistralModel : nn.Module<Tensor, Tensor?, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly Embedding embed_tokens;          // [V, C]
    private readonly ModuleList<DecoderLayer> layers;
    private readonly RmsNorm norm;
#pragma warning restore IDE1006
    private readonly float[] inverseFrequencies;
    private readonly TextConfig config;

    public MistralModel(TextConfig c, string name = "model") : base(name)
    {
        config = c;
        embed_tokens = nn.Embedding(c.VocabSize, c.HiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, c.NumHiddenLayers).Select(_ => new DecoderLayer(c)).ToArray());
        norm = new RmsNorm(c.HiddenSize, c.RmsNormEps);
        inverseFrequencies = Rope.InverseFrequencies(c.HeadDim, c.RopeTheta);
        RegisterComponents();
    }

    public Embedding EmbedTokens => embed_tokens;

    /// <summary>Recompute each layer in the backward pass instead of keeping its activations (<see cref="CheckpointedLayer"/>).</summary>
    public bool CheckpointLayers { get; set; }

    /// <summary>Token ids [B, T] → embeddings [B, T, C]. Ids are checked to be in the vocabulary first.</summary>
    public Tensor Embed(Tensor ids)
    {
        if (ids.dtype != ScalarType.Int64 || ids.dim() != 2) throw new ArgumentException($"token ids must be int64 [B, T], are {ids.dtype} [{string.Join(", ", ids.shape)}]");
        if (ids.numel() > 0)
        {
            long min = ids.min().item<long>(), max = ids.max().item<long>();
            if (min < 0 || max >= config.VocabSize) throw new ArgumentException($"token ids must be in [0, {config.VocabSize}), found {min}..{max}");
        }
        return embed_tokens.forward(ids);
    }

    /// <summary>
    /// embeddings [B, T, C] and, for packed rows, document ids [B, T] → hidden states [B, T, C]. Without document ids
    /// every row is one document (positions 0..T-1, causal attention).
    /// </summary>
    public override Tensor forward(Tensor embeddings, Tensor? documentIds) => Forward(embeddings, documentIds, cache: null);

    /// <summary>
    /// <see cref="forward"/>, continuing the tokens in <paramref name="cache"/> when given: positions start at its
    /// length, each new token attends to the cached ones and the new ones up to itself, and the cache grows by T.
    /// </summary>
    public Tensor Forward(Tensor embeddings, Tensor? documentIds, KeyValueCache? cache)
    {
        if (embeddings.dim() != 3 || embeddings.shape[2] != config.HiddenSize)
            throw new ArgumentException($"embeddings must be [B, T, {config.HiddenSize}], are [{string.Join(", ", embeddings.shape)}]");
        using var scope = NewDisposeScope();
        long b = embeddings.shape[0], t = embeddings.shape[1];
        if (documentIds is not null && (documentIds.dim() != 2 || documentIds.shape[0] != b || documentIds.shape[1] != t))
            throw new ArgumentException($"document ids must be [{b}, {t}], are [{string.Join(", ", documentIds.shape)}]");
        if (cache is not null && documentIds is not null) throw new ArgumentException("a key/value cache holds one sequence: no document ids");
        if (cache is not null && cache.Layers != layers.Count) throw new ArgumentException($"the cache has {cache.Layers} layers, the decoder {layers.Count}");
        var past = cache?.Length ?? 0;
        if (past + t > config.MaxPositionEmbeddings) throw new ArgumentException($"{past + t} tokens exceed max_position_embeddings ({config.MaxPositionEmbeddings})");

        var positions = documentIds is null
            ? arange(past, past + t, ScalarType.Int64, embeddings.device).expand(b, t)      // [B, T]
            : PackedSequences.Positions(documentIds);                                        // [B, T], restarting per document
        var (cos, sin) = Rope.Tables(positions, inverseFrequencies, embeddings.dtype);       // [B, T, D] each
        var mask = documentIds is not null ? PackedSequences.CausalMask(documentIds)         // [B, 1, T, T]
            : past > 0 && t > 1 ? KeyValueCache.CausalMask(past, t, embeddings.device)     // [1, 1, T, past + T]
            : null;                                                                          // causal, or one token after the cache: sees all
        var context = new AttentionContext(cos, sin, mask, Causal: past == 0) { Cache = cache };

        var x = embeddings;
        var checkpoint = CheckpointLayers && cache is null && is_grad_enabled();
        for (var i = 0; i < layers.Count; i++)
        {
            x = checkpoint ? CheckpointedLayer.Apply(layers[i], x, context)
                : layers[i].forward(x, cache is null ? context : context with { Layer = i });
        }
        return norm.forward(x).MoveToOuterDisposeScope();                                    // [B, T, C]
    }
}
