namespace Apriel.Trainer.Model;

/// <summary>One tensor of a model: its checkpoint name (Hugging Face LLaVA layout) and shape.</summary>
public sealed record TensorSpec(string Name, IReadOnlyList<long> Shape)
{
    /// <summary>Number of elements.</summary>
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The shape as <c>[a, b]</c>.</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}

/// <summary>
/// Every tensor of a model, computed from its configuration alone (nothing is built or loaded): the contract between
/// the modules, the checkpoint reader and writer, and <c>apriel-trainer inspect</c>. Names are the
/// <see cref="HfNames"/> canonical generation. Shapes are [out, in] as PyTorch stores them. Counts (apriel-recipe.md
/// §B.5): decoder 9 x L + 3 (+ lm_head unless tied: 2 + 9 x L + 1), vision 9 x N + 2, projector 4 (2 without biases).
/// </summary>
public static class TensorTable
{
    public static IReadOnlyList<TensorSpec> For(ModelConfig config)
    {
        config.Validate();
        var list = new List<TensorSpec>();
        void Add(string name, params long[] shape) => list.Add(new TensorSpec(name, shape));

        // ---- decoder ----
        var t = config.Text;
        long hidden = t.HiddenSize, q = (long)t.NumAttentionHeads * t.HeadDim, kv = (long)t.NumKeyValueHeads * t.HeadDim;
        var lm = HfNames.LanguageModel;
        Add($"{lm}embed_tokens.weight", t.VocabSize, hidden);
        for (var i = 0; i < t.NumHiddenLayers; i++)
        {
            var p = $"{lm}layers.{i}.";
            Add($"{p}input_layernorm.weight", hidden);
            Add($"{p}self_attn.q_proj.weight", q, hidden);
            Add($"{p}self_attn.k_proj.weight", kv, hidden);
            Add($"{p}self_attn.v_proj.weight", kv, hidden);
            Add($"{p}self_attn.o_proj.weight", hidden, q);
            Add($"{p}post_attention_layernorm.weight", hidden);
            Add($"{p}mlp.gate_proj.weight", t.IntermediateSize, hidden);
            Add($"{p}mlp.up_proj.weight", t.IntermediateSize, hidden);
            Add($"{p}mlp.down_proj.weight", hidden, t.IntermediateSize);
        }
        Add($"{lm}norm.weight", hidden);
        if (!t.TieWordEmbeddings) Add($"{HfNames.LmHead}weight", t.VocabSize, hidden);

        // ---- vision encoder ----
        var v = config.Vision;
        long vh = v.HiddenSize, vq = (long)v.NumAttentionHeads * v.HeadDim;
        var vt = HfNames.VisionTower;
        Add($"{vt}patch_conv.weight", vh, v.NumChannels, v.PatchSize, v.PatchSize);
        Add($"{vt}ln_pre.weight", vh);
        for (var i = 0; i < v.NumHiddenLayers; i++)
        {
            var p = $"{vt}transformer.layers.{i}.";
            Add($"{p}attention_norm.weight", vh);
            Add($"{p}attention.q_proj.weight", vq, vh);
            Add($"{p}attention.k_proj.weight", vq, vh);
            Add($"{p}attention.v_proj.weight", vq, vh);
            Add($"{p}attention.o_proj.weight", vh, vq);
            Add($"{p}ffn_norm.weight", vh);
            Add($"{p}feed_forward.gate_proj.weight", v.IntermediateSize, vh);
            Add($"{p}feed_forward.up_proj.weight", v.IntermediateSize, vh);
            Add($"{p}feed_forward.down_proj.weight", vh, v.IntermediateSize);
        }

        // ---- projector ----
        var mp = HfNames.Projector;
        Add($"{mp}linear_1.weight", hidden, vh);
        if (config.MultimodalProjectorBias) Add($"{mp}linear_1.bias", hidden);
        Add($"{mp}linear_2.weight", hidden, hidden);
        if (config.MultimodalProjectorBias) Add($"{mp}linear_2.bias", hidden);
        return list;
    }

    /// <summary>Total parameters.</summary>
    public static long ParameterCount(IEnumerable<TensorSpec> tensors) => tensors.Sum(x => x.Elements);
}
