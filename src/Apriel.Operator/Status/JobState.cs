using k8s.Models;

namespace Apriel.Operator.Status;

/// <summary>What a trainer Job is doing, read off its status.</summary>
public enum JobPhase
{
    /// <summary>Created, no pod running yet (scheduling, pulling images).</summary>
    Pending,

    /// <summary>Suspended: waiting for Kueue's admission, or paused by the stage.</summary>
    Suspended,

    /// <summary>At least one pod is running.</summary>
    Running,

    /// <summary>Every completion succeeded.</summary>
    Complete,

    /// <summary>The Job gave up (backoff limit, deadline, or a pod failure policy).</summary>
    Failed,
}

/// <summary>The observed state of a Job: phase, pods that have failed so far, and why it failed.</summary>
public sealed record JobState(JobPhase Phase, int FailedPods, string? Reason, string? Message)
{
    /// <summary>Reads a Job's status (the Job controller's conditions win over counters).</summary>
    public static JobState Of(V1Job job)
    {
        var status = job.Status ?? new V1JobStatus();
        var failed = status.Failed ?? 0;
        var condition = status.Conditions?.FirstOrDefault(c => c.Status == "True" && c.Type is "Complete" or "Failed" or "Suspended");
        return condition?.Type switch
        {
            "Complete" => new(JobPhase.Complete, failed, condition.Reason, condition.Message),
            "Failed" => new(JobPhase.Failed, failed, condition.Reason ?? "Failed", condition.Message),
            "Suspended" => new(JobPhase.Suspended, failed, condition.Reason, condition.Message),
            _ when job.Spec?.Suspend == true => new(JobPhase.Suspended, failed, "Suspended", "the Job is suspended"),
            _ when (status.Active ?? 0) > 0 => new(JobPhase.Running, failed, null, null),
            _ => new(JobPhase.Pending, failed, null, null),
        };
    }
}
