using System.Text.RegularExpressions;
using Apriel.Trainer.Tokenization;

namespace Apriel.Trainer.Evaluation;

/// <summary>
/// Exact-match scoring of a generated response against an expected final answer: the response is cut at the end of the
/// assistant turn, its final answer is the text between the final-response markers when they are there (else the whole
/// turn), and both sides are compared normalised (case, runs of whitespace, a trailing full stop).
/// </summary>
public static partial class AnswerScoring
{
    /// <summary>What closes an assistant turn in the Apriel template; anything after it is not part of the answer.</summary>
    public const string TurnEnd = "<|end|>";

    /// <summary>The final answer of a generated response (special tokens already dropped).</summary>
    public static string FinalAnswer(string response)
    {
        var end = response.IndexOf(TurnEnd, StringComparison.Ordinal);
        return AprielChatTemplate.FinalAnswer(end < 0 ? response : response[..end]);
    }

    /// <summary>Lower case, whitespace runs as one space, trimmed, without a trailing full stop.</summary>
    public static string Normalize(string answer) => Whitespace().Replace(answer, " ").Trim().TrimEnd('.').TrimEnd().ToLowerInvariant();

    /// <summary>Whether an extracted answer matches the expected one.</summary>
    public static bool Matches(string expected, string answer) => Normalize(expected) == Normalize(answer);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
