using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>The vision-language adapter (<c>multi_modal_projector</c>): linear_1 → act (GELU) → linear_2, with biases.</summary>
public sealed class MultiModalProjector : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly Linear linear_1; // [C_v] -> [C]
    private readonly Linear linear_2; // [C] -> [C]
#pragma warning restore IDE1006
    private readonly Func<Tensor, Tensor> act;

    public MultiModalProjector(ModelConfig c, string name = "multi_modal_projector") : base(name)
    {
        act = Activations.Get(c.ProjectorHiddenAct);
        linear_1 = nn.Linear(c.Vision.HiddenSize, c.Text.HiddenSize, hasBias: c.MultimodalProjectorBias);
        linear_2 = nn.Linear(c.Text.HiddenSize, c.Text.HiddenSize, hasBias: c.MultimodalProjectorBias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) // [N, C_v]
    {
        using var scope = NewDisposeScope();
        return linear_2.forward(act(linear_1.forward(x))).MoveToOuterDisposeScope(); // [N, C]
    }
}
