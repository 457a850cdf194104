using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Trainer.Tests.Data;
using Apriel.Trainer.Training;

namespace Apriel.Trainer.Tests.Training;

/// <summary>The stages of examples/tiny as tasks over the tests' generated data, shrunk to a few steps.</summary>
internal static class TinyStages
{
    public static TrainingStageSpec Spec(string file)
    {
        var path = Path.Combine(TestPaths.RepoRoot, "examples", "tiny", file);
        var manifests = ManifestReader.Read(File.ReadAllText(path), path);
        Assert.Empty(manifests.Problems);
        return manifests.Manifests.Select(m => m.Resource).OfType<TrainingStage>().Single().Spec;
    }

    /// <summary>
    /// The stage's spec from a model of <paramref name="model"/> (or init tiny), with <paramref name="steps"/> steps, small
    /// batches and two samples per evaluation set.
    /// </summary>
    public static TrainingStageSpec Shrunk(string file, long steps, int batch = 4, string? model = null) => Spec(file) with
    {
        Evaluation = Spec(file).Evaluation?.Select(e => e with { Limit = 2 }).ToList(),
        Model = model is null ? new ModelSource { Init = "tiny" } : new ModelSource { Uri = "file://" + model },
        Budget = new BudgetSpec { Steps = steps },
        Batch = new BatchSpec { GlobalBatchSize = batch, MicroBatchSize = Math.Min(2, batch) },
    };

    public static TrainingTask Task(TrainingStageSpec spec, string output, string runId = "test-run", string? modelDirectory = null)
    {
        var root = "file://" + TestData.Root + "/";
        string Resolve(string uri) => Path.IsPathRooted(uri) ? uri : ArtifactLayout.Resolve(root, uri);
        var resolved = spec with
        {
            Data = spec.Data with { Sources = [.. spec.Data.Sources.Select(s => s with { Uri = Resolve(s.Uri) })] },
            Evaluation = spec.Evaluation?.Select(e => e with { Uri = Resolve(e.Uri) }).ToList(),
        };
        return new TrainingTask
        {
            Namespace = "default",
            Name = "stage",
            RunId = runId,
            Spec = resolved,
            Model = modelDirectory is null ? null : Input(modelDirectory),
            Output = "file://" + output + "/",
        };
    }

    /// <summary>A committed model directory (with its MANIFEST.json) as a task's model input, pinned to its digest.</summary>
    public static ResolvedInput Input(string modelDirectory) => new()
    {
        Role = "model",
        Source = "test",
        Uri = new Uri(modelDirectory + "/").AbsoluteUri,
        Digest = ArtifactDigest.Of(File.ReadAllBytes(Path.Combine(modelDirectory, ArtifactLayout.Manifest))),
    };

    /// <summary>Commits a plain model directory where it is (adds its MANIFEST.json), so that tasks can start from it.</summary>
    public static void Commit(string modelDirectory)
    {
        using var store = new LocalArtifactStore(Path.GetDirectoryName(modelDirectory)!);
        var lineage = new ArtifactLineage { Kind = "Test", Namespace = "default", Name = "test", RunId = "test" };
        new ArtifactCommitter(store).CommitAsync(modelDirectory, Path.GetFileName(modelDirectory) + "/", lineage).GetAwaiter().GetResult();
    }

    /// <summary>Runs a task as the trainer process does (outputs and inputs through the artifact store); returns the outcome and every step's result.</summary>
    public static (TrainingOutcome Outcome, List<StepResult> Steps) Run(TrainingTask task, CancellationToken stop = default, Action<StepResult>? afterStep = null,
        TextWriter? log = null)
    {
        var steps = new List<StepResult>();
        var outcome = TrainingRun.Run(task, new TrainingOptions { AfterStep = r => { steps.Add(r); afterStep?.Invoke(r); }, Log = log ?? TextWriter.Null }, stop);
        return (outcome, steps);
    }

    /// <summary>Steps of the task's committed checkpoints.</summary>
    public static IReadOnlyList<long> Checkpoints(TrainingTask task)
    {
        using var store = ArtifactStores.Open(task.Output);
        return new StoreRunOutput(store, task, scratch: Path.GetTempPath()).Checkpoints();
    }

    public static double Mean(IEnumerable<StepResult> steps) => steps.Average(s => s.Loss);
}
