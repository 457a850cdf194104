using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Apriel.Artifacts;
using Minio;
using Minio.DataModel.Args;

namespace Apriel.Trainer.Benchmarks;

/// <summary>
/// <c>apriel-trainer bench s3 --store s3://bucket/prefix/</c>: the artifact store's upload (<see cref="IArtifactStore.PutAsync"/>
/// from a file) and download (<see cref="IArtifactStore.OpenReadAsync"/>, read to the end) of an object, each as a speed
/// ratio to a raw HTTP PUT or GET of the same object to the same server (presigned URLs, one request, no client library) in
/// the same run (design.md target: ≥ 0.8), for two objects: one the store sends in a single PUT and one it sends as a
/// multipart upload. Endpoint and credentials come from the environment as for the trainer (<c>make bench</c> starts a
/// local s3rver). Raw and store transfers alternate in rounds after a warm-up round; medians are compared.
/// </summary>
public static class S3Benchmark
{
    public static Command Create(TextWriter output)
    {
        var store = new Option<string>("--store") { Description = "Store root, s3://bucket/prefix/ (endpoint and credentials from the environment)", Required = true };
        var small = new Option<int>("--single-mb") { Description = "Size in MiB of the object sent in one PUT", DefaultValueFactory = _ => 64 };
        var large = new Option<int>("--multipart-mb") { Description = "Size in MiB of the object sent in parts", DefaultValueFactory = _ => 512 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of raw and store transfers", DefaultValueFactory = _ => 5 };
        var command = new Command("s3", "S3 upload/download speed of the artifact store as a ratio to raw HTTP PUT/GET") { store, small, large, rounds };
        command.SetAction(parse =>
        {
            foreach (var sizeMb in new[] { parse.GetValue(small), parse.GetValue(large) }) Run(output, parse.GetValue(store)!, sizeMb, parse.GetValue(rounds));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Median seconds of each transfer.</summary>
    public sealed record Result(long Bytes, double RawPut, double StorePut, double RawGet, double StoreGet)
    {
        public double UploadRatio => RawPut / StorePut;

        public double DownloadRatio => RawGet / StoreGet;
    }

    static void Run(TextWriter output, string root, int sizeMb, int rounds)
    {
        var result = Measure(root, sizeMb, rounds, output).GetAwaiter().GetResult();
        string Rate(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{result.Bytes / seconds / (1 << 20),7:F1} MiB/s");
        var how = result.Bytes > ArtifactStores.S3Options(root, Environment.GetEnvironmentVariable).UploadMemory ? "multipart upload" : "one PUT";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"s3: {result.Bytes >> 20} MiB object ({how}) at {root}, median of {rounds}"));
        output.WriteLine($"  raw PUT        {Rate(result.RawPut)}");
        output.WriteLine($"  store upload   {Rate(result.StorePut)}");
        output.WriteLine($"  raw GET        {Rate(result.RawGet)}");
        output.WriteLine($"  store download {Rate(result.StoreGet)}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  upload ratio {result.UploadRatio:F2}  download ratio {result.DownloadRatio:F2}  (target >= 0.80)"));
    }

    public static async Task<Result> Measure(string root, int sizeMb, int rounds, TextWriter? log = null)
    {
        if (sizeMb <= 0 || rounds <= 0) throw new ArgumentOutOfRangeException(nameof(sizeMb), "size and rounds must be > 0");
        // Memory-backed when there is /dev/shm, so that both sides read the same cached bytes and no disk adds noise.
        var file = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"apriel-bench-s3-{Environment.ProcessId}");
        var bytes = (long)sizeMb << 20;
        WriteRandom(file, bytes);
        try
        {
            using var store = ArtifactStores.Open(root);
            var options = ArtifactStores.S3Options(root, Environment.GetEnvironmentVariable);
            using var minio = new MinioClient().WithEndpoint(options.Endpoint).WithSSL(options.Secure)
                .WithCredentials(options.AccessKey, options.SecretKey).WithRegion(options.Region).Build();
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            const string Key = "bench/object";
            var raw = options.Prefix + "bench/raw";
            var putUrl = await minio.PresignedPutObjectAsync(new PresignedPutObjectArgs().WithBucket(options.Bucket).WithObject(raw).WithExpiry(3600));
            var getUrl = await minio.PresignedGetObjectAsync(new PresignedGetObjectArgs().WithBucket(options.Bucket).WithObject(raw).WithExpiry(3600));

            var times = new List<double[]>();
            // Round 0 warms up (JIT, connections) and is not counted.
            for (var round = 0; round <= rounds; round++)
            {
                var t = new[]
                {
                    await Time(() => RawPutAsync(http, putUrl, file)),
                    await Time(() => StorePutAsync(store, Key, file)),
                    await Time(() => RawGetAsync(http, getUrl)),
                    await Time(() => StoreGetAsync(store, Key)),
                };
                if (round == 0) continue;
                times.Add(t);
                log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  round {round}: raw PUT {t[0]:F2} s, store upload {t[1]:F2} s, raw GET {t[2]:F2} s, store download {t[3]:F2} s"));
            }
            await store.DeleteDirectoryAsync("bench/");
            double Median(int i) => times.Select(t => t[i]).Order().ElementAt(times.Count / 2);
            return new Result(bytes, Median(0), Median(1), Median(2), Median(3));
        }
        finally
        {
            File.Delete(file);
        }
    }

    static async Task RawPutAsync(HttpClient http, string url, string file)
    {
        await using var source = File.OpenRead(file);
        using var content = new StreamContent(source, 1 << 20);
        content.Headers.ContentLength = source.Length;
        using var response = await http.PutAsync(url, content);
        response.EnsureSuccessStatusCode();
    }

    static async Task StorePutAsync(IArtifactStore store, string key, string file)
    {
        await using var source = File.OpenRead(file);
        await store.PutAsync(key, source, source.Length);
    }

    static async Task RawGetAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        await body.CopyToAsync(Stream.Null, 1 << 20);
    }

    static async Task StoreGetAsync(IArtifactStore store, string key)
    {
        await using var body = await store.OpenReadAsync(key);
        await body.CopyToAsync(Stream.Null, 1 << 20);
    }

    static async Task<double> Time(Func<Task> transfer)
    {
        var watch = Stopwatch.StartNew();
        await transfer();
        return watch.Elapsed.TotalSeconds;
    }

    static void WriteRandom(string path, long bytes)
    {
        var buffer = new byte[1 << 20];
        var random = new Random(1);
        using var file = File.Create(path);
        for (long written = 0; written < bytes; written += buffer.Length)
        {
            random.NextBytes(buffer);
            file.Write(buffer);
        }
    }
}
