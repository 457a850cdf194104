using Apriel.Api.V1Alpha1;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apriel.Trainer.Training;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter) as PyTorch computes it, written out so its state is ours to save and restore exactly:
/// <code>
///   θ ← θ − lr·λ·θ                         decoupled weight decay; only on matrices (dim ≥ 2), never on norms and biases
///   m ← β₁m + (1 − β₁)g      v ← β₂v + (1 − β₂)g²
///   θ ← θ − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
/// </code>
/// t counts the steps in which the parameter had a gradient (a parameter unused by a batch is skipped, as in PyTorch).
/// Moments are float32. Weights of a lower precision (bf16) get a float32 master copy that takes the updates and is cast
/// into the weight after each step: a bf16 weight alone would round away updates smaller than 2⁻⁹ of itself.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly IReadOnlyList<Slot> slots;
    private readonly OptimizerSpec spec;

    private sealed class Slot(string name, Parameter parameter, bool decay)
    {
        public string Name { get; } = name;
        public Parameter Parameter { get; } = parameter;
        public bool Decay { get; } = decay;
        public Tensor ExpAvg { get; } = zeros_like(parameter, dtype: ScalarType.Float32).DetachFromDisposeScope();
        public Tensor ExpAvgSq { get; } = zeros_like(parameter, dtype: ScalarType.Float32).DetachFromDisposeScope();
        public Tensor? Master { get; } = parameter.dtype == ScalarType.Float32 ? null : parameter.detach().to(ScalarType.Float32).DetachFromDisposeScope();
        public long Steps { get; set; }
    }

    public AdamW(IReadOnlyList<(string Name, Parameter Parameter)> parameters, OptimizerSpec spec)
    {
        if (spec.Type != OptimizerKind.AdamW) throw new ArgumentException($"optimizer {spec.Type} is not implemented");
        this.spec = spec;
        using var _ = no_grad();
        slots = parameters.Select(p => new Slot(p.Name, p.Parameter, Decays(p.Parameter))).ToList();
    }

    /// <summary>Weight decay applies to weight matrices and embeddings, not to norm weights and biases (1-D).</summary>
    public static bool Decays(Tensor parameter) => parameter.dim() >= 2;

    public IEnumerable<Parameter> Parameters => slots.Select(s => s.Parameter);

    /// <summary>Names of the parameters that decay (for tests and logs).</summary>
    public IEnumerable<string> Decaying => slots.Where(s => s.Decay).Select(s => s.Name);

    /// <summary>One update at learning rate <paramref name="lr"/> from the parameters' gradients.</summary>
    public void Step(double lr)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        double b1 = spec.Beta1, b2 = spec.Beta2;
        foreach (var s in slots)
        {
            if (s.Parameter.grad is not { } gradient) continue;
            var g = gradient.dtype == ScalarType.Float32 ? gradient : gradient.to(ScalarType.Float32);
            var theta = s.Master ?? s.Parameter;
            s.Steps++;
            if (s.Decay && spec.WeightDecay != 0) theta.mul_(1 - lr * spec.WeightDecay);
            s.ExpAvg.mul_(b1).add_(g, alpha: 1 - b1);
            s.ExpAvgSq.mul_(b2).addcmul_(g, g, value: 1 - b2);
            var correction1 = 1 - Math.Pow(b1, s.Steps);
            var correction2 = 1 - Math.Pow(b2, s.Steps);
            var denominator = (s.ExpAvgSq.sqrt() / Math.Sqrt(correction2)).add_(spec.Epsilon);
            theta.addcdiv_(s.ExpAvg, denominator, value: -lr / correction1);
            if (s.Master is not null) s.Parameter.copy_(s.Master);
        }
    }

    /// <summary>Drops the gradients (to none, so an unused parameter is skipped next step exactly as after a restart).</summary>
    public void ZeroGrad()
    {
        foreach (var s in slots) s.Parameter.grad = null;
    }

    /// <summary>The state tensors by name (<c>exp_avg.P</c>, <c>exp_avg_sq.P</c>, <c>master.P</c>) and the step counts.</summary>
    public (IReadOnlyList<KeyValuePair<string, Tensor>> Tensors, IReadOnlyDictionary<string, long> Steps) State()
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var s in slots)
        {
            tensors.Add(new("exp_avg." + s.Name, s.ExpAvg));
            tensors.Add(new("exp_avg_sq." + s.Name, s.ExpAvgSq));
            if (s.Master is not null) tensors.Add(new("master." + s.Name, s.Master));
        }
        return (tensors, slots.ToDictionary(s => s.Name, s => s.Steps, StringComparer.Ordinal));
    }

    /// <summary>Restores the state written by <see cref="State"/>; <paramref name="read"/> copies a named tensor into its argument.</summary>
    public void Load(Action<string, Tensor> read, IReadOnlyDictionary<string, long> steps)
    {
        using var _ = no_grad();
        foreach (var s in slots)
        {
            read("exp_avg." + s.Name, s.ExpAvg);
            read("exp_avg_sq." + s.Name, s.ExpAvgSq);
            if (s.Master is not null) read("master." + s.Name, s.Master);
            s.Steps = steps.TryGetValue(s.Name, out var n) ? n : throw new InvalidDataException($"the optimizer state has no step count for {s.Name}");
        }
    }

    public void Dispose()
    {
        foreach (var s in slots)
        {
            s.ExpAvg.Dispose();
            s.ExpAvgSq.Dispose();
            s.Master?.Dispose();
        }
    }
}
