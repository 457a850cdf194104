using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace Apriel.Operator.Jobs;

/// <summary>
/// The Kubernetes objects of one stage or merge run: the task as a ConfigMap and the trainer Job; and what the user
/// should know about them (<see cref="IdleResources"/>).
/// </summary>
public sealed record TrainerJob(V1ConfigMap Task, V1Job Job)
{
    /// <summary>
    /// Set when the Job asks for pods or GPUs the trainer cannot use: it computes on one device of its first pod
    /// (TorchSharp 0.107 has no collective-communication backend), so the other GPUs stay idle and the other pods exit at once.
    /// </summary>
    public string? IdleResources { get; init; }
}

/// <summary>What a run's Job is made from, for stages and merges alike.</summary>
internal sealed record RunJob(
    IKubernetesObject<V1ObjectMeta> Owner,
    string RunId,
    string TaskJson,
    string Subcommand,
    string? Image,
    PodResources Resources,
    int Gpus,
    string? GpuResourceName,
    int Nodes,
    int RetryLimit,
    string? QueueName);

/// <summary>
/// Builds the trainer Job of a stage or merge run. Pure: the same resource, task and settings give the same
/// objects, with deterministic names (resource + run id), so a restarted operator finds what it made instead
/// of doubling it.
/// </summary>
public static class TrainerJobBuilder
{
    /// <summary>Where the task file is mounted in the pod.</summary>
    public const string TaskPath = "/etc/apriel/task.json";

    const string TaskVolume = "task";

    /// <summary>The Job's name: <c>STAGE-RUNID</c>, at most 53 characters (names are ≤ 40, run ids 12).</summary>
    public static string JobName(string resource, string runId) => $"{resource}-{runId}";

    /// <summary>The objects of a stage run: <c>apriel-trainer train</c> on the stage's GPUs.</summary>
    public static TrainerJob Build(TrainingStage stage, TrainingTask task, OperatorSettings settings)
    {
        var s = stage.Spec;
        return Build(new RunJob(stage, task.RunId, JsonSerializer.Serialize(task, ApiJson.Options), "train", s.Image, s.Resources,
            s.Resources.GpusPerNode, s.Resources.GpuResourceName, s.Resources.Nodes, s.RetryLimit, s.QueueName), settings);
    }

    /// <summary>The objects of a merge run: <c>apriel-trainer merge</c> in one CPU pod.</summary>
    public static TrainerJob Build(ModelMerge merge, MergeTask task, OperatorSettings settings)
    {
        var s = merge.Spec;
        return Build(new RunJob(merge, task.RunId, JsonSerializer.Serialize(task, ApiJson.Options), "merge", s.Image, s.Resources,
            0, null, 1, s.RetryLimit, s.QueueName), settings);
    }

