using System.Globalization;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Model;

namespace Apriel.Trainer.Merging;

/// <summary>What the agreement check needs to know of one input: its configuration, tensors and tokenizer files.</summary>
/// <param name="Label">How messages name it, e.g. <c>input-1 (s3://…/model/)</c>.</param>
/// <param name="Config">Its <c>config.json</c>.</param>
/// <param name="Tensors">Canonical tensor name → header entry (shape and dtype).</param>
/// <param name="TokenizerFiles">Tokenizer file path → sha256, as its manifest records them.</param>
public sealed record InputSummary(string Label, ModelConfig Config, IReadOnlyDictionary<string, SafetensorsEntry> Tensors,
    IReadOnlyDictionary<string, string> TokenizerFiles);

/// <summary>
/// Whether the inputs of a merge can be merged: the same architecture (the fields of <c>config.json</c> that shape the
/// weights or change what they compute), the same tensors (names, shapes, dtypes) and the same tokenizer files. Every
/// input is compared with the first; the first disagreement is reported with both sources. Passthrough stacks layers,
/// so there the decoder depth may differ and tensors are compared per layer kind (<c>layers.*.mlp.up_proj.weight</c>).
/// </summary>
public static class InputAgreement
{
    /// <summary>The first disagreement between <paramref name="inputs"/>, as a message; null when they agree.</summary>
    public static string? FirstDisagreement(IReadOnlyList<InputSummary> inputs, bool passthrough)
    {
        var first = inputs[0];
        var fields = Architecture(first.Config, passthrough);
        var tensors = TensorKinds(first, passthrough);
        foreach (var other in inputs.Skip(1))
        {
            foreach (var ((field, a), (_, b)) in fields.Zip(Architecture(other.Config, passthrough)))
            {
                if (a != b) return $"config.json {field} is {a} in {first.Label} but {b} in {other.Label}";
            }
            if (Compare("tensor", tensors, TensorKinds(other, passthrough), first.Label, other.Label) is { } tensorProblem) return tensorProblem;
            if (Compare("tokenizer file", Hashes(first), Hashes(other), first.Label, other.Label) is { } fileProblem) return fileProblem;
        }
        return null;
    }

    static string? Compare(string what, IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b, string labelA, string labelB)
    {
        foreach (var (name, value) in a.OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            if (!b.TryGetValue(name, out var other)) return $"{what} \"{name}\" is in {labelA} but not in {labelB}";
            if (value != other) return $"{what} \"{name}\" is {value} in {labelA} but {other} in {labelB}";
        }
        var extra = b.Keys.Where(k => !a.ContainsKey(k)).Order(StringComparer.Ordinal).FirstOrDefault();
        return extra is null ? null : $"{what} \"{extra}\" is in {labelB} but not in {labelA}";
    }

    static Dictionary<string, string> Hashes(InputSummary input) =>
        input.TokenizerFiles.ToDictionary(f => f.Key, f => "sha256 " + f.Value, StringComparer.Ordinal);

    /// <summary>Tensor name (or, for passthrough, layer kind) → "dtype shape".</summary>
    static Dictionary<string, string> TensorKinds(InputSummary input, bool passthrough)
    {
        var kinds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, entry) in input.Tensors)
        {
            var key = passthrough && LayerSlices.Parse(name) is { } layer ? $"{HfNames.LanguageModel}layers.*.{layer.Kind}" : name;
            kinds.TryAdd(key, $"{entry.DType} {entry.ShapeText}");
        }
        return kinds;
    }

    /// <summary>The architecture fields of a configuration, in a fixed order, as (JSON path, value).</summary>
    static List<(string Field, string Value)> Architecture(ModelConfig c, bool ignoreDepth)
    {
        var (t, v) = (c.Text, c.Vision);
        var fields = new List<(string, object?)>
        {
            ("architectures", string.Join(", ", c.Architectures)), ("model_type", c.ModelType),
            ("image_token_index", c.ImageTokenIndex), ("projector_hidden_act", c.ProjectorHiddenAct),
            ("multimodal_projector_bias", c.MultimodalProjectorBias), ("vision_feature_layer", c.VisionFeatureLayer),
            ("vision_feature_select_strategy", c.VisionFeatureSelectStrategy),
            ("text_config.model_type", t.ModelType), ("text_config.vocab_size", t.VocabSize), ("text_config.hidden_size", t.HiddenSize),
            ("text_config.intermediate_size", t.IntermediateSize), ("text_config.num_attention_heads", t.NumAttentionHeads),
            ("text_config.num_key_value_heads", t.NumKeyValueHeads), ("text_config.head_dim", t.HeadDim), ("text_config.hidden_act", t.HiddenAct),
            ("text_config.rms_norm_eps", t.RmsNormEps), ("text_config.rope_theta", t.RopeTheta), ("text_config.sliding_window", t.SlidingWindow),
            ("text_config.tie_word_embeddings", t.TieWordEmbeddings),
            ("vision_config.model_type", v.ModelType), ("vision_config.hidden_size", v.HiddenSize),
            ("vision_config.intermediate_size", v.IntermediateSize), ("vision_config.num_hidden_layers", v.NumHiddenLayers),
            ("vision_config.num_attention_heads", v.NumAttentionHeads), ("vision_config.head_dim", v.HeadDim),
            ("vision_config.num_channels", v.NumChannels), ("vision_config.image_size", v.ImageSize), ("vision_config.patch_size", v.PatchSize),
            ("vision_config.hidden_act", v.HiddenAct), ("vision_config.rope_theta", v.RopeTheta),
        };
        if (!ignoreDepth) fields.Add(("text_config.num_hidden_layers", t.NumHiddenLayers));
        return [.. fields.Select(f => (f.Item1, Convert.ToString(f.Item2, CultureInfo.InvariantCulture) ?? "null"))];
    }
}
