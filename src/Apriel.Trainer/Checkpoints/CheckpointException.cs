namespace Apriel.Trainer.Checkpoints;

/// <summary>
/// A checkpoint file that cannot be used: truncated, corrupt, or not the model it should be. The message names the
/// file and the first problem found. Raised before any tensor is handed to native code.
/// </summary>
public sealed class CheckpointException(string path, string problem) : Exception($"{path}: {problem}")
{
    /// <summary>The file (or directory) at fault.</summary>
    public string FilePath { get; } = path;

    /// <summary>The first problem found, without the path.</summary>
    public string Problem { get; } = problem;
}
