using System.Text;
using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Trainer.Evaluation;

namespace Apriel.Trainer.Training;

/// <summary>
/// A run directory in the artifact store (S3 or a local directory), with the commit protocol: each staged
/// checkpoint or model is uploaded file by file and committed by its MANIFEST.json, written last, with the
/// run's lineage. Resuming downloads a committed checkpoint and verifies every file's sha256. The store is
/// rooted at the run directory, so keys are <c>checkpoints/step-NNNNNNN/</c>, <c>model/</c>, <c>progress.json</c>,
/// <c>evaluation.json</c>.
/// </summary>
public sealed class StoreRunOutput(IArtifactStore run, TrainingTask task, string scratch) : IRunOutput
{
    readonly ArtifactCommitter _committer = new(run);
    readonly ArtifactReader _reader = new(run);

    /// <inheritdoc/>
    public string Stage(string name) => Fresh(Path.Combine(scratch, "staging", name));

    /// <inheritdoc/>
    public void CommitCheckpoint(string staged, long step) => Commit(staged, ArtifactLayout.Checkpoint(step), step);

    /// <inheritdoc/>
    public IReadOnlyList<long> Checkpoints() =>
        Wait(_reader.ListCommittedAsync("checkpoints/"))
            .Select(d => long.TryParse(d.TrimEnd('/')[(d.TrimEnd('/').LastIndexOf('-') + 1)..], out var step) ? step : -1)
            .Where(s => s >= 0).Order().ToList();

    /// <inheritdoc/>
    public string OpenCheckpoint(long step)
    {
        var local = Fresh(Path.Combine(scratch, "resume", $"step-{step:D7}"));
        Wait(_reader.DownloadAsync(ArtifactLayout.Checkpoint(step), local));
        return local;
    }

    /// <inheritdoc/>
    public void DeleteCheckpoint(long step) => Wait(run.DeleteDirectoryAsync(ArtifactLayout.Checkpoint(step)));

    /// <inheritdoc/>
    public void CommitModel(string staged) => Commit(staged, ArtifactLayout.Model, step: null);

    /// <inheritdoc/>
    public bool HasModel => Wait(_reader.IsCommittedAsync(ArtifactLayout.Model));

    /// <inheritdoc/>
    public void WriteProgress(Progress progress) => Wait(ProgressFile.WriteAsync(run, "", progress));

    /// <inheritdoc/>
    public void WriteEvaluation(EvaluationReport report) => Put(EvaluationReport.FileName, report.ToJson());

    void Put(string key, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        using var stream = new MemoryStream(bytes);
        Wait(run.PutAsync(key, stream, bytes.Length));
    }

    void Commit(string staged, string directory, long? step)
    {
        Wait(_committer.CommitAsync(staged, directory, new ArtifactLineage
        {
            Kind = TrainingStage.KindName, Namespace = task.Namespace, Name = task.Name, RunId = task.RunId, Step = step,
            Inputs = task.Model == null ? [] : [task.Model],
        }));
        Directory.Delete(staged, recursive: true);
    }

    static string Fresh(string path)
    {
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        Directory.CreateDirectory(path);
        return path;
    }

    // The training loop is synchronous; uploads happen between steps, so blocking here is what we want.
    static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    static void Wait(Task task) => task.GetAwaiter().GetResult();
}
