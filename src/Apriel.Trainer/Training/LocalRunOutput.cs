using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;

namespace Apriel.Trainer.Training;

/// <summary>
/// A run directory on a local disk. Staged directories are under <c>.staging/</c> of the run directory, and committing
/// is a rename into place (atomic on one file system): a directory under <c>checkpoints/</c> or <c>model/</c> is always
/// complete. (It writes no MANIFEST.json; the artifact store's commit protocol is what adds one.)
/// </summary>
public sealed class LocalRunOutput : IRunOutput
{
    private const string StagingDirectory = ".staging";

    public LocalRunOutput(string directory)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    private string CheckpointPath(long step) => Path.Combine(Directory, ArtifactLayout.Checkpoint(step).TrimEnd('/'));

    private string ModelPath => Path.Combine(Directory, ArtifactLayout.Model.TrimEnd('/'));

    public string Stage(string name)
    {
        var path = Path.Combine(Directory, StagingDirectory, name);
        if (System.IO.Directory.Exists(path)) System.IO.Directory.Delete(path, recursive: true);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    public void CommitCheckpoint(string staged, long step) => MoveInto(staged, CheckpointPath(step));

    public IReadOnlyList<long> Checkpoints()
    {
        var root = Path.Combine(Directory, "checkpoints");
        if (!System.IO.Directory.Exists(root)) return [];
        return System.IO.Directory.EnumerateDirectories(root, "step-*")
            .Select(d => long.TryParse(Path.GetFileName(d)["step-".Length..], out var step) ? step : -1)
            .Where(s => s >= 0).Order().ToList();
    }

    public string OpenCheckpoint(long step) =>
        System.IO.Directory.Exists(CheckpointPath(step)) ? CheckpointPath(step) : throw new DirectoryNotFoundException($"no checkpoint at step {step} in {Directory}");

    public void DeleteCheckpoint(long step)
    {
        if (System.IO.Directory.Exists(CheckpointPath(step))) System.IO.Directory.Delete(CheckpointPath(step), recursive: true);
    }

    public void CommitModel(string staged)
    {
        MoveInto(staged, ModelPath);
        System.IO.Directory.Delete(Path.Combine(Directory, StagingDirectory), recursive: true); // the run is complete
    }

    public bool HasModel => File.Exists(Path.Combine(ModelPath, "config.json"));

    public void WriteProgress(Progress progress)
    {
        var path = Path.Combine(Directory, ArtifactLayout.Progress);
        File.WriteAllText(path + ".partial", JsonSerializer.Serialize(progress, ApiJson.Options) + "\n");
        File.Move(path + ".partial", path, overwrite: true);
    }

    private static void MoveInto(string staged, string target)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (System.IO.Directory.Exists(target)) System.IO.Directory.Delete(target, recursive: true);
        System.IO.Directory.Move(staged, target);
    }
}
