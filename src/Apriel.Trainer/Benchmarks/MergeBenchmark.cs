using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Merging;
using Apriel.Trainer.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Benchmarks;

/// <summary>
/// <c>apriel-trainer bench merge</c>: (1) the uniform average of K generated bf16 checkpoints of about SIZE each (default 6
/// x 1 GiB), committed to a local artifact store: the merge's read throughput (input bytes / wall time of the whole merge
/// command, commit of the output included) as a ratio to a raw sequential read of the same files in the same run (design.md
/// target ≥ 0.7), and its peak RSS against the largest tensor (target &lt; 2 x largest + 300 MB); (2) the passthrough
/// 40 → 48 of one such model. Each merge runs as a child process (this program with <c>--measure</c>) so that its peak RSS
/// is its own. <c>--cold</c> evicts the files from the page cache before each read (as checkpoints arriving from disk or
/// the network would be); by default they are warm (just written), so the raw read is a memory copy.
/// </summary>
public static class MergeBenchmark
{
    const int Advice = 4; // POSIX_FADV_DONTNEED

    [DllImport("libc", SetLastError = true)]
    static extern int posix_fadvise(int fd, long offset, long length, int advice);

    public static Command Create(TextWriter output)
    {
        var sizeMb = new Option<int>("--size-mb") { Description = "Size of each generated checkpoint in MiB", DefaultValueFactory = _ => 1024 };
        var count = new Option<int>("--count") { Description = "Checkpoints to average", DefaultValueFactory = _ => 6 };
        var dir = new Option<string?>("--dir") { Description = "Where to write the files (default: a directory under the temp directory)" };
        var cold = new Option<bool>("--cold") { Description = "Evict the files from the page cache before each read" };
        var measure = new Option<string?>("--measure") { Description = "Internal: run this MergeTask file and print its time and peak RSS", Hidden = true };
        var command = new Command("merge", "Merge throughput vs a raw read of the same bytes, and peak memory vs the largest tensor") { sizeMb, count, dir, cold, measure };
        command.SetAction(parse => parse.GetValue(measure) is { } task
            ? MeasureHere(output, task)
            : Run(output, parse.GetValue(sizeMb), parse.GetValue(count), parse.GetValue(dir), parse.GetValue(cold)));
        return command;
    }

