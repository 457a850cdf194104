using Apriel.Trainer.Evaluation;

namespace Apriel.Trainer.Tests.Evaluation;

public sealed class AnswerScoringTests
{
    [Theory]
    [InlineData("3 + 4 = 7.\n[BEGIN FINAL RESPONSE]\n7\n[END FINAL RESPONSE]\n<|end|>\n", "7")] // reasoning, then the marked answer
    [InlineData("3\n<|end|>\n", "3")]                                                      // no reasoning: the turn is the answer
    [InlineData("So 12.\n[BEGIN FINAL RESPONSE]\n 12 ", "12")]                               // cut off before the closing marker
    [InlineData("A: 2, B: 1\n<|end|>\n<|user|>\nmore", "A: 2, B: 1")]                      // nothing after the end of the turn counts
    [InlineData("Ones: 3 + 4 = 7. Tens: 1 + 2", "Ones: 3 + 4 = 7. Tens: 1 + 2")]              // ran out of tokens mid-reasoning
    [InlineData("", "")]
    public void Should_extract_the_final_answer(string response, string answer) =>
        Assert.Equal(answer, AnswerScoring.FinalAnswer(response));

    [Theory]
    [InlineData("Yes.", "yes")]
    [InlineData("  A:\t2,\n B: 1 ", "a: 2, b: 1")]
    [InlineData("576", "576")]
    [InlineData("3 .", "3")]
    public void Should_normalise_case_whitespace_and_a_final_full_stop(string answer, string normalised) =>
        Assert.Equal(normalised, AnswerScoring.Normalize(answer));

    [Theory]
    [InlineData("7", "7", true)]
    [InlineData("Yes", "yes.", true)]
    [InlineData("7", "17", false)]
    [InlineData("7", "7 apples", false)]
    [InlineData("42", "", false)]
    public void Should_match_exactly_after_normalising(string expected, string answer, bool match) =>
        Assert.Equal(match, AnswerScoring.Matches(expected, answer));
}
