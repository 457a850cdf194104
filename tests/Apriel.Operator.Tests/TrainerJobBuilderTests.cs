using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Operator;
using Apriel.Operator.Jobs;

namespace Apriel.Operator.Tests;

public sealed class TrainerJobBuilderTests
{
    internal static readonly OperatorSettings Settings = new()
    {
        TrainerImage = "ghcr.io/apriel/trainer:1", ArtifactRoot = "s3://apriel/runs/", S3Endpoint = "minio:9000",
        S3SecretName = "apriel-s3",
    };

    internal static TrainingStage Stage(string extraSpec = "")
    {
        var yaml = $"""
            apiVersion: apriel.dev/v1alpha1
            kind: TrainingStage
            metadata: {"{"}name: cpt-1, namespace: team-a, uid: 7d1c{"}"}
            spec:
              model: {"{"}uri: s3://models/base/{"}"}
              train: [Decoder]
              data: {"{"}sequenceLength: 256, sources: [{"{"}name: t, uri: d/t.jsonl, format: Text{"}"}]{"}"}
              optimizer: {"{"}learningRate: 1.0e-3{"}"}
              budget: {"{"}steps: 100{"}"}
              batch: {"{"}globalBatchSize: 16{"}"}
            {extraSpec}
            """;
        var set = ManifestReader.Read(yaml, "stage.yaml");
        Assert.Empty(set.Problems);
        return (TrainingStage)set.Manifests.Single().Resource;
    }

    internal static TrainingTask Task(TrainingStage stage) => TaskBuilder.ForStage(stage,
        new ResolvedInput { Role = "model", Source = "s3://models/base/", Uri = "s3://models/base/", Digest = "sha256:" + new string('a', 64) },
        Settings.ArtifactRoot);

    [Fact]
    public void Job_is_named_after_stage_and_run_and_owned_by_the_stage()
    {
        var stage = Stage();
        var task = Task(stage);
        var (configMap, job) = TrainerJobBuilder.Build(stage, task, Settings);
        Assert.Equal($"cpt-1-{task.RunId}", job.Metadata.Name);
        Assert.Equal(job.Metadata.Name, configMap.Metadata.Name);
        var owner = Assert.Single(job.Metadata.OwnerReferences);
        Assert.Equal(("TrainingStage", "cpt-1", "7d1c", true), (owner.Kind, owner.Name, owner.Uid, owner.Controller!.Value));
        Assert.Equal(task.RunId, job.Metadata.Labels[Labels.RunId]);
        Assert.Equal(task.RunId, JsonSerializer.Deserialize<TrainingTask>(configMap.Data["task.json"], ApiJson.Options)!.RunId);
        Assert.Equal(TrainerJobBuilder.Build(stage, task, Settings).Job.Metadata.Name, job.Metadata.Name); // deterministic
    }

    [Fact]
    public void Pod_is_restricted_and_gets_credentials_only_by_reference()
    {
        var (_, job) = TrainerJobBuilder.Build(Stage(), Task(Stage()), Settings);
        var pod = job.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        Assert.Equal(("Never", false), (pod.RestartPolicy, pod.AutomountServiceAccountToken!.Value));
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        Assert.All(container.Env.Where(e => e.Name.StartsWith("AWS_")), e =>
        {
            Assert.Null(e.Value);
            Assert.Equal("apriel-s3", e.ValueFrom.SecretKeyRef.Name);
        });
        Assert.Equal(["apriel-trainer", "train", "--task", TrainerJobBuilder.TaskPath, "--device", "cuda"], container.Command); // it has GPUs
        Assert.Contains(container.VolumeMounts, m => m.MountPath == "/scratch");
    }

    [Fact]
    public void Resources_placement_retries_and_queue_come_from_the_spec()
    {
        var stage = Stage("""
              resources:
                nodes: 2
                gpusPerNode: 4
                gpuResourceName: amd.com/gpu
                cpu: 32
                memory: 256Gi
                nodeSelector: {pool: h100}
                tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
                priorityClassName: training
              retryLimit: 5
              queueName: team-a
            """);
        var built = TrainerJobBuilder.Build(stage, Task(stage), Settings);
        var job = built.Job;
        var pod = job.Spec.Template.Spec;
        var limits = pod.Containers[0].Resources.Limits;
        Assert.Equal(("4", "32", "256Gi"), (limits["amd.com/gpu"].ToString(), limits["cpu"].ToString(), limits["memory"].ToString()));
        Assert.Equal(limits, pod.Containers[0].Resources.Requests);
        Assert.Equal((2, 2, "Indexed", 5), (job.Spec.Completions!.Value, job.Spec.Parallelism!.Value, job.Spec.CompletionMode, job.Spec.BackoffLimit!.Value));
        Assert.Equal("h100", pod.NodeSelector["pool"]);
        Assert.Equal(("nvidia.com/gpu", "Exists", "NoSchedule"), (pod.Tolerations[0].Key, pod.Tolerations[0].OperatorProperty, pod.Tolerations[0].Effect));
        Assert.Equal("training", pod.PriorityClassName);
        Assert.Equal("team-a", job.Metadata.Labels[Labels.KueueQueue]);
        Assert.True(job.Spec.Suspend); // Kueue unsuspends on admission
        Assert.StartsWith("resources ask for 2 pod(s) × 4 GPU(s), but the trainer computes on one device of the first pod", built.IdleResources);
        Assert.Contains("1 pod(s) exit at once and 7 GPU(s) stay idle", built.IdleResources);
    }

