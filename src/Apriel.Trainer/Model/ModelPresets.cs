namespace Apriel.Trainer.Model;

/// <summary>
/// Named model configurations (the names a TrainingStage's <c>model: {init: NAME}</c> may use), read from the
/// <c>examples/models/*.json</c> files embedded in the trainer.
/// </summary>
public static class ModelPresets
{
    /// <summary>
    /// Pixtral-12B-Base as converted to Hugging Face LLaVA layout (mistral-community/pixtral-12b, unsloth): the values of
    /// apriel-recipe.md §B. <c>vision_config.hidden_act</c> is "silu", the reference activation (several copies say
    /// "gelu"; check the config of the weights you load).
    /// </summary>
    public static ModelConfig Pixtral12B { get; } = Embedded("pixtral-12b-base.json");

    /// <summary>
    /// Apriel-1.5-15B's shape: Pixtral-12B with a 48-layer decoder (depth upscaling 40 → 48). Everything else as Pixtral
    /// (the released model's max_position_embeddings and vision hidden_act are UNCONFIRMED, apriel-recipe.md §B.6).
    /// </summary>
    public static ModelConfig Apriel15B { get; } = Embedded("apriel-15b-48l.json");

    /// <summary>
    /// The same architecture, small enough that a CPU trains it in minutes: a byte-level vocabulary (32 control ids, then
    /// the 256 bytes, padded to 512), a 4-layer decoder of width 64 with GQA (4 query heads over 2 key/value heads), and a
    /// 2-layer vision encoder of width 32 over 8-pixel patches of images up to 64 x 64.
    /// </summary>
    public static ModelConfig Tiny { get; } = Embedded("tiny.json");

    // The presets are the files of examples/models/, embedded at build time: one source for both.
    private static ModelConfig Embedded(string file)
    {
        using var stream = typeof(ModelPresets).Assembly.GetManifestResourceStream("presets/" + file)
            ?? throw new InvalidOperationException($"preset {file} is not embedded in the trainer");
        using var reader = new StreamReader(stream);
        return ModelConfig.FromJson(reader.ReadToEnd(), "examples/models/" + file);
    }

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
