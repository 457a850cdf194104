using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Operator;
using Apriel.Operator.Jobs;
using Apriel.Testing;
using k8s;
using k8s.Models;

namespace Apriel.Integration.Tests;

/// <summary>The trainer Job as built by the operator, on a real API server, Job controller and scheduler.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class TrainerJobTests(ControlPlaneFixture fixture)
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    ControlPlane Cluster => fixture.ControlPlane;

    [Fact]
    public async Task Built_job_is_accepted_and_its_pod_lands_on_a_gpu_node_with_the_built_spec()
    {
        var ns = await Cluster.CreateNamespaceAsync("job");
        var node = await Cluster.RegisterNodeAsync("gpu-" + ns, gpuCount: 8);
        // A real owner: with an owner UID that does not exist, the garbage collector would delete the Job.
        await Cluster.InstallCrdsAsync();
        Assert.True((await Cluster.KubectlAsync("apply", "-n", ns, "-f", RepoPaths.Of("examples/apriel-15b/04-realign.yaml"))).Succeeded);
        var stage = KubernetesJson.Deserialize<TrainingStage>((await Cluster.KubectlAsync("get", "ts", "realign", "-n", ns, "-o", "json")).StdOut);
        var settings = new OperatorSettings { TrainerImage = "apriel/trainer:test", ArtifactRoot = "s3://apriel/", S3SecretName = "apriel-s3" };
        var task = TaskBuilder.ForStage(stage, new ResolvedInput { Role = "model", Source = "merge/upscale-avg", Uri = "s3://apriel/x/model/", Digest = "sha256:" + new string('b', 64) }, settings.ArtifactRoot);
        // Four nodes of the paper's manifest would need four GPU nodes; one is enough to check the pod.
        stage.Spec = stage.Spec with { Resources = stage.Spec.Resources with { Nodes = 1 } };
        var (configMap, job) = TrainerJobBuilder.Build(stage, task, settings);

        using var client = Cluster.CreateClient();
        await client.CoreV1.CreateNamespacedConfigMapAsync(configMap, ns);
        await client.BatchV1.CreateNamespacedJobAsync(job, ns);

        var pod = await Poll.ForAsync("the Job's pod to be bound", async ct =>
            (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"{Labels.RunId}={task.RunId}", cancellationToken: ct))
                .Items.FirstOrDefault(p => p.Spec.NodeName != null), Timeout);
        Assert.Equal(node.Metadata.Name, pod.Spec.NodeName);
        var container = Assert.Single(pod.Spec.Containers);
        Assert.Equal(job.Spec.Template.Spec.Containers[0].Command, container.Command);
        Assert.Equal("8", container.Resources.Limits["nvidia.com/gpu"].ToString());
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        Assert.Equal("RuntimeDefault", pod.Spec.SecurityContext.SeccompProfile.Type);
        Assert.False(pod.Spec.AutomountServiceAccountToken);
        Assert.Contains(pod.Spec.Tolerations, t => t.Key == "nvidia.com/gpu" && t.Effect == "NoSchedule");
        Assert.Equal(TrainerJobBuilder.TaskPath[..TrainerJobBuilder.TaskPath.LastIndexOf('/')],
            container.VolumeMounts.Single(m => m.Name == "task").MountPath);
        var owner = Assert.Single((await client.BatchV1.ReadNamespacedJobAsync(job.Metadata.Name, ns)).Metadata.OwnerReferences);
        Assert.Equal("TrainingStage", owner.Kind);
    }
}
