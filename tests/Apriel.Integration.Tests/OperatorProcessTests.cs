using Apriel.Testing;
using k8s;

namespace Apriel.Integration.Tests;

/// <summary>
/// The operator program as a process, under the chart's least-privilege RBAC: configuration, JSON logs,
/// probes, metrics, reconciles, graceful stop.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class OperatorProcessTests(ControlPlaneFixture fixture)
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    ControlPlane Cluster => fixture.ControlPlane;

    [Fact]
    public async Task Operator_runs_stages_waits_for_dependencies_serves_probes_and_stops_on_sigterm()
    {
        await Cluster.InstallCrdsAsync();
        var ns = await Cluster.CreateNamespaceAsync("op");
        var leases = await Cluster.CreateNamespaceAsync("op-system");
        using var dir = TestDirectory.Create("operator");
        var kubeconfig = await OperatorIdentity.CreateAsync(Cluster, leases, dir.Combine("operator.kubeconfig"));
        var canReadSecrets = await Cluster.KubectlAsync(["auth", "can-i", "get", "secrets", "-n", ns], null, kubeconfig);
        Assert.Equal("no", canReadSecrets.StdOut.Trim()); // the operator never reads Secrets
        var port = FreePort.Next();
        var operatorDll = Path.Combine(AppContext.BaseDirectory, "apriel-operator.dll");
        using var process = ChildProcess.Start("apriel-operator", "dotnet",
            [operatorDll, $"--namespace={ns}", $"--lease-namespace={leases}", $"--probe-address=http://127.0.0.1:{port}"],
            dir.Combine("operator.log"),
            new Dictionary<string, string>
            {
                ["KUBECONFIG"] = kubeconfig, // exactly the chart's RBAC, not cluster-admin
                ["APRIEL_TRAINER_IMAGE"] = "apriel/trainer:test",
                ["APRIEL_ARTIFACT_ROOT"] = new Uri(dir.Subdirectory("artifacts") + "/").AbsoluteUri,
                ["APRIEL_S3_SECRET"] = "apriel-s3",
            });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Poll.UntilAsync("/readyz to answer 200", async ct => (await http.GetAsync("/readyz", ct)).IsSuccessStatusCode, Timeout, watched: process);

        Assert.True((await Cluster.KubectlAsync("apply", "-n", ns, "-f", RepoPaths.Of("examples/tiny"))).Succeeded);
        using var client = Cluster.CreateClient();
        var job = await Poll.ForAsync("the base stage's Job", async ct =>
            (await client.BatchV1.ListNamespacedJobAsync(ns, cancellationToken: ct)).Items.FirstOrDefault(), Timeout, watched: process);
        Assert.StartsWith("base-", job.Metadata.Name);
        var waiting = await Poll.ForAsync("upscale to wait for its merge", async ct =>
        {
            var json = (await Cluster.KubectlAsync(["get", "ts", "upscale", "-n", ns, "-o", "json"], null, cancellationToken: ct)).StdOut;
            var stage = KubernetesJson.Deserialize<Apriel.Api.V1Alpha1.TrainingStage>(json);
            return stage.Status?.Conditions?.FirstOrDefault(c => c.Type == "DependenciesReady" && c.Status == "False");
        }, Timeout, watched: process);
        Assert.Contains("merge/upscale-init", waiting.Message);
        Assert.Single((await client.BatchV1.ListNamespacedJobAsync(ns)).Items); // nothing else runs before its inputs exist

        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("controller_runtime_reconcile_total{controller=\"trainingstage\",result=\"success\"}", metrics);
        Assert.Contains("workqueue_depth", metrics);
        Assert.Contains("rest_client_requests_total{method=\"POST\",code=\"201\"}", metrics); // the Job it created
        Assert.Equal(0, await process.TerminateAsync(Timeout));
        Assert.Contains("\"@mt\":\"Started;", File.ReadAllText(process.LogPath)); // structured JSON logs
    }
}
