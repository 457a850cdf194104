using System.Text.Json;
using System.Text.Json.Serialization;
using Apriel.Trainer.Data;
using Apriel.Trainer.Evaluation;

namespace Apriel.Trainer.Training;

/// <summary>
/// <c>trainer_state.json</c> of a checkpoint and of the final model: everything besides tensors that resuming needs — steps
/// done, tokens seen, the schedule (checked against the resuming run), the optimizer's per-parameter step counts, the data
/// position and the torch generator's state — the run it belongs to, and what is measured along the way: the loss of
/// every step (<c>global_step</c> and <c>log_history</c>, as Hugging Face's Trainer writes them) and the evaluation of
/// the starting model.
/// </summary>
public sealed record TrainerState
{
    public const string FileName = "trainer_state.json";

    public required string RunId { get; init; }

    [JsonPropertyName("global_step")]
    public required long Step { get; init; }

    public required long TotalSteps { get; init; }
    public required long TokensSeen { get; init; }
    public required LearningRateSchedule Schedule { get; init; }
    public required DataPosition Data { get; init; }
    public required IReadOnlyDictionary<string, long> OptimizerSteps { get; init; }

    /// <summary>torch's default CPU generator state, base64 (training draws nothing from it today; kept so that anything that does resumes exactly).</summary>
    public required string TorchRngState { get; init; }

    /// <summary>One entry per step done, in order.</summary>
    [JsonPropertyName("log_history")]
    public required IReadOnlyList<LogEntry> LogHistory { get; init; }

    /// <summary>The evaluation sets' scores on the starting model (empty without sets).</summary>
    public IReadOnlyList<EvalSetResult> EvaluationBefore { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    public static TrainerState FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainerState>(json, Json) ?? throw new InvalidDataException($"{source}: empty trainer state");
        }
        catch (JsonException e)
        {
            // e.g. a checkpoint written before a required field existed: say which file, without a stack trace.
            throw new InvalidDataException($"{source}: not a trainer state ({e.Message})", e);
        }
    }
}
