using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// One Mistral decoder block, pre-norm:
/// <code>
///   x ─┬─ input_layernorm ─ self_attn (GQA, RoPE, causal) ─(+)─┬─ post_attention_layernorm ─ mlp (SwiGLU) ─(+)─ out
///      └────────────────────────────────────────────────────┘  └─────────────────────────────────────────────┘
/// </code>
/// </summary>
public sealed class DecoderLayer : nn.Module<Tensor, AttentionContext, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly RmsNorm input_layernorm;
    private readonly Attention self_attn;
    private readonly RmsNorm post_attention_layernorm;
    private readonly GatedMlp mlp;
#pragma warning restore IDE1006

    public DecoderLayer(TextConfig c, string name = "decoder_layer") : base(name)
    {
        input_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps);
        self_attn = new Attention(c.HiddenSize, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim);
        post_attention_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps);
        mlp = new GatedMlp(c.HiddenSize, c.IntermediateSize, c.HiddenAct);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, AttentionContext context) // [B, T, C]
    {
        using var scope = NewDisposeScope();
        x = x + self_attn.forward(input_layernorm.forward(x), context);
        x = x + mlp.forward(post_attention_layernorm.forward(x));
        return x.MoveToOuterDisposeScope();
    }
}
