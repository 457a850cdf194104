using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// Root-mean-square layer norm (TorchSharp 0.107 has none): y = weight * x / sqrt(mean(x²) + eps), computed in float32
/// and cast back to the input's type before the weight is applied, as transformers' MistralRMSNorm and PixtralRMSNorm do.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly Parameter weight; // [C]
#pragma warning restore IDE1006
    private readonly double eps;

    public RmsNorm(long size, double eps, string name = "rms_norm") : base(name)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), "must be > 0");
        if (eps <= 0) throw new ArgumentOutOfRangeException(nameof(eps), "must be > 0");
        this.eps = eps;
        weight = new Parameter(ones(size));
        RegisterComponents();
    }

    public Parameter Weight => weight;

    public override Tensor forward(Tensor x) // x: [..., C]
    {
        using var scope = NewDisposeScope();
        var x32 = x.to(ScalarType.Float32);
        var variance = x32.pow(2).mean([-1], keepdim: true);     // [..., 1]
        var normed = (x32 * (variance + eps).rsqrt()).to(x.dtype); // [..., C]
        return (weight * normed).MoveToOuterDisposeScope();
    }
}
