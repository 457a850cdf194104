using k8s;

namespace Apriel.Testing;

/// <summary>Knobs for <see cref="ControlPlane.StartAsync"/>.</summary>
public sealed record ControlPlaneOptions
{
    /// <summary>How long each component may take to become healthy.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Appended to kube-apiserver's command line (later flags win).</summary>
    public IReadOnlyList<string> ExtraApiServerArguments { get; init; } = [];
}

/// <summary>
/// A real Kubernetes 1.20 control plane for tests: etcd, kube-apiserver, kube-controller-manager
/// (Job, Deployment, ReplicaSet, garbage-collector, service-account and namespace controllers only) and kube-scheduler, on free
/// loopback ports, from the binaries tests/env/install.sh caches. There is no kubelet: tests
/// register Nodes (<see cref="RegisterNodeAsync"/>) and play the kubelet through pods/status.
/// </summary>
public sealed partial class ControlPlane : IAsyncDisposable
{
    public const string ServiceClusterIpRange = "10.0.0.0/24";
    public const string KubernetesServiceIp = "10.0.0.1";
    public const string ServiceAccountIssuer = "https://kubernetes.default.svc";

    // Health probes only: the components serve self-signed or test-CA certificates on loopback.
    private static readonly HttpClient Probe = new(new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
    })
    { Timeout = TimeSpan.FromSeconds(5) };

    private readonly TestDirectory directory;
    private readonly List<ChildProcess> processes = []; // in start order
    private int disposed;

    private ControlPlane(TestDirectory directory, Certificates certificates, int apiServerPort)
    {
        this.directory = directory;
        Certificates = certificates;
        Server = $"https://127.0.0.1:{apiServerPort}";
        AdminKubeconfigPath = directory.Combine("admin.kubeconfig");
        Kubeconfig.WriteForClientCertificate(AdminKubeconfigPath, Server, certificates.CaPem, certificates.Admin);
    }

    /// <summary>The API server's URL, https://127.0.0.1:PORT.</summary>
    public string Server { get; }

    /// <summary>A kubeconfig with cluster-admin rights (client certificate in system:masters).</summary>
    public string AdminKubeconfigPath { get; }

    public Certificates Certificates { get; }

    /// <summary>Temp dir with certificates, kubeconfigs, etcd data and one log file per component.</summary>
    public string Directory => directory.FullPath;

    /// <summary>Starts all components and waits until they are healthy.</summary>
    public static async Task<ControlPlane> StartAsync(ControlPlaneOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ControlPlaneOptions();
        TestTools.RequireControlPlane(); // a missing install fails here, with the install hint

        var directory = TestDirectory.Create("kube");
        ControlPlane? controlPlane = null;
        try
        {
            controlPlane = new ControlPlane(directory, Certificates.Generate(directory.Subdirectory("pki")), FreePort.Next());
            await controlPlane.StartComponentsAsync(options, cancellationToken);
            return controlPlane;
        }
        catch
        {
            if (controlPlane is not null)
            {
                await controlPlane.DisposeAsync();
            }
            directory.Dispose();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            // Reverse start order: clients of the API server first, etcd last.
            for (var i = processes.Count - 1; i >= 0; i--)
            {
                processes[i].Dispose();
            }
            directory.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private async Task StartComponentsAsync(ControlPlaneOptions options, CancellationToken ct)
    {
        var timeout = options.StartupTimeout;
        var pki = Certificates;

        var etcdUrl = $"http://127.0.0.1:{FreePort.Next()}";
        var peerUrl = $"http://127.0.0.1:{FreePort.Next()}";
        var etcd = Start("etcd", TestTools.Etcd,
            "--name=test",
            $"--data-dir={directory.Subdirectory("etcd")}",
            $"--listen-client-urls={etcdUrl}",
            $"--advertise-client-urls={etcdUrl}",
            $"--listen-peer-urls={peerUrl}",
            $"--initial-advertise-peer-urls={peerUrl}",
            $"--initial-cluster=test={peerUrl}",
            "--unsafe-no-fsync", // test data: durability is irrelevant, fsync is slow
            "--logger=zap");
        await Poll.UntilAsync("etcd /health", c => IsHealthyAsync($"{etcdUrl}/health", c), timeout, ct, etcd);

        string[] apiServerArguments =
        [
            $"--etcd-servers={etcdUrl}",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            $"--secure-port={new Uri(Server).Port}",
            "--insecure-port=0",
            $"--cert-dir={directory.Subdirectory("apiserver")}",
            $"--tls-cert-file={pki.ApiServer.CertificatePath}",
            $"--tls-private-key-file={pki.ApiServer.KeyPath}",
            $"--client-ca-file={pki.Ca.CertificatePath}",
            "--authorization-mode=RBAC",
            $"--service-account-key-file={pki.ServiceAccountPublicKeyPath}",
            $"--service-account-signing-key-file={pki.ServiceAccountPrivateKeyPath}",
            $"--service-account-issuer={ServiceAccountIssuer}",
            $"--service-cluster-ip-range={ServiceClusterIpRange}",
            "--allow-privileged=true",
            "--profiling=false",
        ];
        var apiServer = Start("kube-apiserver", TestTools.KubeApiServer, [.. apiServerArguments, .. options.ExtraApiServerArguments]);
        await Poll.UntilAsync("kube-apiserver /readyz", c => IsHealthyAsync($"{Server}/readyz", c), timeout, ct, apiServer);

        // The controller manager acts as admin: with --use-service-account-credentials=false the
        // controllers run under its own identity, and the bootstrap role for that is too narrow.
        var controllerManagerPort = FreePort.Next();
        var controllerManager = Start("kube-controller-manager", TestTools.KubeControllerManager,
            $"--kubeconfig={AdminKubeconfigPath}",
            // No node lifecycle controller: it would taint and evict from kubelet-less Nodes.
            // The namespace controller lets tests clean up by deleting their namespace.
            "--controllers=job,deployment,replicaset,garbagecollector,serviceaccount,serviceaccount-token,namespace",
            $"--service-account-private-key-file={pki.ServiceAccountPrivateKeyPath}",
            $"--root-ca-file={pki.Ca.CertificatePath}",
            "--use-service-account-credentials=false",
            "--leader-elect=false",
            "--port=0", // 1.20 otherwise also serves an old insecure port on 0.0.0.0
            "--bind-address=127.0.0.1",
            $"--secure-port={controllerManagerPort}",
            $"--cert-dir={directory.Subdirectory("controller-manager")}");

        var schedulerKubeconfig = directory.Combine("scheduler.kubeconfig");
        Kubeconfig.WriteForClientCertificate(schedulerKubeconfig, Server, pki.CaPem,
            pki.IssueClient("scheduler", "system:kube-scheduler")); // bound by RBAC's bootstrap policy
        var schedulerPort = FreePort.Next();
        var scheduler = Start("kube-scheduler", TestTools.KubeScheduler,
            $"--kubeconfig={schedulerKubeconfig}",
            "--leader-elect=false",
            "--port=0",
            "--bind-address=127.0.0.1",
            $"--secure-port={schedulerPort}",
            $"--cert-dir={directory.Subdirectory("scheduler")}");

        await Task.WhenAll(
            Poll.UntilAsync("kube-controller-manager /healthz",
                c => IsHealthyAsync($"https://127.0.0.1:{controllerManagerPort}/healthz", c), timeout, ct, controllerManager),
            Poll.UntilAsync("kube-scheduler /healthz",
                c => IsHealthyAsync($"https://127.0.0.1:{schedulerPort}/healthz", c), timeout, ct, scheduler));

        // Pod admission needs the namespace's "default" ServiceAccount and its token Secret.
        using var client = CreateClient();
        await Poll.UntilAsync("the default ServiceAccount's token", async c =>
        {
            var account = await client.CoreV1.ReadNamespacedServiceAccountAsync("default", "default", cancellationToken: c);
            return account.Secrets is { Count: > 0 };
        }, timeout, ct, controllerManager);
    }

    private ChildProcess Start(string name, string fileName, params string[] arguments)
    {
        var process = ChildProcess.Start(name, fileName, arguments, directory.Combine($"{name}.log"));
        processes.Add(process);
        return process;
    }

    private static async Task<bool> IsHealthyAsync(string url, CancellationToken ct)
    {
        using var response = await Probe.GetAsync(url, ct);
        return response.IsSuccessStatusCode;
    }
}
