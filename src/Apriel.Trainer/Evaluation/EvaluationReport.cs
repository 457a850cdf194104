using System.Text.Json;
using System.Text.Json.Serialization;

namespace Apriel.Trainer.Evaluation;

/// <summary>One example of a set in a report: the question, the expected answer and the answers before and after training.</summary>
public sealed record EvalExample(string Prompt, string Expected, string? Before, string? After);

/// <summary>A set's accuracy (0..1) before and after training; <c>before</c> is null when the run resumed without it.</summary>
public sealed record EvalSetReport(string Name, int Samples, double? Before, double? After, IReadOnlyList<EvalExample> Examples);

/// <summary>
/// <c>evaluation.json</c> in a run's directory:
/// <c>{"sets": [{"name", "samples", "before", "after", "examples": [{"prompt", "expected", "before", "after"}]}]}</c>.
/// </summary>
public sealed record EvaluationReport(IReadOnlyList<EvalSetReport> Sets)
{
    public const string FileName = "evaluation.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The report of the sets scored after training, each paired by name with its score before (when there is one).</summary>
    public static EvaluationReport Of(IReadOnlyList<EvalSetResult> before, IReadOnlyList<EvalSetResult> after) => new([.. after.Select(a =>
    {
        var b = before.FirstOrDefault(x => x.Name == a.Name);
        var examples = a.Examples.Select((x, i) => new EvalExample(x.Question, x.Expected, b?.Examples.ElementAtOrDefault(i)?.Answer, x.Answer));
        return new EvalSetReport(a.Name, a.Samples, b?.Accuracy, a.Accuracy, [.. examples]);
    })]);

    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    public static EvaluationReport FromJson(string json, string source) =>
        JsonSerializer.Deserialize<EvaluationReport>(json, Json) ?? throw new InvalidDataException($"{source}: empty evaluation report");
}
