using System.Text.Json;
using System.Text.Json.Serialization;

namespace Apriel.Cli.Report;

/// <summary>
/// <c>trainer_state.json</c> in a checkpoint or final model (Hugging Face's convention): the loss of every step.
/// </summary>
public sealed record TrainerState
{
    /// <summary>File name in a model directory.</summary>
    public const string FileName = "trainer_state.json";

    /// <summary>Steps trained.</summary>
    [JsonPropertyName("global_step")]
    public long GlobalStep { get; init; }

    /// <summary>One entry per step.</summary>
    [JsonPropertyName("log_history")]
    public List<LogEntry> LogHistory { get; init; } = [];

    /// <summary>One step's record.</summary>
    public sealed record LogEntry
    {
        /// <summary>The step.</summary>
        [JsonPropertyName("step")]
        public long Step { get; init; }

        /// <summary>Its mean loss.</summary>
        [JsonPropertyName("loss")]
        public double? Loss { get; init; }

        /// <summary>Its learning rate.</summary>
        [JsonPropertyName("learning_rate")]
        public double? LearningRate { get; init; }

        /// <summary>Tokens seen up to it.</summary>
        [JsonPropertyName("tokens")]
        public long? Tokens { get; init; }
    }

    /// <summary>The (step, loss) points of the history.</summary>
    public IReadOnlyList<(long Step, double Loss)> Losses =>
        [.. LogHistory.Where(e => e.Loss is { } l && double.IsFinite(l)).Select(e => (e.Step, e.Loss!.Value))];
}

/// <summary><c>evaluation.json</c> in a run directory: each eval set's accuracy before and after the stage.</summary>
public sealed record Evaluation
{
    /// <summary>File name in a run directory.</summary>
    public const string FileName = "evaluation.json";

    /// <summary>The eval sets.</summary>
    [JsonPropertyName("sets")]
    public List<EvalSet> Sets { get; init; } = [];

    /// <summary>One eval set's result.</summary>
    public sealed record EvalSet
    {
        /// <summary>Its name in the stage's spec.</summary>
        [JsonPropertyName("name")]
        public string Name { get; init; } = "";

        /// <summary>Samples scored.</summary>
        [JsonPropertyName("samples")]
        public int Samples { get; init; }

        /// <summary>Exact-match accuracy of the starting model.</summary>
        [JsonPropertyName("before")]
        public double? Before { get; init; }

        /// <summary>Exact-match accuracy of the trained model.</summary>
        [JsonPropertyName("after")]
        public double? After { get; init; }
    }
}

/// <summary>Reads the small JSON results the trainer leaves next to its artifacts.</summary>
public static class RunResultJson
{
    // A diverged run's loss is written "NaN"; that is a result to show, not a malformed file.
    static readonly JsonSerializerOptions Options = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString };

    /// <summary>The parsed file, or null when it is absent or not what it should be (a report never fails on one).</summary>
    public static T? Parse<T>(string? json) where T : class
    {
        if (json == null) return null;
        try { return JsonSerializer.Deserialize<T>(json, Options); }
        catch (JsonException) { return null; }
    }
}
