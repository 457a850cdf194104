using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Apriel.Trainer.Model;

/// <summary>
/// Activation checkpointing of one decoder layer (TorchSharp 0.107 has none): the forward runs the layer without
/// recording its graph and keeps only its input; the backward runs it again with the graph, backpropagates the incoming
/// gradient through it (the layer's parameters receive theirs, as PyTorch's reentrant <c>checkpoint</c> does) and passes
/// the input's gradient on. The layer is deterministic (no dropout), so the recomputation equals the first pass.
/// </summary>
internal sealed class CheckpointedLayer : SingleTensorFunction<CheckpointedLayer>
{
    public override string Name => nameof(CheckpointedLayer);

    /// <summary>The layer's output for <paramref name="x"/> [B, T, C], with a graph that recomputes it for the backward pass.</summary>
    public static Tensor Apply(DecoderLayer layer, Tensor x, AttentionContext context)
    {
        // A function's output needs an input that requires grad to join the graph: without one (nothing trained before this
        // layer), the layer's own parameters would silently get no gradient.
        if (!x.requires_grad && layer.parameters().Any(p => p.requires_grad)) x = x.detach().requires_grad_(true);
        return apply(x, layer, context);
    }

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var (x, layer, context) = ((Tensor)vars[0], (DecoderLayer)vars[1], (AttentionContext)vars[2]);
        // The saved tensors stay alive in the graph after the caller's dispose scope has released its handles.
        ctx.save_for_backward([x, context.Cos, context.Sin, .. context.Mask is { } mask ? [mask] : Array.Empty<Tensor>()]);
        ctx.save_data("layer", layer);
        ctx.save_data("causal", context.Causal);
        using var _ = no_grad();
        return layer.forward(x, context);
    }

    // On a GPU the backward pass runs on the autograd engine's device thread, which has no dispose scope: every handle
    // made there is disposed there, and the gradient returned (read by native code once backward returns) at the thread's
    // next call. Per thread: TorchSharp keeps one instance of the function for the process.
    [ThreadStatic] private static Tensor? returned;

    /// <summary>Layers recomputed on this thread so far (tests check that checkpointing happened).</summary>
    [ThreadStatic] internal static long Recomputed;

    public override List<Tensor> backward(AutogradContext ctx, Tensor gradient)
    {
        returned?.Dispose();
        returned = null;
        Recomputed++;
        var saved = ctx.get_saved_variables();
        try
        {
            var layer = (DecoderLayer)ctx.get_data("layer");
            var context = new AttentionContext(saved[1], saved[2], saved.Count > 3 ? saved[3] : null, (bool)ctx.get_data("causal"));
            using var x = saved[0].detach().requires_grad_(true);
            using (enable_grad())
            {
                using var y = layer.forward(x, context);
                y.backward([gradient]);
            }
            using var grad = x.grad!;
            returned = grad.detach();
            return [returned, null!, null!];
        }
        finally
        {
            foreach (var tensor in saved) tensor.Dispose();
            gradient.Dispose();
        }
    }
}
