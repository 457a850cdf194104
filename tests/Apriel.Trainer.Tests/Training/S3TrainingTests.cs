using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Testing;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Data;
using Apriel.Trainer.Data.Tiny;
using Apriel.Trainer.Model;
using Apriel.Trainer.Tests.Data;
using Apriel.Trainer.Training;

namespace Apriel.Trainer.Tests.Training;

/// <summary>
/// The trainer against s3rver: model input, data and outputs all in S3; the commit protocol from the trainer's side; an
/// upload that dies midway; corrupt or unpinned inputs refused before training.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class S3TrainingTests(S3Fixture fixture) : IAsyncLifetime, IDisposable
{
    private const string Run = "runs/default/stage/run1/";
    private const string Model = "models/base/";

    private readonly TempDir local = new();
    private S3Bucket bucket = null!;
    private ResolvedInput input = null!;

    /// <summary>A bucket holding the tiny data under datasets/tiny/ and a committed initialised tiny model under models/base/.</summary>
    public async Task InitializeAsync()
    {
        bucket = await S3Bucket.CreateAsync(fixture.Server);
        await bucket.UploadAsync(Path.Combine(TestData.Root, TinyDataset.Directory), TinyDataset.Directory + "/");
        var model = local.File("base");
        using (var initial = new VisionLanguageModel(ModelPresets.Tiny).Initialize(3)) ModelCheckpoint.Save(initial, model);
        using var store = bucket.Store();
        var committed = await new ArtifactCommitter(store).CommitAsync(model, Model,
            new ArtifactLineage { Kind = "Test", Namespace = "default", Name = "base", RunId = "base" });
        input = new ResolvedInput { Role = "model", Source = "uri", Uri = committed.Uri, Digest = committed.Digest };
    }

    public Task DisposeAsync() => System.Threading.Tasks.Task.CompletedTask;

    public void Dispose() => local.Dispose();

    private TrainingTask Task(long steps, ResolvedInput? model = null) => new()
    {
        Namespace = "default",
        Name = "stage",
        RunId = "run1",
        Model = model ?? input,
        Output = bucket.Root + Run,
        Spec = new TrainingStageSpec
        {
            Model = new ModelSource { Uri = (model ?? input).Uri },
            Train = [Component.Projector, Component.Decoder],
            Data = new DataSpec
            {
                SequenceLength = 128,
                Sources =
                [
                    new DataSource { Name = "text", Uri = $"{bucket.Root}{TinyDataset.Directory}/text.jsonl", Format = DataFormat.Text },
                    // Its images are referenced relative to the JSONL: they come from the bucket too.
                    new DataSource { Name = "captions", Uri = $"{bucket.Root}{TinyDataset.Directory}/captions.jsonl", Format = DataFormat.ImageText },
                ],
            },
            Optimizer = new OptimizerSpec { LearningRate = 1e-3 },
            Budget = new BudgetSpec { Steps = steps },
            Batch = new BatchSpec { GlobalBatchSize = 2 },
            Precision = DType.FP32,
            Checkpoints = new CheckpointSpec { Interval = 2, Retain = new RetainSpec { Last = 3 } },
            Seed = 5,
        },
    };

    private string WriteTask(TrainingTask task)
    {
        var file = local.File($"task-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, JsonSerializer.Serialize(task, ApiJson.Options));
        return file;
    }

    /// <summary>Runs a task in this process, with its output in <paramref name="store"/> and inputs read from the bucket.</summary>
    private TrainingOutcome RunInProcess(TrainingTask task, IArtifactStore store, List<long>? steps = null)
    {
        using var scratch = new TempDir();
        using var inputs = new InputFiles(scratch.Path, bucket.Open);
        return TrainingRun.Run(task, new StoreRunOutput(store, task, scratch.Path), inputs,
            new TrainingOptions { AfterStep = r => steps?.Add(r.Step) }, CancellationToken.None);
    }

    [Fact]
    public async Task Should_train_a_task_whose_model_data_and_output_are_all_in_s3()
    {
        var (code, output) = TrainerProcess.Run(WriteTask(Task(steps: 3)), bucket.Environment);

        Assert.True(code == ExitCodes.Ok, $"exit code {code}:\n{output}");
        using var run = bucket.Store(Run);
        var reader = new ArtifactReader(run);
        Assert.Equal(["checkpoints/step-0000002/"], await reader.ListCommittedAsync("checkpoints/"));
        Assert.NotNull(await run.GetSizeAsync(ArtifactLayout.Progress));
        var model = local.File("final");
        var committed = await reader.DownloadAsync(ArtifactLayout.Model, model);
        Assert.Equal([input], committed.Manifest.Lineage.Inputs);
        Assert.Equal(TrainingStage.KindName, committed.Manifest.Lineage.Kind);
        Assert.Equal("run1", committed.Manifest.Lineage.RunId);
        using var final = ModelCheckpoint.Load(model);
        Assert.Equal(ModelPresets.Tiny.Text.HiddenSize, final.Config.Text.HiddenSize);
    }

    [Fact]
    public async Task Should_commit_each_checkpoint_and_the_model_with_its_manifest_last_and_the_runs_lineage()
    {
        using var store = new InterceptingStore(bucket.Store(Run));

        Assert.Equal(TrainingOutcome.Completed, RunInProcess(Task(steps: 4), store));

        var puts = store.Puts;
        foreach (var directory in new[] { ArtifactLayout.Checkpoint(2), ArtifactLayout.Checkpoint(4), ArtifactLayout.Model })
        {
            var manifest = puts.ToList().LastIndexOf(directory + ArtifactLayout.Manifest);
            var files = puts.Select((key, i) => (key, i)).Where(p => p.key.StartsWith(directory, StringComparison.Ordinal)).ToList();
            Assert.Contains(files, f => f.key == directory + "model.safetensors");
            Assert.Equal(manifest, files.Max(f => f.i)); // nothing of the directory after its manifest
        }
        var checkpoint = await new ArtifactReader(store).ReadManifestAsync(ArtifactLayout.Checkpoint(4));
        Assert.Equal(4, checkpoint.Manifest.Lineage.Step);
        Assert.Equal([input], checkpoint.Manifest.Lineage.Inputs);
        Assert.Equal(("default", "stage", "run1"), (checkpoint.Manifest.Lineage.Namespace, checkpoint.Manifest.Lineage.Name, checkpoint.Manifest.Lineage.RunId));
    }

    [Fact]
    public async Task Should_leave_a_checkpoint_whose_upload_dies_midway_uncommitted_and_resume_from_the_last_committed_one()
    {
        var task = Task(steps: 6);
        var dying = ArtifactLayout.Checkpoint(4) + "model.safetensors";
        using (var crashing = new InterceptingStore(bucket.Store(Run)) { Crash = (dying, 1024 * 1024) })
        {
            Assert.Throws<SimulatedCrash>(() => RunInProcess(task, crashing));
        }

        using var store = bucket.Store(Run);
        var reader = new ArtifactReader(store);
        Assert.Equal(["checkpoints/step-0000002/"], await reader.ListCommittedAsync("checkpoints/"));
        Assert.False(await reader.IsCommittedAsync(ArtifactLayout.Checkpoint(4)));
        Assert.Null(await store.GetSizeAsync(dying));

        var steps = new List<long>();
        Assert.Equal(TrainingOutcome.Completed, RunInProcess(task, store, steps));

        Assert.Equal([3L, 4, 5, 6], steps);
        Assert.True(await reader.IsCommittedAsync(ArtifactLayout.Checkpoint(4)));
        Assert.True(await reader.IsCommittedAsync(ArtifactLayout.Model));
    }

    public enum Damage { FlippedByte, Truncated, NoManifest, OtherDigest }

    [Theory]
    [InlineData(Damage.FlippedByte, "models/base/model.safetensors\" is corrupt")]
    [InlineData(Damage.Truncated, "models/base/model.safetensors\" has")]
    [InlineData(Damage.NoManifest, "is missing or not committed")]
    [InlineData(Damage.OtherDigest, "is not the pinned artifact")]
    public async Task Should_refuse_a_damaged_model_input_before_training_with_its_uri_and_why(Damage damage, string reason)
    {
        using var store = bucket.Store();
        var weights = Model + "model.safetensors";
        var bytes = await ReadAsync(store, weights);
        switch (damage)
        {
            case Damage.FlippedByte:
                bytes[bytes.Length / 2] ^= 0x40;
                await PutAsync(store, weights, bytes);
                break;
            case Damage.Truncated:
                await PutAsync(store, weights, bytes[..(bytes.Length / 2)]);
                break;
            case Damage.NoManifest:
                await store.DeleteAsync(Model + ArtifactLayout.Manifest);
                break;
        }
        var pinned = damage == Damage.OtherDigest ? input with { Digest = "sha256:" + new string('a', 64) } : input;

        var (code, output) = TrainerProcess.Run(WriteTask(Task(steps: 2, pinned)), bucket.Environment);

        Assert.True(code == ExitCodes.Invalid, $"exit code {code}:\n{output}");
        Assert.Contains($"error: model input {input.Uri} ", output);
        Assert.Contains(reason, output);
        Assert.DoesNotContain("   at ", output); // a message, not a stack trace
        Assert.Empty(await store.ListAsync(Run + "checkpoints/"));
    }

    private static async Task<byte[]> ReadAsync(IArtifactStore store, string key)
    {
        await using var stream = await store.OpenReadAsync(key);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static async Task PutAsync(IArtifactStore store, string key, byte[] bytes)
    {
        using var content = new MemoryStream(bytes);
        await store.PutAsync(key, content, bytes.Length);
    }
}
