using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// The language model (<c>language_model</c>): the decoder stack <c>model</c> and the output projection
/// <c>lm_head</c> [V, C], or, when <c>tie_word_embeddings</c>, the embedding matrix reused (no <c>lm_head</c> tensor).
/// </summary>
public sealed class CausalLanguageModel : nn.Module<Tensor, Tensor?, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly MistralModel model;
    private readonly Linear? lm_head; // [C] -> [V]
#pragma warning restore IDE1006

    public CausalLanguageModel(TextConfig c, string name = "language_model") : base(name)
    {
        model = new MistralModel(c);
        if (!c.TieWordEmbeddings) lm_head = nn.Linear(c.HiddenSize, c.VocabSize, hasBias: false);
        RegisterComponents();
    }

    public MistralModel Model => model;

    /// <summary>Token ids [B, T] → embeddings [B, T, C].</summary>
    public Tensor Embed(Tensor ids) => model.Embed(ids);

    /// <summary>embeddings [B, T, C] (+ document ids [B, T] for packed rows) → logits [B, T, V].</summary>
    public override Tensor forward(Tensor embeddings, Tensor? documentIds) => Forward(embeddings, documentIds, cache: null);

    /// <summary><see cref="forward"/>, continuing (and growing) <paramref name="cache"/> when given.</summary>
    public Tensor Forward(Tensor embeddings, Tensor? documentIds, KeyValueCache? cache)
    {
        using var scope = NewDisposeScope();
        var h = model.Forward(embeddings, documentIds, cache);                                // [B, T, C]
        var logits = lm_head is null ? nn.functional.linear(h, model.EmbedTokens.weight!) : lm_head.forward(h); // [B, T, V]
        return logits.MoveToOuterDisposeScope();
    }
}
