namespace Apriel.Testing;

/// <summary>
/// s3rver (an S3-protocol server backed by a directory) on a free loopback port. It differs from
/// real S3/MinIO in places (see shared/docs/platform-notes.md): tests must target real S3
/// behaviour, never these quirks.
/// </summary>
public sealed class S3Server : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly TestDirectory directory;
    private readonly ChildProcess process;
    private int disposed;

    private S3Server(TestDirectory directory, ChildProcess process, int port, string dataDirectory)
    {
        this.directory = directory;
        this.process = process;
        Port = port;
        DataDirectory = dataDirectory;
    }

    public int Port { get; }

    /// <summary>http://127.0.0.1:PORT</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    /// <summary>127.0.0.1:PORT, the form Minio's client wants.</summary>
    public string HostAndPort => $"127.0.0.1:{Port}";

    /// <summary>Where s3rver keeps buckets and objects.</summary>
    public string DataDirectory { get; }

    public static async Task<S3Server> StartAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var script = TestTools.S3rverScript;
        var node = TestTools.Node;
        var directory = TestDirectory.Create("s3");
        ChildProcess? process = null;
        try
        {
            var data = directory.Subdirectory("data");
            var port = FreePort.Next();
            // node itself, not npx: the PID we hold must be the server's.
            process = ChildProcess.Start("s3rver", node,
                [script, "-d", data, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent"],
                directory.Combine("s3rver.log"));
            var server = new S3Server(directory, process, port, data);
            // Any HTTP answer (an anonymous GET / is refused) means it is listening.
            await Poll.UntilAsync("s3rver to answer", async ct =>
            {
                using var response = await Probe.GetAsync(server.Endpoint, ct);
                return true;
            }, timeout ?? TimeSpan.FromSeconds(30), cancellationToken, process);
            return server;
        }
        catch
        {
            process?.Dispose();
            directory.Dispose();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            process.Dispose();
            directory.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