    [Fact]
    public void A_stage_without_gpus_trains_on_the_cpu_and_asks_for_no_gpu()
    {
        var stage = Stage("  resources: {gpusPerNode: 0}");
        var container = TrainerJobBuilder.Build(stage, Task(stage), Settings).Job.Spec.Template.Spec.Containers[0];

        Assert.Equal(["--device", "cpu"], container.Command.TakeLast(2));
        Assert.DoesNotContain("nvidia.com/gpu", container.Resources.Limits.Keys);
    }

    [Fact]
    public void Defaults_use_the_operator_settings()
    {
        var built = TrainerJobBuilder.Build(Stage(), Task(Stage()), Settings);
        var job = built.Job;
        var container = job.Spec.Template.Spec.Containers[0];
        Assert.Equal("ghcr.io/apriel/trainer:1", container.Image);
        Assert.Equal("1", container.Resources.Limits["nvidia.com/gpu"].ToString()); // the one GPU the trainer uses
        Assert.Null(built.IdleResources);
        Assert.False(job.Spec.Suspend);
        Assert.Equal("NonIndexed", job.Spec.CompletionMode);
        Assert.Contains(job.Spec.PodFailurePolicy.Rules, r => r.OnExitCodes?.Values.Contains(TrainerExitCodes.Preempted) == true && r.Action == "Ignore");
    }

    [Fact]
    public void Placement_and_queue_defaults_apply_only_where_the_spec_sets_none()
    {
        var settings = Settings with
        {
            DefaultNodeSelector = new() { ["pool"] = "gpu" },
            DefaultTolerations = [new Toleration { Key = "nvidia.com/gpu", Operator = "Exists" }],
            DefaultQueueName = "shared",
        };
        var (_, defaulted) = TrainerJobBuilder.Build(Stage(), Task(Stage()), settings);
        Assert.Equal("gpu", defaulted.Spec.Template.Spec.NodeSelector["pool"]);
        Assert.Equal("nvidia.com/gpu", defaulted.Spec.Template.Spec.Tolerations[0].Key);
        Assert.Equal(("shared", true), (defaulted.Metadata.Labels[Labels.KueueQueue], defaulted.Spec.Suspend!.Value));

        var own = Stage("""
              resources: {nodeSelector: {pool: h100}}
              queueName: team-a
            """);
        var (_, job) = TrainerJobBuilder.Build(own, Task(own), settings);
        Assert.Equal(new Dictionary<string, string> { ["pool"] = "h100" }, job.Spec.Template.Spec.NodeSelector);
        Assert.Equal("team-a", job.Metadata.Labels[Labels.KueueQueue]);
    }
}

public sealed class MergeJobBuilderTests
{
    [Fact]
    public void Merge_runs_in_one_cpu_pod_with_the_merge_subcommand()
    {
        var set = ManifestReader.Read("""
            apiVersion: apriel.dev/v1alpha1
            kind: ModelMerge
            metadata: {name: upscale-avg, namespace: team-a, uid: 9f2e}
            spec:
              method: Linear
              inputs: [{stage: upscale, checkpoints: {select: Last, count: 2}}]
              resources: {cpu: 4, memory: 16Gi}
            """, "merge.yaml");
        var merge = (ModelMerge)set.Manifests.Single().Resource;
        var models = new[] { '1', '2' }.Select(d => new ResolvedInput { Role = "input-0", Source = "stage/upscale", Uri = $"s3://apriel/runs/{d}/", Digest = "sha256:" + new string(d, 64) }).ToList();
        var task = TaskBuilder.ForMerge(merge, [models], null, TrainerJobBuilderTests.Settings.ArtifactRoot);
        var (configMap, job) = TrainerJobBuilder.Build(merge, task, TrainerJobBuilderTests.Settings);

        var container = Assert.Single(job.Spec.Template.Spec.Containers);
        Assert.Equal(["apriel-trainer", "merge", "--task", TrainerJobBuilder.TaskPath], container.Command);
        Assert.Equal(["cpu", "memory"], container.Resources.Limits.Keys.Order());
        Assert.Equal((1, 2), (job.Spec.Completions!.Value, job.Spec.BackoffLimit!.Value));
        Assert.Equal("ModelMerge", Assert.Single(job.Metadata.OwnerReferences).Kind);
        Assert.Equal(2, JsonSerializer.Deserialize<MergeTask>(configMap.Data["task.json"], ApiJson.Options)!.Inputs.Count);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
    }
}
