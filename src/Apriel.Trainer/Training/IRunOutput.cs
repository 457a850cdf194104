using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Evaluation;

namespace Apriel.Trainer.Training;

/// <summary>
/// Where a run's outputs go (<c>ArtifactLayout</c>: <c>checkpoints/step-NNNNNNN/</c>, <c>model/</c>, <c>progress.json</c>,
/// <c>evaluation.json</c>)
/// — where the artifact store plugs in. The trainer writes every checkpoint and model into a local staged directory and
/// then hands it over whole; <see cref="StoreRunOutput"/> uploads it with the commit protocol (files, then MANIFEST.json)
/// and downloads a checkpoint to resume from. Calls are synchronous; a checkpoint is committed when
/// <see cref="CommitCheckpoint"/> returns.
/// </summary>
public interface IRunOutput
{
    /// <summary>A fresh, empty local directory named <paramref name="name"/> to write into before committing.</summary>
    string Stage(string name);

    /// <summary>Commits a staged directory as the checkpoint after <paramref name="step"/> steps (replacing one of that step).</summary>
    void CommitCheckpoint(string staged, long step);

    /// <summary>Steps of the committed checkpoints, ascending.</summary>
    IReadOnlyList<long> Checkpoints();

    /// <summary>A local directory holding the committed checkpoint's files.</summary>
    string OpenCheckpoint(long step);

    void DeleteCheckpoint(long step);

    /// <summary>Commits a staged directory as the run's final model.</summary>
    void CommitModel(string staged);

    /// <summary>Whether the final model is committed (the run is complete).</summary>
    bool HasModel { get; }

    /// <summary>Replaces progress.json.</summary>
    void WriteProgress(Progress progress);

    /// <summary>Replaces evaluation.json.</summary>
    void WriteEvaluation(EvaluationReport report);
}
