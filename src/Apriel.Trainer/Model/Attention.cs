using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// Multi-head attention with rotary positions and grouped-query key/value heads, no biases (Mistral's
/// <c>self_attn</c> and Pixtral's <c>attention</c>). n_kv_head key/value heads each serve n_head / n_kv_head query heads:
/// query head h reads key/value head h / (n_head / n_kv_head), as transformers' <c>repeat_kv</c> does. Scale 1/√D.
/// </summary>
public sealed class Attention : nn.Module<Tensor, AttentionContext, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly Linear q_proj; // [C] -> [H * D]
    private readonly Linear k_proj; // [C] -> [KV * D]
    private readonly Linear v_proj; // [C] -> [KV * D]
    private readonly Linear o_proj; // [H * D] -> [C]
#pragma warning restore IDE1006
    private readonly int heads, keyValueHeads, headDim;

    public Attention(int hidden, int heads, int keyValueHeads, int headDim, string name = "attention") : base(name)
    {
        if (hidden <= 0 || heads <= 0 || keyValueHeads <= 0 || headDim <= 0) throw new ArgumentException("sizes must be > 0");
        if (heads % keyValueHeads != 0) throw new ArgumentException($"heads ({heads}) must be a multiple of key/value heads ({keyValueHeads})");
        if (headDim % 2 != 0) throw new ArgumentException($"head size ({headDim}) must be even for rotary positions");
        (this.heads, this.keyValueHeads, this.headDim) = (heads, keyValueHeads, headDim);
        q_proj = nn.Linear(hidden, heads * headDim, hasBias: false);
        k_proj = nn.Linear(hidden, keyValueHeads * headDim, hasBias: false);
        v_proj = nn.Linear(hidden, keyValueHeads * headDim, hasBias: false);
        o_proj = nn.Linear(heads * headDim, hidden, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, AttentionContext context) // x: [B, T, C]
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        var q = q_proj.forward(x).view(b, t, heads, headDim).transpose(1, 2);         // [B, H, T, D]
        var k = k_proj.forward(x).view(b, t, keyValueHeads, headDim).transpose(1, 2); // [B, KV, T, D]
        var v = v_proj.forward(x).view(b, t, keyValueHeads, headDim).transpose(1, 2); // [B, KV, T, D]
        q = Rope.Apply(q, context.Cos, context.Sin);
        k = Rope.Apply(k, context.Cos, context.Sin);
        if (context.Cache is { } cache) (k, v) = cache.Append(context.Layer, k, v);     // [B, KV, past + T, D]
        if (keyValueHeads != heads)
        {
            // SDPA has no GQA argument in TorchSharp 0.107: repeat each key/value head for its group of query heads.
            k = k.repeat_interleave(heads / keyValueHeads, dim: 1);                   // [B, H, keys, D]
            v = v.repeat_interleave(heads / keyValueHeads, dim: 1);                   // [B, H, keys, D]
        }
        var y = context.Mask is { } mask
            ? nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: mask)
            : nn.functional.scaled_dot_product_attention(q, k, v, is_casual: context.Causal); // [B, H, T, D]
        y = y.transpose(1, 2).reshape(b, t, heads * headDim);                         // [B, T, H * D]
        return o_proj.forward(y).MoveToOuterDisposeScope();                          // [B, T, C]
    }
}
