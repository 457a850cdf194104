using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Apriel.Testing;

/// <summary>
/// Plays the kubelet for one Node of the test control plane: registers it (with GPUs), runs every pod the
/// scheduler binds to it as a local process (<see cref="PodLaunch"/>), reports the container's state and exit
/// code through pods/status, and stops pods that are deleted with SIGTERM, their grace period, then SIGKILL,
/// removing them as a kubelet does. Probes are not run: a started container counts as ready.
/// </summary>
public sealed class NodeAgent : IAsyncDisposable
{
    static readonly TimeSpan SyncInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Tainted so that only pods meant for an agent land there (pods of other tests on the shared control plane
    /// would otherwise run here, or hang in deletion once the agent has gone): they tolerate this key.
    /// </summary>
    public const string TaintKey = "apriel.dev/test-agent";

    readonly ControlPlane _cluster;
    readonly Kubernetes _client;
    readonly string _node;
    readonly IReadOnlyDictionary<string, string[]> _programs;
    readonly TestDirectory _directory;
    readonly ConcurrentDictionary<string, PodProcess> _pods = new();
    readonly ConcurrentQueue<string> _problems = new();
    readonly CancellationTokenSource _stop = new();
    Task _loop = Task.CompletedTask;

    NodeAgent(ControlPlane cluster, string node, IReadOnlyDictionary<string, string[]> programs)
    {
        _cluster = cluster;
        _client = cluster.CreateClient();
        _node = node;
        _programs = programs;
        _directory = TestDirectory.Create("node-" + node);
    }

    /// <summary>
    /// Registers <paramref name="node"/> and starts running its pods. <paramref name="programs"/> maps a container
    /// command's first word (e.g. <c>apriel-trainer</c>) to the local command that stands for it.
    /// </summary>
    /// <remarks>Pods must tolerate <see cref="TaintKey"/> and should select this node's hostname (<see cref="OperatorEnvironment"/>).</remarks>
    public static async Task<NodeAgent> StartAsync(ControlPlane cluster, string node, IReadOnlyDictionary<string, string[]> programs, int gpus = 8)
    {
        await cluster.RegisterNodeAsync(node, gpus, [new V1Taint { Key = TaintKey, Value = "true", Effect = "NoSchedule" }]);
        var agent = new NodeAgent(cluster, node, programs);
        agent._loop = Task.Run(agent.RunAsync);
        return agent;
    }

    /// <summary>The Node's name.</summary>
    public string Name => _node;

    /// <summary>
    /// The environment an operator needs so its trainer pods land here and nowhere else (other tests' nodes have no
    /// kubelet): a node selector on this node's hostname and a toleration of <see cref="TaintKey"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> OperatorEnvironment => new Dictionary<string, string>
    {
        ["APRIEL_DEFAULT_NODE_SELECTOR"] = "kubernetes.io/hostname=" + _node,
        ["APRIEL_DEFAULT_TOLERATIONS"] = $$"""[{"key":"{{TaintKey}}","operator":"Exists"}]""",
    };

    /// <summary>Problems the agent met (pods it could not run, API errors), for assertion messages.</summary>
    public IReadOnlyCollection<string> Problems => _problems;

    /// <summary>The log of every pod run so far, last lines first-started first, for assertion messages.</summary>
    public string LogTails(int lines = 15) =>
        string.Join("\n", _pods.Values.Select(p => $"--- {p.Name} (exit {(p.Process.HasExited ? p.Process.ExitCode : "running")})\n{p.Process.LogTail(lines)}"));

    /// <summary>Kills the running container of the pod whose name starts with <paramref name="podPrefix"/>, as a crash would; false when there is none.</summary>
    public bool Kill(string podPrefix)
    {
        var run = _pods.Values.FirstOrDefault(p => p.Name.Split('_', 2)[1].StartsWith(podPrefix, StringComparison.Ordinal) && !p.Process.HasExited);
        run?.Process.Kill();
        return run != null;
    }

    async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try { await SyncAsync(_stop.Token); }
            catch (Exception e) when (!_stop.IsCancellationRequested) { _problems.Enqueue(e.Message); }
            try { await Task.Delay(SyncInterval, _stop.Token); }
            catch (OperationCanceledException) { }
        }
    }

    async Task SyncAsync(CancellationToken cancellationToken)
    {
        var pods = (await _client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.nodeName=" + _node, cancellationToken: cancellationToken)).Items;
        foreach (var pod in pods)
        {
            _pods.TryGetValue(pod.Metadata.Uid, out var run);
            if (pod.Metadata.DeletionTimestamp != null) await StopAsync(pod, run, cancellationToken);
            else if (run == null && pod.Status?.Phase is not ("Succeeded" or "Failed")) await StartPodAsync(pod, cancellationToken);
            else if (run is { Reported: false } && run.Process.HasExited) await ReportExitAsync(pod, run, cancellationToken);
        }
        var live = pods.Select(p => p.Metadata.Uid).ToHashSet();
        foreach (var (uid, gone) in _pods.Where(p => !live.Contains(p.Key) && !p.Value.Process.HasExited)) gone.Process.Dispose();
    }

    async Task StartPodAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var name = $"{pod.Metadata.NamespaceProperty}_{pod.Metadata.Name}";
        var directory = _directory.Subdirectory(name);
        PodLaunch launch;
        try
        {
            launch = await PodLaunch.PrepareAsync(pod, _client, _programs, directory,
                (ns, serviceAccount) => _cluster.WriteKubeconfigForServiceAccountAsync(ns, serviceAccount, cancellationToken), cancellationToken);
        }
        catch (NotSupportedException e)
        {
            _problems.Enqueue($"{name}: {e.Message}");
            await PatchStatusAsync(pod, new { phase = "Failed", reason = "AgentCannotRun", message = e.Message }, cancellationToken);
            return;
        }
        var process = ChildProcess.Start(name, launch.FileName, launch.Arguments, Path.Combine(directory, "container.log"), launch.Environment);
        _pods[pod.Metadata.Uid] = new PodProcess(name, process, DateTime.UtcNow);
        var now = Timestamp(DateTime.UtcNow);
        await PatchStatusAsync(pod, new
        {
            phase = "Running",
            hostIP = "127.0.0.1",
            podIP = "127.0.0.1",
            startTime = now,
            conditions = new[] { "PodScheduled", "Initialized", "ContainersReady", "Ready" }.Select(type => new { type, status = "True", lastTransitionTime = now }),
            containerStatuses = new[] { ContainerStatus(pod, ready: true, new { running = new { startedAt = now } }) },
        }, cancellationToken);
    }

    async Task ReportExitAsync(V1Pod pod, PodProcess run, CancellationToken cancellationToken)
    {
        var code = run.Process.ExitCode;
        await PatchStatusAsync(pod, new
        {
            phase = code == 0 ? "Succeeded" : "Failed",
            conditions = new[] { "ContainersReady", "Ready" }.Select(type => new { type, status = "False", lastTransitionTime = Timestamp(DateTime.UtcNow) }),
            containerStatuses = new[]
            {
                ContainerStatus(pod, ready: false, new
                {
                    terminated = new { exitCode = code, reason = code == 0 ? "Completed" : "Error", startedAt = Timestamp(run.Started), finishedAt = Timestamp(DateTime.UtcNow) },
                }),
            },
        }, cancellationToken);
        run.Reported = true;
    }

    // SIGTERM once, SIGKILL after the grace period; the pod object goes once its process has.
    async Task StopAsync(V1Pod pod, PodProcess? run, CancellationToken cancellationToken)
    {
        if (run is { Process.HasExited: false })
        {
            run.StopRequested ??= DateTime.UtcNow;
            run.Process.RequestStop();
            if (DateTime.UtcNow - run.StopRequested < TimeSpan.FromSeconds(pod.Spec.TerminationGracePeriodSeconds ?? 30)) return;
            run.Process.Dispose();
        }
        try
        {
            await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound) { }
    }

    static object ContainerStatus(V1Pod pod, bool ready, object state) => new
    {
        name = pod.Spec.Containers[0].Name, image = pod.Spec.Containers[0].Image, imageID = "", ready, restartCount = 0, state,
    };

    Task PatchStatusAsync(V1Pod pod, object status, CancellationToken cancellationToken) =>
        _client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(JsonSerializer.Serialize(new { status }), V1Patch.PatchType.MergePatch),
            pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken);

    static string Timestamp(DateTime time) => time.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        foreach (var run in _pods.Values) run.Process.Dispose();
        await _client.CoreV1.DeleteNodeAsync(_node); // nothing more is scheduled to a node that no agent runs
        _client.Dispose();
        _directory.Dispose();
    }

    sealed class PodProcess(string name, ChildProcess process, DateTime started)
    {
        public string Name => name;
        public ChildProcess Process => process;
        public DateTime Started => started;
        public bool Reported { get; set; }
        public DateTime? StopRequested { get; set; }
    }
}
