using System.Text.Json.Serialization;

namespace Apriel.Trainer.Training;

/// <summary>
/// One optimizer step in <c>trainer_state.json</c>'s <c>log_history</c> (Hugging Face's names): the step, its mean loss
/// per loss token, its learning rate, and the tokens (packed positions) seen once it is done. Floats keep a long history
/// small.
/// </summary>
public readonly record struct LogEntry(
    [property: JsonPropertyName("step")] long Step,
    [property: JsonPropertyName("loss")] float Loss,
    [property: JsonPropertyName("learning_rate")] float LearningRate,
    [property: JsonPropertyName("tokens")] long Tokens);
