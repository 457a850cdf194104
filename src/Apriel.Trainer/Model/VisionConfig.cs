using System.Text.Json;
using System.Text.Json.Serialization;

namespace Apriel.Trainer.Model;

/// <summary>
/// The vision encoder's part of a Hugging Face LLaVA <c>config.json</c> (<c>vision_config</c>, a
/// <c>PixtralVisionConfig</c>). Defaults are transformers' <c>PixtralVisionConfig</c> defaults. Note that its
/// <c>hidden_act</c> default is "gelu" while the reference Pixtral weights were trained with SiLU: the value in the
/// file you load decides (apriel-recipe.md §B.2).
/// </summary>
public sealed record VisionConfig
{
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "pixtral";

    // ---- sizes ----
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 1024;
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 4096;
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 24;
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 16;
    [JsonPropertyName("head_dim")] public int? HeadDimOverride { get; init; }
    [JsonPropertyName("num_channels")] public int NumChannels { get; init; } = 3;

    // An image is at most image_size x image_size pixels, cut into patch_size x patch_size patches:
    // up to (image_size / patch_size)^2 patches, and the 2D RoPE table has that many rows and columns.
    [JsonPropertyName("image_size")] public int ImageSize { get; init; } = 1024;
    [JsonPropertyName("patch_size")] public int PatchSize { get; init; } = 16;

    // ---- behaviour ----
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "gelu";
    [JsonPropertyName("rope_theta")] public double RopeTheta { get; init; } = 10000.0;
    [JsonPropertyName("attention_dropout")] public double AttentionDropout { get; init; }
    [JsonPropertyName("initializer_range")] public double InitializerRange { get; init; } = 0.02;

    /// <summary>Keys we do not model, kept so that a config round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }

    /// <summary>Size of one attention head: the explicit <c>head_dim</c>, else hidden / heads.</summary>
    [JsonIgnore] public int HeadDim => HeadDimOverride ?? HiddenSize / NumAttentionHeads;

    /// <summary>Patches along one side of the largest image (64 for Pixtral): the 2D RoPE grid's width.</summary>
    [JsonIgnore] public int MaxPatchesPerSide => ImageSize / PatchSize;
}
