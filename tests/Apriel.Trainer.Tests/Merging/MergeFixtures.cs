using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Merging;
using Apriel.Trainer.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Merging;

/// <summary>Committed tiny models in an artifact store, and merge tasks over them.</summary>
internal sealed class MergeFixtures : IDisposable
{
    readonly TempDir staging = new();
    int staged;

    readonly Func<string, IArtifactStore> open;

    /// <param name="store">Where inputs are committed; the merge writes under its <c>out/</c>.</param>
    /// <param name="open">Opens a store of the same kind at a root URI.</param>
    public MergeFixtures(IArtifactStore store, Func<string, IArtifactStore> open)
    {
        torch.set_num_threads(1);
        Store = store;
        this.open = open;
    }

    /// <summary>Fixtures over a local store in a temporary directory.</summary>
    public static MergeFixtures Local(TempDir dir) => new(new LocalArtifactStore(dir.File("store")), root => ArtifactStores.Open(root));

    public IArtifactStore Store { get; }

    /// <summary>The tiny preset with a 40-layer decoder: the depth-upscaling case at tiny widths.</summary>
    public static ModelConfig Forty { get; } = ModelPresets.Tiny with { Text = ModelPresets.Tiny.Text with { NumHiddenLayers = 40 } };

    /// <summary>Same shape and bit-for-bit the same values (0 and -0 aside).</summary>
    public static bool Identical(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>A tiny model with random weights.</summary>
    public static VisionLanguageModel Model(long seed, ModelConfig? config = null) => new VisionLanguageModel(config ?? ModelPresets.Tiny).Initialize(seed);

    /// <summary>Commits <paramref name="model"/> (and a tokenizer file) under <paramref name="directory"/>; returns the pinned input.</summary>
    public ResolvedInput Commit(string directory, VisionLanguageModel model, string role = "input-0", ScalarType? dtype = null,
        long maxShardBytes = CheckpointFiles.DefaultMaxShardBytes, string tokenizer = "{\"tokenizer_class\": \"test\"}\n") =>
        CommitFiles(directory, role, local =>
        {
            ModelCheckpoint.Save(model, local, dtype, maxShardBytes);
            File.WriteAllText(Path.Combine(local, "tokenizer_config.json"), tokenizer);
        });

    /// <summary>Commits whatever <paramref name="write"/> puts in a local directory.</summary>
    public ResolvedInput CommitFiles(string directory, string role, Action<string> write)
    {
        var local = staging.File($"m{staged++}");
        write(local);
        var committed = new ArtifactCommitter(Store).CommitAsync(local, directory, new ArtifactLineage
        {
            Kind = TrainingStage.KindName, Namespace = "default", Name = "fixture", RunId = "r",
        }).GetAwaiter().GetResult();
        return new ResolvedInput { Role = role, Source = directory, Uri = committed.Uri, Digest = committed.Digest };
    }

    /// <summary>A task merging <paramref name="inputs"/> into the run directory <c>out/</c> of the store.</summary>
    public MergeTask Task(MergeMethod method, IEnumerable<MergeTaskInput> inputs, ResolvedInput? @base = null, MergeParameters? parameters = null,
        DType dtype = DType.FP32) => new()
        {
            Namespace = "default",
            Name = "merge",
            RunId = "run-1",
            Spec = new ModelMergeSpec
            {
                Method = method,
                Inputs = [new MergeInput { Uri = "unused-here" }],
                Parameters = parameters ?? new MergeParameters(),
                DType = dtype,
            },
            Inputs = [.. inputs],
            Base = @base,
            Output = Store.Root + "out/",
        };

    public static MergeTaskInput Input(ResolvedInput model, double? weight = null, LayerRange? layers = null) => new() { Model = model, Weight = weight, Layers = layers };

    /// <summary>Runs <paramref name="task"/> against this store.</summary>
    public CommittedArtifact Run(MergeTask task, long sliceElements = MergeExecutor.DefaultSliceElements, long maxShardBytes = CheckpointFiles.DefaultMaxShardBytes) =>
        MergeRun.Run(task, new MergeOptions
        {
            OpenStore = open,
            SliceElements = sliceElements,
            MaxShardBytes = maxShardBytes,
        });

    /// <summary>Downloads the committed merge output and loads it.</summary>
    public VisionLanguageModel Load(CommittedArtifact artifact)
    {
        var local = staging.File($"d{staged++}");
        var (root, key) = ArtifactStores.Locate(artifact.Uri);
        using var store = open(root);
        new ArtifactReader(store).DownloadAsync(ArtifactKeys.AsDirectory(key), local, artifact.Digest).GetAwaiter().GetResult();
        return ModelCheckpoint.Load(local);
    }

    /// <summary>Whether any model file was written under the task's output (progress.json aside).</summary>
    public bool HasOutput() => Store.ListAsync("out/model/").GetAwaiter().GetResult().Count > 0;

    public void Dispose()
    {
        Store.Dispose();
        staging.Dispose();
    }
}
