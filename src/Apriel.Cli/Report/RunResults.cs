using System.Text.Json;
using System.Text.Json.Serialization;

namespace Apriel.Cli.Report;

/// <summary>
/// The report's view of <c>trainer_state.json</c> (<see cref="Trainer.Training.TrainerState"/>, Hugging Face's convention):
/// only the loss of every step, read leniently so a file of an older or newer trainer still gives its curve.
/// </summary>
public sealed record TrainerState
{
    /// <summary>File name in a model directory.</summary>
    public const string FileName = Trainer.Training.TrainerState.FileName;

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
