using Apriel.Api.V1Alpha1;
using Apriel.Testing;
using k8s;
using k8s.Models;

namespace Apriel.Integration.Tests;

/// <summary>The Helm chart: lint, what it renders, and the operator running from it on the test control plane.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class ChartTests(ControlPlaneFixture fixture)
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Chart_lints_cleanly() => await HelmChart.HelmAsync("lint", "--strict", HelmChart.Path);

    [Fact]
    public async Task Operator_pod_is_restricted_and_gets_secrets_only_by_reference()
    {
        var objects = KubernetesYaml.LoadAllFromString(await HelmChart.RenderAsync("apriel-system", []));
        var deployment = Assert.Single(objects.OfType<V1Deployment>());
        var pod = deployment.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        Assert.Equal((true, "RuntimeDefault"), (pod.SecurityContext.RunAsNonRoot!.Value, pod.SecurityContext.SeccompProfile.Type));
        Assert.Equal((false, true), (container.SecurityContext.AllowPrivilegeEscalation!.Value, container.SecurityContext.ReadOnlyRootFilesystem!.Value));
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        Assert.All(container.Env.Where(e => e.Name.StartsWith("AWS_", StringComparison.Ordinal)), e => Assert.NotNull(e.ValueFrom.SecretKeyRef));
        Assert.Equal(("/healthz", "/readyz"), (container.LivenessProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Path));
        Assert.Contains(container.Env, e => e is { Name: "APRIEL_LEADER_ELECT", Value: "true" });
        Assert.Single(objects.OfType<V1Service>());
        Assert.Contains(objects.OfType<V1ClusterRole>().Single().Rules, r => r.Resources.Contains("trainingstages"));
        Assert.DoesNotContain(objects.OfType<V1ClusterRole>().Single().Rules, r => r.Resources.Contains("secrets"));

        Assert.Contains("kind: ServiceMonitor", await HelmChart.RenderAsync("apriel-system", ["metrics.serviceMonitor.enabled=true"], "templates/servicemonitor.yaml"));
        var rules = await HelmChart.RenderAsync("apriel-system", ["metrics.prometheusRule.enabled=true", "metrics.prometheusRule.pendingFor=2h"], "templates/prometheusrule.yaml");
        Assert.Contains("kind: PrometheusRule", rules);
        foreach (var alert in new[] { "AprielRunFailed", "AprielRunPendingTooLong", "AprielReconcileErrors", "AprielWorkQueueBacklog" })
            Assert.Contains("alert: " + alert, rules);
        Assert.Contains("summary: \"{{ $labels.kind }}(s) have been Pending for 2h\"", rules); // Prometheus templates survive Helm's
        Assert.Contains("for: 2h", rules);

        var crds = KubernetesYaml.LoadAllFromString(await HelmChart.HelmAsync("template", "x", HelmChart.Path, "--include-crds")).OfType<V1CustomResourceDefinition>();
        Assert.Equal(["modelmerges.apriel.dev", "trainingstages.apriel.dev"], crds.Select(c => c.Metadata.Name).Order());
    }

    [Fact]
    public async Task Operator_installed_from_the_chart_runs_and_reconciles()
    {
        var cluster = fixture.ControlPlane;
        await cluster.InstallCrdsAsync();
        var system = await cluster.CreateNamespaceAsync("chart-system");
        var work = await cluster.CreateNamespaceAsync("chart-work");
        using var client = cluster.CreateClient();
        foreach (var ns in new[] { system, work })
            await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = "apriel-s3" },
                StringData = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "test", ["AWS_SECRET_ACCESS_KEY"] = "test-secret" },
            }, ns);
        using var store = TestDirectory.Create("chart-store");
        await using var node = await NodeAgent.StartAsync(cluster, "chart-node-" + system[^6..], new Dictionary<string, string[]>
        {
            ["apriel-operator"] = ["dotnet", Path.Combine(AppContext.BaseDirectory, "apriel-operator.dll")],
        });

        try
        {
            await InstallAndReconcileAsync(cluster, client, node, system, work, store);
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\nagent problems: {string.Join("; ", node.Problems)}\npods:\n{node.LogTails()}", e);
        }
    }

    static async Task InstallAndReconcileAsync(ControlPlane cluster, Kubernetes client, NodeAgent node, string system, string work, TestDirectory store)
    {
        await HelmChart.InstallAsync(cluster, system,
        [
            "replicaCount=1", $"metrics.port={FreePort.Next()}", $"watchNamespace={work}",
            $"tolerations[0].key={NodeAgent.TaintKey}", "tolerations[0].operator=Exists", $"nodeSelector.kubernetes\\.io/hostname={node.Name}",
            $"artifacts.root={new Uri(store.FullPath + "/").AbsoluteUri}", "trainer.queueName=team-a", "trainer.nodeSelector.pool=gpu",
        ]);
        await Poll.UntilAsync("the operator pod to run", async ct =>
            (await client.CoreV1.ListNamespacedPodAsync(system, cancellationToken: ct)).Items.Any(p => p.Status?.Phase == "Running"), Timeout);

        Assert.True((await cluster.KubectlAsync("apply", "-n", work, "-f", RepoPaths.Of("examples/tiny/00-base.yaml"))).Succeeded);
        var job = await Poll.ForAsync("the operator to create the stage's Job", async ct =>
            (await client.BatchV1.ListNamespacedJobAsync(work, cancellationToken: ct)).Items.FirstOrDefault(), Timeout);
        // The chart's trainer defaults reached the Job (a 1.20 API server drops spec.suspend, so Kueue's part is not seen here).
        Assert.Equal("team-a", job.Metadata.Labels["kueue.x-k8s.io/queue-name"]);
        Assert.Equal("gpu", job.Spec.Template.Spec.NodeSelector["pool"]); // no such node: the trainer pod waits
        var stage = await Poll.ForAsync("the stage's status", async ct =>
        {
            var s = KubernetesJson.Deserialize<TrainingStage>((await cluster.KubectlAsync(["get", "ts", "base", "-n", work, "-o", "json"], null, cancellationToken: ct)).StdOut);
            return s.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Reason == "Unschedulable" ? s : null;
        }, Timeout);
        Assert.Equal(Phase.Pending, stage.Status!.Phase);
        Assert.Contains("nodes are available", stage.Status.Conditions!.Single(c => c.Type == "Ready").Message); // the scheduler's own words
        Assert.True(node.Problems.Count == 0, "the agent could not run every pod");
    }
}
