using System.Text.Json;
using System.Text.Json.Serialization;
using Apriel.Trainer.Data;

namespace Apriel.Trainer.Training;

/// <summary>
/// <c>trainer_state.json</c> of a checkpoint: everything besides tensors that resuming needs — steps done, tokens seen, the
/// schedule (checked against the resuming run), the optimizer's per-parameter step counts, the data position and the torch
/// generator's state — and the run it belongs to.
/// </summary>
public sealed record TrainerState
{
    public const string FileName = "trainer_state.json";

    public required string RunId { get; init; }
    public required long Step { get; init; }
    public required long TotalSteps { get; init; }
    public required long TokensSeen { get; init; }
    public required LearningRateSchedule Schedule { get; init; }
    public required DataPosition Data { get; init; }
    public required IReadOnlyDictionary<string, long> OptimizerSteps { get; init; }

    /// <summary>torch's default CPU generator state, base64 (training draws nothing from it today; kept so that anything that does resumes exactly).</summary>
    public required string TorchRngState { get; init; }

    /// <summary>Mean loss of the last step, for the record.</summary>
    public double? Loss { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    public static TrainerState FromJson(string json, string source) =>
        JsonSerializer.Deserialize<TrainerState>(json, Json) ?? throw new InvalidDataException($"{source}: empty trainer state");
}
