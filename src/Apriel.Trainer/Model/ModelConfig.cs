using System.Text.Json;
using System.Text.Json.Serialization;

namespace Apriel.Trainer.Model;

/// <summary>
/// A Pixtral-architecture vision-language model as Hugging Face describes it: the <c>config.json</c> of a
/// <c>LlavaForConditionalGeneration</c> with a Pixtral <see cref="VisionConfig"/> and a Mistral
/// <see cref="TextConfig"/> (apriel-recipe.md §B). Every size is a value here; the checks and the values derived
/// from several fields are in this one file (<see cref="Validate"/>).
/// <code>
///   pixels -> vision_tower (patch conv, ln_pre, N x [RMSNorm, 2D-RoPE attention per image, RMSNorm, gated MLP])
///          -> multi_modal_projector (linear_1, GELU, linear_2)  -> replaces the [IMG] token embeddings
///   tokens -> language_model (embed_tokens, L x [RMSNorm, GQA + RoPE, RMSNorm, SwiGLU], norm, lm_head)
/// </code>
/// </summary>
public sealed record ModelConfig
{
    /// <summary>The file name of a model configuration in a checkpoint directory.</summary>
    public const string FileName = "config.json";

    [JsonPropertyName("architectures")] public IReadOnlyList<string> Architectures { get; init; } = ["LlavaForConditionalGeneration"];
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "llava";

    [JsonPropertyName("text_config")] public TextConfig Text { get; init; } = new();
    [JsonPropertyName("vision_config")] public VisionConfig Vision { get; init; } = new();

    // ---- how the two towers meet ----
    /// <summary>The id of <c>[IMG]</c>: its positions receive the projected vision features, in order.</summary>
    [JsonPropertyName("image_token_index")] public int ImageTokenIndex { get; init; } = 32000;
    [JsonPropertyName("projector_hidden_act")] public string ProjectorHiddenAct { get; init; } = "gelu";
    [JsonPropertyName("multimodal_projector_bias")] public bool MultimodalProjectorBias { get; init; } = true;
    /// <summary>Which vision layer feeds the projector: only -1 (the last layer; Pixtral) is supported.</summary>
    [JsonPropertyName("vision_feature_layer")] public int VisionFeatureLayer { get; init; } = -2;
    /// <summary>"full": every patch (Pixtral has no CLS token). "default" would drop the first one.</summary>
    [JsonPropertyName("vision_feature_select_strategy")] public string VisionFeatureSelectStrategy { get; init; } = "default";
    [JsonPropertyName("image_seq_length")] public int ImageSeqLength { get; init; } = 1;
    [JsonPropertyName("ignore_index")] public int IgnoreIndex { get; init; } = -100;
    [JsonPropertyName("torch_dtype")] public string? TorchDtype { get; init; } = "bfloat16";

    /// <summary>Keys we do not model (e.g. <c>transformers_version</c>), kept so that a config round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }

    // ---- derived values ----

    /// <summary>The [IMG_BREAK] id (Tekken's fixed control id 12; the HF config does not carry it).</summary>
    [JsonIgnore] public int ImageBreakTokenId { get; init; } = 12;

    /// <summary>The [IMG_END] id (Tekken's fixed control id 13).</summary>
    [JsonIgnore] public int ImageEndTokenId { get; init; } = 13;

    /// <summary>Activations the modules implement, by their Hugging Face <c>ACT2FN</c> names.</summary>
    public static readonly IReadOnlySet<string> SupportedActivations = new HashSet<string>(StringComparer.Ordinal) { "silu", "gelu" };

    /// <summary>Every problem of this configuration, empty when the model can be built from it.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Check(bool ok, string problem)
        {
            if (!ok) problems.Add(problem);
        }

        var t = Text;
        Check(t.VocabSize > 0, $"text_config.vocab_size must be > 0 (is {t.VocabSize})");
        Check(t.HiddenSize > 0, $"text_config.hidden_size must be > 0 (is {t.HiddenSize})");
        Check(t.IntermediateSize > 0, $"text_config.intermediate_size must be > 0 (is {t.IntermediateSize})");
        Check(t.NumHiddenLayers > 0, $"text_config.num_hidden_layers must be > 0 (is {t.NumHiddenLayers})");
        Check(t.NumAttentionHeads > 0, $"text_config.num_attention_heads must be > 0 (is {t.NumAttentionHeads})");
        Check(t.NumKeyValueHeads > 0 && t.NumAttentionHeads % Math.Max(1, t.NumKeyValueHeads) == 0,
            $"text_config.num_attention_heads ({t.NumAttentionHeads}) must be a multiple of num_key_value_heads ({t.NumKeyValueHeads})");
        Check(t.HeadDimOverride is not null || (t.NumAttentionHeads > 0 && t.HiddenSize % t.NumAttentionHeads == 0),
            $"text_config.hidden_size ({t.HiddenSize}) must be a multiple of num_attention_heads ({t.NumAttentionHeads}) unless head_dim is set");
        Check(t.NumAttentionHeads > 0 && t.HeadDim > 0 && t.HeadDim % 2 == 0, $"text_config.head_dim must be even and > 0 for RoPE (is {(t.NumAttentionHeads > 0 ? t.HeadDim : 0)})");
        Check(t.RopeTheta > 0, $"text_config.rope_theta must be > 0 (is {t.RopeTheta})");
        Check(t.RmsNormEps > 0, $"text_config.rms_norm_eps must be > 0 (is {t.RmsNormEps})");
        Check(t.HiddenAct == "silu", $"text_config.hidden_act must be \"silu\" (SwiGLU), is \"{t.HiddenAct}\"");
        Check(t.SlidingWindow is null, $"text_config.sliding_window must be null (sliding-window attention is not implemented), is {t.SlidingWindow}");
        Check(t.MaxPositionEmbeddings > 0, $"text_config.max_position_embeddings must be > 0 (is {t.MaxPositionEmbeddings})");

