using Apriel.Api.Runs;
using Apriel.Api.Validation;
using Apriel.Api.V1Alpha1;
using Apriel.Operator.Jobs;
using Apriel.Operator.Status;
using k8s.Models;

namespace Apriel.Operator.Runs;

/// <summary>What a referenced stage or merge looks like right now.</summary>
/// <param name="Ref">The reference as written in the spec.</param>
/// <param name="Exists">Whether the resource exists.</param>
/// <param name="Phase">Its phase, when it has one.</param>
/// <param name="Output">Its committed output, once it has succeeded.</param>
public sealed record DependencyState(ResourceRef Ref, bool Exists, Phase? Phase, ArtifactRef? Output)
{
    /// <summary>Whether what depends on it can run: it succeeded and committed its output.</summary>
    public bool IsReady => Exists && Phase == Api.V1Alpha1.Phase.Succeeded && Output != null;
}

/// <summary>
/// The parts of a TrainingStage or ModelMerge the planner decides on: both run one trainer Job per run id and
/// report a <see cref="RunStatus"/>.
/// </summary>
public sealed record RunResource
{
    /// <summary><c>TrainingStage</c> or <c>ModelMerge</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Its metadata (name, generation, finalizers, deletion).</summary>
    public required V1ObjectMeta Metadata { get; init; }

    /// <summary>Its status as last written.</summary>
    public RunStatus? Status { get; init; }

    /// <summary>Its inputs in short form, for <c>status.source</c>.</summary>
    public required string Source { get; init; }

    /// <summary>Failed pods tolerated before the run fails.</summary>
    public int RetryLimit { get; init; }

    /// <summary>Whether <c>spec.suspend</c> asks it to pause.</summary>
    public bool Suspend { get; init; }

    /// <summary>What happens to its artifacts when it is deleted.</summary>
    public RetentionPolicy RetentionPolicy { get; init; }

    /// <summary>What its Job does, for messages: "training" or "merging".</summary>
    public string Activity => Kind == ModelMerge.KindName ? "merging" : "training";
}

/// <summary>A run whose inputs are resolved: its identity, inputs, output location and the Job that runs it.</summary>
public sealed record ResolvedRun(string RunId, IReadOnlyList<ResolvedInput> Inputs, string Output, TrainerJob Job);

/// <summary>
/// Everything a reconciler observed, gathered by its I/O shell (caches, artifact store) before the pure
/// decision: the resource, its validation errors, its dependencies, its run (when the inputs could be resolved),
/// the run's committed output and progress, and the Jobs it owns.
/// </summary>
public sealed record RunObservation
{
    /// <summary>The resource as read from the cache.</summary>
    public required RunResource Resource { get; init; }

    /// <summary>Problems of the spec (schema, field rules); it runs only when there are none.</summary>
    public IReadOnlyList<FieldError> SpecErrors { get; init; } = [];

    /// <summary>The referenced stages and merges, in spec order.</summary>
    public IReadOnlyList<DependencyState> Dependencies { get; init; } = [];

    /// <summary>The current run; null while an input cannot be resolved yet.</summary>
    public ResolvedRun? Run { get; init; }

    /// <summary>Why an input could not be resolved (e.g. a URI without a committed MANIFEST.json).</summary>
    public string? ResolveError { get; init; }

    /// <summary>The committed final model of the current run, if any: the run is done (or was done before).</summary>
    public ArtifactRef? CommittedOutput { get; init; }

    /// <summary>The trainer's latest progress report for the current run.</summary>
    public Progress? Progress { get; init; }

    /// <summary>Committed checkpoints of the current run.</summary>
    public IReadOnlyList<CheckpointRef> Checkpoints { get; init; } = [];

    /// <summary>The pods of the current run's Job.</summary>
    public PodDiagnosis Pods { get; init; } = PodDiagnosis.None;

    /// <summary>Jobs owned by the resource (any run).</summary>
    public IReadOnlyList<V1Job> Jobs { get; init; } = [];
}
