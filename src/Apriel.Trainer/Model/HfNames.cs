namespace Apriel.Trainer.Model;

/// <summary>
/// The two generations of Hugging Face LLaVA tensor names. transformers before 4.52 (and the Pixtral-12B conversions
/// on the Hub: mistral-community/pixtral-12b, unsloth/Pixtral-12B-Base-2409) write the <b>canonical</b> one below;
/// newer transformers renames on load and writes <c>model.language_model.*</c>, <c>model.vision_tower.*</c>,
/// <c>model.multi_modal_projector.*</c> and a top-level <c>lm_head.*</c>. We read both and <b>write the canonical
/// one</b>: every transformers version and vLLM load it. Module field names follow it, so a state-dict key is a
/// checkpoint key.
/// </summary>
public static class HfNames
{
    public const string LanguageModel = "language_model.model.";
    public const string LmHead = "language_model.lm_head.";
    public const string VisionTower = "vision_tower.";
    public const string Projector = "multi_modal_projector.";

    private static readonly (string Newer, string Canonical)[] Renames =
    [
        ("model.language_model.", LanguageModel),
        ("model.vision_tower.", VisionTower),
        ("model.multi_modal_projector.", Projector),
        ("lm_head.", LmHead),
    ];

    /// <summary>The canonical name of a checkpoint key of either generation.</summary>
    public static string ToCanonical(string name)
    {
        foreach (var (newer, canonical) in Renames)
        {
            if (name.StartsWith(newer, StringComparison.Ordinal)) return canonical + name[newer.Length..];
        }
        return name;
    }

    /// <summary>The newer generation's name of a canonical key.</summary>
    public static string ToNewer(string canonical)
    {
        foreach (var (newer, c) in Renames)
        {
            if (canonical.StartsWith(c, StringComparison.Ordinal)) return newer + canonical[c.Length..];
        }
        return canonical;
    }
}
