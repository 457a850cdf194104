namespace Apriel.Trainer.Model;

/// <summary>
/// Named model configurations (the names a TrainingStage's <c>model: {init: NAME}</c> may use). The full-size ones
/// are also checked in as <c>examples/models/*.json</c>; a test keeps the two equal.
/// </summary>
public static class ModelPresets
{
    /// <summary>
    /// Pixtral-12B-Base as converted to Hugging Face LLaVA layout (mistral-community/pixtral-12b, unsloth): the values of
    /// apriel-recipe.md §B. <c>vision_config.hidden_act</c> is "silu", the reference activation (several copies say
    /// "gelu"; check the config of the weights you load).
    /// </summary>
    public static ModelConfig Pixtral12B { get; } = new()
    {
        ImageTokenIndex = 10,
        ProjectorHiddenAct = "gelu",
        MultimodalProjectorBias = true,
        VisionFeatureLayer = -1,
        VisionFeatureSelectStrategy = "full",
        ImageSeqLength = 1,
        TorchDtype = "bfloat16",
        Text = new TextConfig
        {
            VocabSize = 131072,
            HiddenSize = 5120,
            IntermediateSize = 14336,
            NumHiddenLayers = 40,
            NumAttentionHeads = 32,
            NumKeyValueHeads = 8,
            HeadDimOverride = 128,
            HiddenAct = "silu",
            MaxPositionEmbeddings = 1024000,
            RmsNormEps = 1e-5,
            RopeTheta = 1e9,
            SlidingWindow = null,
            TieWordEmbeddings = false,
            BosTokenId = 1,
            EosTokenId = 2,
        },
        Vision = new VisionConfig
        {
            HiddenSize = 1024,
            IntermediateSize = 4096,
            NumHiddenLayers = 24,
            NumAttentionHeads = 16,
            HeadDimOverride = 64,
            NumChannels = 3,
            ImageSize = 1024,
            PatchSize = 16,
            HiddenAct = "silu",
            RopeTheta = 10000.0,
        },
    };

    /// <summary>
    /// Apriel-1.5-15B's shape: Pixtral-12B with a 48-layer decoder (depth upscaling 40 → 48). Everything else as Pixtral
    /// (the released model's max_position_embeddings and vision hidden_act are UNCONFIRMED, apriel-recipe.md §B.6).
    /// </summary>
    public static ModelConfig Apriel15B { get; } = Pixtral12B with { Text = Pixtral12B.Text with { NumHiddenLayers = 48 } };

    /// <summary>
    /// The same architecture, small enough that a CPU trains it in minutes: a byte-level vocabulary (32 control ids, then
    /// the 256 bytes, padded to 512), a 4-layer decoder of width 64 with GQA (4 query heads over 2 key/value heads), and a
    /// 2-layer vision encoder of width 32 over 8-pixel patches of images up to 64 x 64.
    /// </summary>
    public static ModelConfig Tiny { get; } = new()
    {
        ImageTokenIndex = 10,
        ProjectorHiddenAct = "gelu",
        MultimodalProjectorBias = true,
        VisionFeatureLayer = -1,
        VisionFeatureSelectStrategy = "full",
        ImageSeqLength = 1,
        TorchDtype = "float32",
        Text = new TextConfig
        {
            VocabSize = 512,
            HiddenSize = 64,
            IntermediateSize = 192,
            NumHiddenLayers = 4,
            NumAttentionHeads = 4,
            NumKeyValueHeads = 2,
            HeadDimOverride = 16,
            HiddenAct = "silu",
            MaxPositionEmbeddings = 4096,
            RmsNormEps = 1e-5,
            RopeTheta = 10000.0,
            SlidingWindow = null,
            TieWordEmbeddings = false,
            BosTokenId = 1,
            EosTokenId = 2,
            PadTokenId = 11,
        },
        Vision = new VisionConfig
        {
            HiddenSize = 32,
            IntermediateSize = 64,
            NumHiddenLayers = 2,
            NumAttentionHeads = 2,
            HeadDimOverride = 16,
            NumChannels = 3,
            ImageSize = 64,
            PatchSize = 8,
            HiddenAct = "silu",
            RopeTheta = 10000.0,
        },
    };

    private static readonly Dictionary<string, ModelConfig> ByName = new(StringComparer.Ordinal)
    {
        ["tiny"] = Tiny,
        ["pixtral-12b"] = Pixtral12B,
        ["apriel-15b"] = Apriel15B,
    };

    /// <summary>The preset names.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>The preset of that name, or null.</summary>
    public static ModelConfig? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The preset of that name; throws <see cref="ArgumentException"/> listing the names when there is none.</summary>
    public static ModelConfig Get(string name) =>
        Find(name) ?? throw new ArgumentException($"unknown model preset \"{name}\" (one of: {string.Join(", ", Names)})", nameof(name));
}
