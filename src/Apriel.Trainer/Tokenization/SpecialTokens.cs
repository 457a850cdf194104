namespace Apriel.Trainer.Tokenization;

/// <summary>
/// Tekken's fixed control tokens (apriel-recipe.md §C): ids 0..19 have these spellings in every Mistral Tekken
/// vocabulary; the rest of the control range is <c>&lt;SPECIAL_{id}&gt;</c>.
/// </summary>
public static class SpecialTokens
{
    public const int Unk = 0, Bos = 1, Eos = 2, Image = 10, Pad = 11, ImageBreak = 12, ImageEnd = 13;

    public static readonly IReadOnlyList<string> Fixed =
    [
        "<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]",
        "[/TOOL_RESULTS]", "[TOOL_CALLS]", "[IMG]", "<pad>", "[IMG_BREAK]", "[IMG_END]", "[PREFIX]", "[MIDDLE]",
        "[SUFFIX]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]", "[TOOL_CONTENT]",
    ];

    /// <summary>The spelling of control id <paramref name="id"/>.</summary>
    public static string Name(int id) => id < Fixed.Count ? Fixed[id] : $"<SPECIAL_{id}>";
}
