using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// The gated MLP of both towers, no biases: down_proj(act(gate_proj(x)) * up_proj(x)). With SiLU this is SwiGLU
/// (Mistral's <c>mlp</c>); Pixtral's <c>feed_forward</c> uses the activation its config names.
/// </summary>
public sealed class GatedMlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly Linear gate_proj; // [C] -> [I]
    private readonly Linear up_proj;   // [C] -> [I]
    private readonly Linear down_proj; // [I] -> [C]
#pragma warning restore IDE1006
    private readonly Func<Tensor, Tensor> act;

    public GatedMlp(int hidden, int intermediate, string activation, string name = "mlp") : base(name)
    {
        if (hidden <= 0 || intermediate <= 0) throw new ArgumentException("sizes must be > 0");
        act = Activations.Get(activation);
        gate_proj = nn.Linear(hidden, intermediate, hasBias: false);
        up_proj = nn.Linear(hidden, intermediate, hasBias: false);
        down_proj = nn.Linear(intermediate, hidden, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) // [B, T, C]
    {
        using var scope = NewDisposeScope();
        var h = act(gate_proj.forward(x)) * up_proj.forward(x); // [B, T, I]
        return down_proj.forward(h).MoveToOuterDisposeScope();  // [B, T, C]
    }
}
