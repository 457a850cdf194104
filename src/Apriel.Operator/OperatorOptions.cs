using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.V1Alpha1;

namespace Apriel.Operator;

/// <summary>The operator program's configuration: flags win over environment variables, which win over defaults.</summary>
public sealed record OperatorOptions
{
    /// <summary>How pods are run.</summary>
    public required OperatorSettings Settings { get; init; }

    /// <summary>Namespace to watch; null watches all namespaces.</summary>
    public string? WatchNamespace { get; init; }

    /// <summary>Run controllers only while holding the Lease (on for more than one replica).</summary>
    public bool LeaderElection { get; init; } = true;

    /// <summary>Namespace of the Lease (the operator's own).</summary>
    public string LeaseNamespace { get; init; } = "apriel-system";

    /// <summary>Address of /healthz, /readyz and /metrics.</summary>
    public string ProbeAddress { get; init; } = "http://0.0.0.0:8080";

    /// <summary>Concurrent reconciles per controller.</summary>
    public int Workers { get; init; } = 4;

    /// <summary>The options, as <c>--name=value</c> flags (or <c>APRIEL_NAME</c> environment variables) name them.</summary>
    public static readonly IReadOnlyDictionary<string, string> Help = new Dictionary<string, string>
    {
        ["trainer-image"] = "trainer image for stages and merges that set none (required)",
        ["artifact-root"] = "artifact store root, s3://bucket/prefix/ (required)",
        ["s3-endpoint"] = "S3 endpoint host:port for MinIO and other S3-compatible servers; empty for AWS",
        ["s3-insecure"] = "plain HTTP to the S3 endpoint (true/false)",
        ["s3-secret"] = "Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, referenced by trainer pods (required)",
        ["gpu-resource"] = "GPU resource name when a stage sets none (default nvidia.com/gpu)",
        ["default-node-selector"] = "node selector of trainer pods whose resource sets none, as key=value,key=value",
        ["default-tolerations"] = "tolerations of trainer pods whose resource sets none, as a JSON list ([{\"key\":\"nvidia.com/gpu\",\"operator\":\"Exists\"}])",
        ["default-queue"] = "Kueue queue of Jobs whose resource names none (default: none)",
        ["namespace"] = "namespace to watch (default: all)",
        ["leader-elect"] = "hold a Lease before reconciling (default true)",
        ["lease-namespace"] = "namespace of the Lease (default apriel-system)",
        ["probe-address"] = "address of /healthz, /readyz, /metrics (default http://0.0.0.0:8080)",
        ["workers"] = "concurrent reconciles per controller (default 4)",
    };

    /// <summary>Parses flags and environment; returns the problems instead when there are any.</summary>
    public static (OperatorOptions? Options, IReadOnlyList<string> Problems) Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var values = new Dictionary<string, string>();
        var problems = new List<string>();
        foreach (var name in Help.Keys)
            if (environment("APRIEL_" + name.ToUpperInvariant().Replace('-', '_')) is { Length: > 0 } value) values[name] = value;
        foreach (var arg in args)
        {
            var eq = arg.IndexOf('=');
            var name = arg.StartsWith("--", StringComparison.Ordinal) && eq > 2 ? arg[2..eq] : null;
            if (name == null || !Help.ContainsKey(name)) problems.Add($"unknown argument \"{arg}\"; use --name=value with one of: {string.Join(", ", Help.Keys)}");
            else values[name] = arg[(eq + 1)..];
        }
        string? Get(string name) => values.GetValueOrDefault(name);
        string Required(string name)
        {
            if (Get(name) is { Length: > 0 } v) return v;
            problems.Add($"--{name} (or APRIEL_{name.ToUpperInvariant().Replace('-', '_')}) is required: {Help[name]}");
            return "";
        }
        bool Flag(string name, bool fallback)
        {
            if (Get(name) is not { } v) return fallback;
            if (bool.TryParse(v, out var b)) return b;
            problems.Add($"--{name}=\"{v}\" is not true or false");
            return fallback;
        }

        var root = Required("artifact-root");
        if (root.Length > 0 && !root.EndsWith('/')) root += "/";
        if (root.Length > 0 && !root.StartsWith("s3://", StringComparison.Ordinal) && !root.StartsWith("file:///", StringComparison.Ordinal))
            problems.Add($"--artifact-root=\"{root}\" must be s3://bucket/prefix/ (or file:///path/ for a single-node test)");
        var workers = 4;
        if (Get("workers") is { } w && (!int.TryParse(w, out workers) || workers < 1)) problems.Add($"--workers=\"{w}\" must be a positive whole number");
        var settings = new OperatorSettings
        {
            TrainerImage = Required("trainer-image"),
            ArtifactRoot = root,
            S3Endpoint = Get("s3-endpoint"),
            S3Insecure = Flag("s3-insecure", false),
            S3SecretName = Required("s3-secret"),
            GpuResourceName = Get("gpu-resource") ?? "nvidia.com/gpu",
            DefaultNodeSelector = Get("default-node-selector") is { } selector ? NodeSelector(selector, problems) : null,
            DefaultTolerations = Get("default-tolerations") is { } tolerations ? Tolerations(tolerations, problems) : null,
            DefaultQueueName = Get("default-queue"),
        };
        var leaderElection = Flag("leader-elect", true);
        if (problems.Count > 0) return (null, problems);
        return (new OperatorOptions
        {
            Settings = settings,
            WatchNamespace = Get("namespace"),
            LeaderElection = leaderElection,
            LeaseNamespace = Get("lease-namespace") ?? "apriel-system",
            ProbeAddress = Get("probe-address") ?? "http://0.0.0.0:8080",
            Workers = workers,
        }, problems);
    }

    static Dictionary<string, string>? NodeSelector(string value, List<string> problems)
    {
        var pairs = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => p.Split('=', 2)).ToList();
        if (pairs.All(p => p.Length == 2 && p[0].Length > 0)) return pairs.ToDictionary(p => p[0], p => p[1]);
        problems.Add($"--default-node-selector=\"{value}\" must be key=value pairs separated by commas");
        return null;
    }

    static List<Toleration>? Tolerations(string value, List<string> problems)
    {
        try { return JsonSerializer.Deserialize<List<Toleration>>(value, ApiJson.Options); }
        catch (JsonException e)
        {
            problems.Add($"--default-tolerations is not a JSON list of tolerations ({e.Message})");
            return null;
        }
    }
}