    static int Run(TextWriter output, int sizeMb, int count, string? directory, bool cold)
    {
        if (sizeMb <= 0 || count <= 0) throw new ArgumentOutOfRangeException(nameof(sizeMb), "size and count must be > 0");
        var root = directory ?? Path.Combine(Path.GetTempPath(), $"apriel-bench-merge-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        try
        {
            using var store = new LocalArtifactStore(Path.Combine(root, "store"));
            var config = Sized(sizeMb, layers: 16);
            var inputs = Enumerable.Range(0, count).Select(i => Generate(store, root, $"ckpt-{i}/", $"input-{i}", config, seed: i)).ToList();
            var files = inputs.SelectMany(i => WeightFiles(i)).ToList();
            var bytes = files.Sum(f => new FileInfo(f).Length);
            var raw = Math.Min(RawRead(files, cold), double.MaxValue);
            var task = Task(store, MergeMethod.Linear, "average", inputs.Select(i => new MergeTaskInput { Model = i }));
            var merge = Measure(task, files, cold);
            raw = Math.Min(raw, RawRead(files, cold)); // before and after: the faster one, so the ratio is not flattered
            var largest = Largest(config);
            output.WriteLine(Invariant($"merge average: {count} x {bytes / count / 1e9:F2} GB bf16 ({(cold ? "cold" : "warm")} page cache), largest tensor {largest / 1e6:F1} MB"));
            output.WriteLine(Invariant($"  raw sequential read {bytes / raw / 1e9:F2} GB/s"));
            output.WriteLine(Invariant($"  merge               {bytes / merge.Seconds / 1e9:F2} GB/s ({merge.Seconds:F1} s, output committed)"));
            output.WriteLine(Invariant($"  ratio {raw / merge.Seconds:F2} (target >= 0.70)"));
            output.WriteLine(Rss(merge.PeakRss, largest));
            foreach (var input in inputs) store.DeleteDirectoryAsync(Key(store, input)).GetAwaiter().GetResult();
            store.DeleteDirectoryAsync("average/").GetAwaiter().GetResult();

            var forty = Sized(sizeMb, layers: 40);
            var model = Generate(store, root, "forty/", "input-0", forty, seed: 40);
            var modelFiles = WeightFiles(model);
            var modelBytes = modelFiles.Sum(f => new FileInfo(f).Length);
            var upscale = Task(store, MergeMethod.Passthrough, "upscale", [
                new MergeTaskInput { Model = model, Layers = new LayerRange { Start = 0, End = 24 } },
                new MergeTaskInput { Model = model with { Role = "input-1" }, Layers = new LayerRange { Start = 16, End = 40 } }]);
            var stacked = Measure(upscale, modelFiles, cold);
            var written = store.ListAsync("upscale/").GetAwaiter().GetResult().Where(o => o.Key.EndsWith(".safetensors", StringComparison.Ordinal)).Sum(o => o.Size);
            output.WriteLine(Invariant($"merge passthrough 40 -> 48: {modelBytes / 1e9:F2} GB in, {written / 1e9:F2} GB out in {stacked.Seconds:F1} s ({written / stacked.Seconds / 1e9:F2} GB/s written)"));
            output.WriteLine(Rss(stacked.PeakRss, Largest(forty)));
            return ExitCodes.Ok;
        }
        finally
        {
            if (directory is null) Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>A model of the Pixtral architecture at about <paramref name="sizeMb"/> MiB in bf16 with <paramref name="layers"/> decoder layers.</summary>
    static ModelConfig Sized(int sizeMb, int layers)
    {
        // parameters ≈ 2·vocab·h (embeddings, lm_head) + layers·(2 + 2/3 + 8)·h² (attention with 3:1 GQA, SwiGLU of 8h/3).
        const int vocab = 32768;
        var parameters = sizeMb * (1L << 20) / 2.0;
        var a = layers * 32.0 / 3;
        var h = (-2.0 * vocab + Math.Sqrt(4.0 * vocab * vocab + 4 * a * parameters)) / (2 * a);
        var hidden = Math.Max(128, (int)(h / 128) * 128);
        var heads = hidden / 128;
        var tiny = ModelPresets.Tiny;
        return tiny with
        {
            TorchDtype = "bfloat16",
            Text = tiny.Text with
            {
                VocabSize = vocab, HiddenSize = hidden, IntermediateSize = Math.Max(128, (int)Math.Round(hidden * 8.0 / 3 / 128) * 128),
                NumHiddenLayers = layers, NumAttentionHeads = heads, NumKeyValueHeads = heads % 3 == 0 ? heads / 3 : heads, HeadDimOverride = 128,
            },
        };
    }

    static long Largest(ModelConfig config) => TensorTable.For(config).Max(t => t.Elements) * 2;

    /// <summary>Writes a random bf16 model tensor by tensor and commits it under <paramref name="directory"/>.</summary>
    static ResolvedInput Generate(IArtifactStore store, string root, string directory, string role, ModelConfig config, int seed)
    {
        var local = Path.Combine(root, "staging");
        using var generator = new Generator((ulong)seed + 1);
        var specs = TensorTable.For(config);
        using (var writer = new ShardedWriter(local, [.. specs.Select(s => new TensorLayout(s.Name, ScalarType.BFloat16, s.Shape))], CheckpointFiles.DefaultMaxShardBytes))
        {
            foreach (var spec in specs)
            {
                using var scope = NewDisposeScope();
                writer.Append(randn([.. spec.Shape], generator: generator).mul_(0.02));
            }
            writer.Finish();
        }
        config.Save(local);
        File.WriteAllText(Path.Combine(local, "tokenizer_config.json"), "{\"tokenizer_class\": \"bench\"}\n");
        var committed = new ArtifactCommitter(store).CommitAsync(local, directory,
            new ArtifactLineage { Kind = TrainingStage.KindName, Namespace = "bench", Name = "bench", RunId = "bench" }).GetAwaiter().GetResult();
        Directory.Delete(local, recursive: true);
        return new ResolvedInput { Role = role, Source = directory, Uri = committed.Uri, Digest = committed.Digest };
    }

    static string Key(IArtifactStore store, ResolvedInput input) => input.Uri[store.Root.Length..];

    static List<string> WeightFiles(ResolvedInput input) =>
        [.. Directory.GetFiles(new Uri(input.Uri).LocalPath, "*.safetensors").Order(StringComparer.Ordinal)];

    static MergeTask Task(IArtifactStore store, MergeMethod method, string name, IEnumerable<MergeTaskInput> inputs) => new()
    {
        Namespace = "bench", Name = name, RunId = name,
        Spec = new ModelMergeSpec { Method = method, Inputs = [new MergeInput { Uri = "bench" }], DType = DType.BF16 },
        Inputs = [.. inputs],
        Output = store.Root + name + "/",
    };

    /// <summary>Seconds to read <paramref name="files"/> front to back into a 4 MiB buffer.</summary>
    static double RawRead(IReadOnlyList<string> files, bool cold)
    {
        if (cold) Evict(files);
        var buffer = new byte[4 << 20];
        var watch = Stopwatch.StartNew();
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            while (stream.Read(buffer) > 0) { }
        }
        return watch.Elapsed.TotalSeconds;
    }

    static void Evict(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            using var handle = File.OpenHandle(file);
            if (posix_fadvise((int)handle.DangerousGetHandle(), 0, 0, Advice) != 0) throw new IOException($"posix_fadvise failed on {file}");
        }
    }

    sealed record Measured(double Seconds, long PeakRss);

    /// <summary>Runs the task in a child process (this program, <c>--measure</c>) and returns what it reports.</summary>
    static Measured Measure(MergeTask task, IReadOnlyList<string> files, bool cold)
    {
        if (cold) Evict(files);
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, JsonSerializer.Serialize(task, ApiJson.Options));
            var values = ChildMeasurement.Run("bench", "merge", "--measure", file);
            return new Measured(values[0], (long)values[1]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The child's side: one merge, then its seconds and peak RSS.</summary>
    static int MeasureHere(TextWriter output, string taskFile)
    {
        var task = JsonSerializer.Deserialize<MergeTask>(File.ReadAllText(taskFile), ApiJson.Options)!;
        torch.set_num_threads(1);
        var watch = Stopwatch.StartNew();
        MergeRun.Run(task, new MergeOptions());
        ChildMeasurement.Report(output, watch.Elapsed.TotalSeconds, ChildMeasurement.Rss());
        return ExitCodes.Ok;
    }

    static string Rss(long peak, long largest) =>
        Invariant($"  peak RSS {peak / 1e6:F0} MB; target < 2 x largest tensor + 300 MB = {(2 * largest + 300e6) / 1e6:F0} MB: {(peak < 2 * largest + 300e6 ? "met" : "missed")}");

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
