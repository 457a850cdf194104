using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// One Pixtral vision block (<c>transformer.layers.M</c>), pre-norm, non-causal:
/// x + attention(attention_norm(x)), then + feed_forward(ffn_norm(x)). RMSNorm eps is 1e-5 as in transformers.
/// </summary>
public sealed class VisionLayer : nn.Module<Tensor, AttentionContext, Tensor>
{
    /// <summary>PixtralRMSNorm's eps (fixed in transformers, not a config value).</summary>
    public const double NormEps = 1e-5;

#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly RmsNorm attention_norm;
    private readonly Attention attention;
    private readonly RmsNorm ffn_norm;
    private readonly GatedMlp feed_forward;
#pragma warning restore IDE1006

    public VisionLayer(VisionConfig c, string name = "vision_layer") : base(name)
    {
        attention_norm = new RmsNorm(c.HiddenSize, NormEps);
        attention = new Attention(c.HiddenSize, c.NumAttentionHeads, c.NumAttentionHeads, c.HeadDim);
        ffn_norm = new RmsNorm(c.HiddenSize, NormEps);
        feed_forward = new GatedMlp(c.HiddenSize, c.IntermediateSize, c.HiddenAct);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, AttentionContext context) // [1, N, C]
    {
        using var scope = NewDisposeScope();
        x = x + attention.forward(attention_norm.forward(x), context);
        x = x + feed_forward.forward(ffn_norm.forward(x));
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>The stack of vision blocks (<c>vision_tower.transformer</c>); no final norm.</summary>
public sealed class VisionTransformer : nn.Module<Tensor, AttentionContext, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly TorchSharp.Modules.ModuleList<VisionLayer> layers;
#pragma warning restore IDE1006

    public VisionTransformer(VisionConfig c, string name = "transformer") : base(name)
    {
        layers = nn.ModuleList(Enumerable.Range(0, c.NumHiddenLayers).Select(_ => new VisionLayer(c)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        foreach (var layer in layers) x = layer.forward(x, context);
        return x.MoveToOuterDisposeScope();
    }
}
