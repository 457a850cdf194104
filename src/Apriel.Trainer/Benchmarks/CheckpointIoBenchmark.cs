using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Apriel.Trainer.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Benchmarks;

/// <summary>
/// <c>apriel-trainer bench checkpoint-io</c>: safetensors save and load throughput for a file of about 1 GB (bf16
/// tensors of 64 MiB), each as a ratio to a raw write or read of the same bytes in the same run (design.md target:
/// ≥ 0.8). Writes are flushed to disk in both cases (the writer does so before renaming a file into place). "Load" reads
/// through <see cref="SafetensorsFile.ReadInto"/>, the path <see cref="ModelCheckpoint"/> uses. "Load" means the values end up in preallocated tensors (what loading a model does: open, map, copy into the
/// parameters); "raw read" reads the file into preallocated buffers of the same size. Both run with a warm page cache
/// (the file was just written); the best of several rounds is reported.
/// </summary>
public static class CheckpointIoBenchmark
{
    public static Command Create(TextWriter output)
    {
        var sizeMb = new Option<int>("--size-mb") { Description = "Total size of the tensors in MiB", DefaultValueFactory = _ => 1024 };
        var rounds = new Option<int>("--rounds") { Description = "Repetitions; the best is reported", DefaultValueFactory = _ => 5 };
        var dir = new Option<string?>("--dir") { Description = "Where to write the files (default: a temporary directory)" };
        var command = new Command("checkpoint-io", "Safetensors save/load throughput as a ratio to raw file IO") { sizeMb, rounds, dir };
        command.SetAction(parse => Run(output, parse.GetValue(sizeMb), parse.GetValue(rounds), parse.GetValue(dir)));
        return command;
    }

    public sealed record Result(long Bytes, double RawWrite, double Save, double RawRead, double Load)
    {
        public double SaveRatio => RawWrite / Save;

        public double LoadRatio => RawRead / Load;
    }

    internal static int Run(TextWriter output, int sizeMb, int rounds, string? directory)
    {
        var result = Measure(sizeMb, rounds, directory);
        string Rate(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{result.Bytes / seconds / 1e9:F2} GB/s");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"checkpoint-io: {result.Bytes / 1e9:F2} GB, best of {rounds}"));
        output.WriteLine($"  raw write        {Rate(result.RawWrite)}");
        output.WriteLine($"  safetensors save {Rate(result.Save)}");
        output.WriteLine($"  raw read         {Rate(result.RawRead)}");
        output.WriteLine($"  safetensors load {Rate(result.Load)}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  save ratio {result.SaveRatio:F2}  load ratio {result.LoadRatio:F2}  (target >= 0.80)"));
        return ExitCodes.Ok;
    }

    public static Result Measure(int sizeMb, int rounds, string? directory = null)
    {
        if (sizeMb <= 0 || rounds <= 0) throw new ArgumentOutOfRangeException(nameof(sizeMb), "size and rounds must be > 0");
        var tensorMb = Math.Min(64, sizeMb);
        var count = sizeMb / tensorMb;
        var elements = tensorMb * (1L << 20) / 2;
        // Default: memory-backed /dev/shm, so that the ratios measure our code against the same system calls rather than a
        // disk's write-back noise; pass --dir to measure a real disk.
        var root = directory ?? Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"apriel-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        var stPath = Path.Combine(root, "bench.safetensors");
        var rawPath = Path.Combine(root, "bench.raw");
        try
        {
            using var scope = NewDisposeScope();
            var tensors = Enumerable.Range(0, count)
                .Select(i => new KeyValuePair<string, Tensor>($"layers.{i}.weight", randn([elements / 4096, 4096]).to(ScalarType.BFloat16)))
                .ToList();
            var targets = tensors.Select(t => empty_like(t.Value)).ToList();
            var bytes = tensors.Sum(t => SafetensorsWriter.SizeOf(t.Value));
            var buffers = Enumerable.Range(0, count).Select(_ => new byte[tensorMb << 20]).ToList();
            foreach (var (t, b) in tensors.Zip(buffers)) t.Value.bytes.CopyTo(b);

            double rawWrite = double.MaxValue, save = double.MaxValue, rawRead = double.MaxValue, load = double.MaxValue;
            for (var round = 0; round < rounds; round++)
            {
                // Alternate which of each pair runs first, so that write-back or cache effects of one do not always land on the other.
                var rawFirst = round % 2 == 0;
                void RawWrite() => rawWrite = Math.Min(rawWrite, Time(() =>
                {
                    using var stream = new FileStream(rawPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
                    foreach (var buffer in buffers) stream.Write(buffer);
                    stream.Flush(flushToDisk: true); // as the safetensors writer does
                }));
                void Save() => save = Math.Min(save, Time(() => SafetensorsWriter.Write(stPath, tensors)));
                void RawRead() => rawRead = Math.Min(rawRead, Time(() =>
                {
                    using var stream = new FileStream(rawPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
                    foreach (var buffer in buffers) stream.ReadExactly(buffer);
                }));
                void Load() => load = Math.Min(load, Time(() =>
                {
                    using var file = SafetensorsFile.Open(stPath);
                    for (var i = 0; i < count; i++) file.ReadInto(tensors[i].Key, targets[i]);
                }));
                if (rawFirst)
                {
                    RawWrite();
                    Save();
                    RawRead();
                    Load();
                }
                else
                {
                    Save();
                    RawWrite();
                    Load();
                    RawRead();
                }
            }
            for (var i = 0; i < count; i++)
            {
                if (!targets[i].bytes.SequenceEqual(tensors[i].Value.bytes)) throw new InvalidOperationException($"tensor {i} did not round-trip");
            }
            return new Result(bytes, rawWrite, save, rawRead, load);
        }
        finally
        {
            File.Delete(stPath);
            File.Delete(rawPath);
            if (directory is null) Directory.Delete(root, recursive: true);
        }
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }
}
