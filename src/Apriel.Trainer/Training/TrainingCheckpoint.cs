using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Model;
using Apriel.Trainer.Tokenization;
using static TorchSharp.torch;

namespace Apriel.Trainer.Training;

/// <summary>
/// A resumable checkpoint directory: the model as Hugging Face lays it out (<c>config.json</c>, safetensors; loadable by
/// <see cref="ModelCheckpoint"/> and averaged by merges), the tokenizer files, <c>optimizer.safetensors</c> (AdamW moments
/// and master weights, float32) and <c>trainer_state.json</c> (<see cref="TrainerState"/>).
/// </summary>
public static class TrainingCheckpoint
{
    public const string OptimizerFile = "optimizer.safetensors";

    public static void Write(string directory, VisionLanguageModel model, AdamW optimizer, TrainerState state, ITokenizer tokenizer, string? tokenizerSource)
    {
        WriteModel(directory, model, state, tokenizer, tokenizerSource);
        SafetensorsWriter.Write(Path.Combine(directory, OptimizerFile), optimizer.State().Tensors);
    }

    /// <summary>A model directory (the final model): the weights, the tokenizer files and <c>trainer_state.json</c>, without the optimizer.</summary>
    public static void WriteModel(string directory, VisionLanguageModel model, TrainerState state, ITokenizer tokenizer, string? tokenizerSource)
    {
        ModelCheckpoint.Save(model, directory);
        TokenizerFiles.Save(tokenizer, directory, tokenizerSource);
        File.WriteAllText(Path.Combine(directory, TrainerState.FileName), state.ToJson());
    }

    /// <summary>The trainer state of a checkpoint (nothing else is read).</summary>
    public static TrainerState ReadState(string directory)
    {
        var path = Path.Combine(directory, TrainerState.FileName);
        if (!File.Exists(path)) throw new CheckpointException(directory, $"no {TrainerState.FileName}: not a resumable checkpoint");
        return TrainerState.FromJson(File.ReadAllText(path), path);
    }

    /// <summary>Restores the optimizer and torch's generator from a checkpoint (the model is loaded from it separately).</summary>
    public static void RestoreOptimizer(string directory, AdamW optimizer, TrainerState state)
    {
        using var file = SafetensorsFile.Open(Path.Combine(directory, OptimizerFile));
        optimizer.Load((name, target) => file.ReadInto(name, target), state.OptimizerSteps);
        using var rng = tensor(Convert.FromBase64String(state.TorchRngState));
        random.set_rng_state(rng);
    }

    /// <summary>torch's default generator state as base64.</summary>
    public static string TorchRngState()
    {
        using var state = random.get_rng_state();
        return Convert.ToBase64String(state.data<byte>().ToArray());
    }
}