        var v = Vision;
        Check(v.HiddenSize > 0, $"vision_config.hidden_size must be > 0 (is {v.HiddenSize})");
        Check(v.IntermediateSize > 0, $"vision_config.intermediate_size must be > 0 (is {v.IntermediateSize})");
        Check(v.NumHiddenLayers > 0, $"vision_config.num_hidden_layers must be > 0 (is {v.NumHiddenLayers})");
        Check(v.NumAttentionHeads > 0, $"vision_config.num_attention_heads must be > 0 (is {v.NumAttentionHeads})");
        Check(v.NumAttentionHeads > 0 && v.HeadDim * v.NumAttentionHeads == v.HiddenSize,
            $"vision_config: num_attention_heads ({v.NumAttentionHeads}) x head_dim must equal hidden_size ({v.HiddenSize})");
        Check(v.NumAttentionHeads > 0 && v.HeadDim % 4 == 0,
            $"vision_config.head_dim must be a multiple of 4 for 2D RoPE (is {(v.NumAttentionHeads > 0 ? v.HeadDim : 0)})");
        Check(v.NumChannels > 0, $"vision_config.num_channels must be > 0 (is {v.NumChannels})");
        Check(v.PatchSize > 0 && v.ImageSize >= v.PatchSize && v.ImageSize % Math.Max(1, v.PatchSize) == 0,
            $"vision_config.image_size ({v.ImageSize}) must be a positive multiple of patch_size ({v.PatchSize})");
        Check(SupportedActivations.Contains(v.HiddenAct),
            $"vision_config.hidden_act \"{v.HiddenAct}\" is not supported (one of: {string.Join(", ", SupportedActivations)})");
        Check(v.RopeTheta > 0, $"vision_config.rope_theta must be > 0 (is {v.RopeTheta})");

        Check(SupportedActivations.Contains(ProjectorHiddenAct),
            $"projector_hidden_act \"{ProjectorHiddenAct}\" is not supported (one of: {string.Join(", ", SupportedActivations)})");
        Check(VisionFeatureLayer == -1, $"vision_feature_layer must be -1 (the last vision layer, as in Pixtral), is {VisionFeatureLayer}");
        Check(VisionFeatureSelectStrategy == "full", $"vision_feature_select_strategy must be \"full\" (Pixtral has no CLS token), is \"{VisionFeatureSelectStrategy}\"");
        foreach (var (name, id) in new[] { ("image_token_index", ImageTokenIndex), ("[IMG_BREAK]", ImageBreakTokenId), ("[IMG_END]", ImageEndTokenId) })
            Check(id >= 0 && id < t.VocabSize, $"{name} ({id}) must be a token id below text_config.vocab_size ({t.VocabSize})");
        return problems;
    }

    /// <summary>Throws <see cref="ModelConfigException"/> listing every problem; returns this config when there is none.</summary>
    public ModelConfig Validate(string? source = null)
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ModelConfigException(source, problems);
        return this;
    }

    // ---- JSON ----

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Parses and validates a <c>config.json</c> text.</summary>
    public static ModelConfig FromJson(string json, string? source = null)
    {
        ModelConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<ModelConfig>(json, Json);
        }
        catch (JsonException e)
        {
            throw new ModelConfigException(source, [$"not a valid config.json: {e.Message}"]);
        }
        if (config is null) throw new ModelConfigException(source, ["config.json is null"]);
        return config.Validate(source);
    }

    /// <summary>The <c>config.json</c> text (indented, as transformers writes it).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    /// <summary>Reads a config from a <c>config.json</c> file or from a checkpoint directory holding one.</summary>
    public static ModelConfig Load(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file)) throw new ModelConfigException(file, ["file not found"]);
        return FromJson(File.ReadAllText(file), file);
    }

    /// <summary>Writes <c>config.json</c> into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, FileName), ToJson());
    }
}

/// <summary>A model configuration that cannot be used, with every problem found.</summary>
public sealed class ModelConfigException(string? source, IReadOnlyList<string> problems)
    : Exception($"{source ?? "model config"}: {string.Join("; ", problems)}")
{
    /// <summary>The file (or other source) the configuration came from, when known.</summary>
    public string? ConfigPath { get; } = source;
    public IReadOnlyList<string> Problems { get; } = problems;
}
