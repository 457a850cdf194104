using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Model;
using TorchSharp.Modules;

namespace Apriel.Trainer.Training;

/// <summary>
/// Component freezing: which of the vision encoder (<c>vision_tower.*</c>), projector (<c>multi_modal_projector.*</c>) and
/// decoder (<c>language_model.*</c>: embeddings, layers, final norm, LM head) a parameter belongs to, and turning gradients
/// on for the trained components only. A frozen parameter gets no gradient and the optimizer never sees it, so it stays
/// bit for bit what it was.
/// </summary>
public static class Components
{
    public static Component Of(string parameterName) =>
        parameterName.StartsWith(HfNames.VisionTower, StringComparison.Ordinal) ? Component.VisionEncoder
        : parameterName.StartsWith(HfNames.Projector, StringComparison.Ordinal) ? Component.Projector
        : parameterName.StartsWith("language_model.", StringComparison.Ordinal) ? Component.Decoder
        : throw new ArgumentException($"parameter \"{parameterName}\" belongs to no known component");

    /// <summary>Sets <c>requires_grad</c> by component; returns the trained parameters, in the model's order.</summary>
    public static IReadOnlyList<(string Name, Parameter Parameter)> Freeze(VisionLanguageModel model, IEnumerable<Component> train)
    {
        var trained = train.ToHashSet();
        var result = new List<(string, Parameter)>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            var on = trained.Contains(Of(name));
            parameter.requires_grad = on;
            if (on) result.Add((name, parameter));
        }
        if (result.Count == 0) throw new ArgumentException("no parameter is trained");
        return result;
    }
}
