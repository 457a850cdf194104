using k8s.Models;

namespace Apriel.Operator.Status;

/// <summary>
/// What a run's pods say that the Job's counters do not: whether a trainer is actually running, why pods wait
/// (unschedulable, an image that cannot be pulled, a missing Secret) and how the last one failed. A 1.20–1.22 Job
/// counts a pod that cannot be scheduled as active, so without this a stuck stage would look like it is training.
/// </summary>
/// <param name="Seen">Whether any pod of the run was observed.</param>
/// <param name="AnyRunning">Whether a pod of the run is running.</param>
/// <param name="WaitingReason">Why a pod waits (a Kubernetes reason, e.g. Unschedulable, ImagePullBackOff).</param>
/// <param name="WaitingMessage">The same, for people.</param>
/// <param name="LastFailure">How the most recent failed pod ended, with the trainer's last words.</param>
public sealed record PodDiagnosis(bool Seen, bool AnyRunning, string? WaitingReason, string? WaitingMessage, string? LastFailure)
{
    const int MaxFailureLength = 400;

    /// <summary>Nothing observed.</summary>
    public static readonly PodDiagnosis None = new(false, false, null, null, null);

    /// <summary>Diagnoses the pods of one run.</summary>
    public static PodDiagnosis Of(IReadOnlyList<V1Pod> pods)
    {
        if (pods.Count == 0) return None;
        var (reason, message) = pods.Where(p => p.Status?.Phase == "Pending").Select(Waiting).FirstOrDefault(w => w.Reason != null);
        var failed = pods.Where(p => p.Status?.Phase == "Failed").OrderBy(p => p.Metadata.CreationTimestamp).LastOrDefault();
        return new PodDiagnosis(true, pods.Any(p => p.Status?.Phase == "Running"), reason, message, failed == null ? null : Failure(failed));
    }

    static (string? Reason, string? Message) Waiting(V1Pod pod)
    {
        var name = pod.Metadata.Name;
        if (pod.Status.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False") is { } unscheduled)
            return (unscheduled.Reason ?? "Unschedulable", $"pod {name} cannot be scheduled: {unscheduled.Message}");
        var waiting = pod.Status.ContainerStatuses?.Select(c => c.State?.Waiting).FirstOrDefault(w => w is { Reason: not (null or "ContainerCreating") });
        return waiting == null ? (null, null) : (waiting.Reason, $"pod {name}: {waiting.Reason}" + (waiting.Message is { Length: > 0 } m ? $": {m}" : ""));
    }

    static string Failure(V1Pod pod)
    {
        var terminated = pod.Status.ContainerStatuses?.Select(c => c.State?.Terminated).FirstOrDefault(t => t != null);
        var how = terminated != null ? $"exited with code {terminated.ExitCode} ({terminated.Reason})"
            : $"failed ({pod.Status.Reason ?? "unknown reason"}{(pod.Status.Message is { Length: > 0 } pm ? ": " + pm : "")})";
        // The trainer's last lines (terminationMessagePolicy FallbackToLogsOnError), e.g. "error: <path>: <why>".
        var words = terminated?.Message?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(2) ?? [];
        var text = $"pod {pod.Metadata.Name} {how}" + (words.Any() ? ": " + string.Join(" | ", words) : "");
        return text.Length <= MaxFailureLength ? text : text[..(MaxFailureLength - 1)] + "…";
    }
}
