using static TorchSharp.torch;

namespace Apriel.Trainer.Training;

/// <summary>Global gradient-norm clipping: when ‖g‖₂ over all parameters exceeds the limit, every gradient is scaled by limit / (‖g‖ + 1e-6).</summary>
public static class GradientClipping
{
    /// <summary>Clips in place (a limit of 0 only measures); returns the norm before clipping.</summary>
    public static double Clip(IEnumerable<Tensor> parameters, double maxNorm)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var gradients = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
        if (gradients.Count == 0) return 0;
        var squares = gradients.Select(g => g.to(ScalarType.Float32).pow(2).sum()).ToList();
        var norm = stack(squares).sum().sqrt().item<float>();
        if (maxNorm > 0 && norm > maxNorm)
        {
            var scale = maxNorm / (norm + 1e-6);
            foreach (var g in gradients) g.mul_(scale);
        }
        return norm;
    }
}
