using System.Globalization;
using System.Text.RegularExpressions;
using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Model;

namespace Apriel.Trainer.Merging;

/// <summary>
/// Passthrough's layer arithmetic: half-open decoder layer slices of one or more models, stacked in order and
/// renumbered from 0. [0, 24) + [16, 40) of a 40-layer model gives 48 layers: new i &lt; 24 is old i, new i ≥ 24 is
/// old i − 8.
/// </summary>
public static partial class LayerSlices
{
    /// <summary>Where each new layer comes from: (index of the input, its layer there), in new-layer order.</summary>
    public static IReadOnlyList<(int Input, int Layer)> Map(IReadOnlyList<LayerRange> slices) =>
        [.. slices.SelectMany((slice, input) => Enumerable.Range(slice.Start, slice.End - slice.Start).Select(layer => (input, layer)))];

    /// <summary>The first slice that is empty or reaches past its model's decoder, as a message; null when all fit.</summary>
    public static string? Problem(IReadOnlyList<LayerRange> slices, IReadOnlyList<int> layerCounts, IReadOnlyList<string> labels)
    {
        for (var i = 0; i < slices.Count; i++)
        {
            var (start, end) = (slices[i].Start, slices[i].End);
            if (start < 0 || start >= end) return $"{labels[i]}: layers [{start}, {end}) is empty: make start less than end (the range is half-open)";
            if (end > layerCounts[i]) return $"{labels[i]}: layers [{start}, {end}) reaches past its {layerCounts[i]} decoder layers";
        }
        return null;
    }

    /// <summary>The decoder layer a canonical tensor name belongs to, and the name within the layer (its kind, e.g. <c>mlp.up_proj.weight</c>); null for other tensors.</summary>
    public static (int Layer, string Kind)? Parse(string name)
    {
        var match = DecoderLayer().Match(name);
        return match.Success ? (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value) : null;
    }

    /// <summary>The canonical name of tensor <paramref name="kind"/> of decoder layer <paramref name="layer"/>.</summary>
    public static string Name(int layer, string kind) => $"{HfNames.LanguageModel}layers.{layer}.{kind}";

    [GeneratedRegex(@"^language_model\.model\.layers\.(\d+)\.(.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex DecoderLayer();
}