    static TrainerJob Build(RunJob run, OperatorSettings settings)
    {
        var owner = run.Owner;
        var ns = owner.Metadata.NamespaceProperty;
        var name = JobName(owner.Metadata.Name, run.RunId);
        var labels = LabelsFor(owner, run.RunId);
        var reference = new V1OwnerReference
        {
            ApiVersion = owner.ApiVersion, Kind = owner.Kind, Name = owner.Metadata.Name, Uid = owner.Metadata.Uid,
            Controller = true, BlockOwnerDeletion = true,
        };
        var configMap = new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels, OwnerReferences = [reference] },
            Data = new Dictionary<string, string> { ["task.json"] = run.TaskJson },
        };
        var jobLabels = new Dictionary<string, string>(labels);
        var queue = run.QueueName ?? settings.DefaultQueueName;
        if (queue != null) jobLabels[Labels.KueueQueue] = queue;
        var job = new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = jobLabels, OwnerReferences = [reference] },
            Spec = new V1JobSpec
            {
                // Kueue admits queued Jobs by unsuspending them; they must be created suspended.
                Suspend = queue != null,
                BackoffLimit = run.RetryLimit,
                Completions = run.Nodes,
                Parallelism = run.Nodes,
                CompletionMode = run.Nodes > 1 ? "Indexed" : "NonIndexed",
                PodFailurePolicy = PodFailurePolicy(),
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = PodSpec(run, name, settings),
                },
            },
        };
        var gpus = run.Nodes * run.Gpus;
        return new TrainerJob(configMap, job)
        {
            IdleResources = gpus > 1 || run.Nodes > 1
                ? $"resources ask for {run.Nodes} pod(s) × {run.Gpus} GPU(s), but the trainer computes on one device of the first pod " +
                  $"(no distributed training in this version): {run.Nodes - 1} pod(s) exit at once and {Math.Max(0, gpus - 1)} GPU(s) stay idle; " +
                  "set resources.nodes: 1 and gpusPerNode: 1 (0 for CPU)"
                : null,
        };
    }

    // A stage given GPUs insists on CUDA: a CPU build of the image, or a node without a working driver, then fails at once
    // naming why instead of training on the CPU a thousand times slower. Merges run on the CPU and take no device.
    static string[] DeviceArguments(RunJob run) => run.Subcommand != "train" ? [] : ["--device", run.Gpus > 0 ? "cuda" : "cpu"];

    static Dictionary<string, string> LabelsFor(IKubernetesObject<V1ObjectMeta> owner, string runId) => new()
    {
        [Labels.Name] = "apriel-trainer",
        [Labels.ManagedBy] = Labels.Operator,
        [Labels.Kind] = owner.Kind,
        [Labels.Resource] = owner.Metadata.Name,
        [Labels.RunId] = runId,
    };

    // Disruptions (preemption, node drain) and the trainer's own "preempted" exit resume from the last
    // checkpoint without using up the retry budget. Servers before 1.26 drop this field.
    static V1PodFailurePolicy PodFailurePolicy() => new()
    {
        Rules =
        [
            new V1PodFailurePolicyRule
            {
                Action = "Ignore",
                OnPodConditions = [new V1PodFailurePolicyOnPodConditionsPattern { Type = "DisruptionTarget", Status = "True" }],
            },
            new V1PodFailurePolicyRule
            {
                Action = "Ignore",
                OnExitCodes = new V1PodFailurePolicyOnExitCodesRequirement
                {
                    ContainerName = "trainer", OperatorProperty = "In", Values = [TrainerExitCodes.Preempted],
                },
            },
        ],
    };

    static V1PodSpec PodSpec(RunJob run, string name, OperatorSettings settings)
    {
        var r = run.Resources;
        var limits = new Dictionary<string, ResourceQuantity>();
        if (run.Gpus > 0) limits[run.GpuResourceName ?? settings.GpuResourceName] = new ResourceQuantity(run.Gpus.ToString());
        if (r.Cpu != null) limits["cpu"] = new ResourceQuantity(r.Cpu);
        if (r.Memory != null) limits["memory"] = new ResourceQuantity(r.Memory);
        return new V1PodSpec
        {
            RestartPolicy = "Never", // retries are the Job's, each resuming from the last committed checkpoint
            AutomountServiceAccountToken = false, // the trainer never talks to Kubernetes
            TerminationGracePeriodSeconds = settings.TerminationGracePeriodSeconds,
            NodeSelector = r.NodeSelector ?? settings.DefaultNodeSelector,
            Tolerations = (r.Tolerations ?? settings.DefaultTolerations)?.Select(t => new V1Toleration
            {
                Key = t.Key, OperatorProperty = t.Operator, Value = t.Value, Effect = t.Effect, TolerationSeconds = t.TolerationSeconds,
            }).ToList(),
            PriorityClassName = r.PriorityClassName,
            SecurityContext = new V1PodSecurityContext
            {
                RunAsNonRoot = true,
                RunAsUser = 65532,
                RunAsGroup = 65532,
                FsGroup = 65532,
                SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
            },
            Containers =
            [
                new V1Container
                {
                    Name = "trainer",
                    Image = run.Image ?? settings.TrainerImage,
                    Command = ["apriel-trainer", run.Subcommand, "--task", TaskPath, .. DeviceArguments(run)],
                    // A failed trainer's last log lines ("error: PATH: why") become the pod's termination message,
                    // which the operator copies into the resource's status.
                    TerminationMessagePolicy = "FallbackToLogsOnError",
                    Env = Env(settings),
                    Resources = new V1ResourceRequirements { Limits = limits, Requests = limits },
                    SecurityContext = new V1SecurityContext
                    {
                        AllowPrivilegeEscalation = false,
                        ReadOnlyRootFilesystem = true,
                        RunAsNonRoot = true,
                        Capabilities = new V1Capabilities { Drop = ["ALL"] },
                    },
                    VolumeMounts =
                    [
                        new V1VolumeMount { Name = TaskVolume, MountPath = Path.GetDirectoryName(TaskPath)!, ReadOnlyProperty = true },
                        new V1VolumeMount { Name = "scratch", MountPath = "/scratch" },
                        new V1VolumeMount { Name = "tmp", MountPath = "/tmp" },
                        new V1VolumeMount { Name = "dshm", MountPath = "/dev/shm" },
                    ],
                },
            ],
            Volumes =
            [
                new V1Volume { Name = TaskVolume, ConfigMap = new V1ConfigMapVolumeSource { Name = name } },
                new V1Volume { Name = "scratch", EmptyDir = new V1EmptyDirVolumeSource() },
                new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() },
                // Data loaders and collective communication use shared memory; the default 64 MiB is too small.
                new V1Volume { Name = "dshm", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory" } },
            ],
        };
    }

    static List<V1EnvVar> Env(OperatorSettings settings)
    {
        V1EnvVar FromSecret(string key) => new()
        {
            Name = key,
            ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = settings.S3SecretName, Key = key } },
        };
        var env = new List<V1EnvVar>
        {
            FromSecret("AWS_ACCESS_KEY_ID"),
            FromSecret("AWS_SECRET_ACCESS_KEY"),
            new() { Name = "APRIEL_SCRATCH", Value = "/scratch" },
            new() { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
        };
        if (settings.S3Endpoint != null) env.Add(new V1EnvVar { Name = "APRIEL_S3_ENDPOINT", Value = settings.S3Endpoint });
        if (settings.S3Insecure) env.Add(new V1EnvVar { Name = "APRIEL_S3_INSECURE", Value = "true" });
        return env;
    }
}
