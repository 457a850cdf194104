using Apriel.Api.Runs;
using Apriel.Api.Validation;
using Apriel.Api.V1Alpha1;
using k8s.Models;

namespace Apriel.Operator.Stages;

/// <summary>What a referenced stage or merge looks like right now.</summary>
/// <param name="Ref">The reference as written in the spec.</param>
/// <param name="Exists">Whether the resource exists.</param>
/// <param name="Phase">Its phase, when it has one.</param>
/// <param name="Output">Its committed output, once it has succeeded.</param>
public sealed record DependencyState(ResourceRef Ref, bool Exists, Phase? Phase, ArtifactRef? Output);

/// <summary>
/// Everything the stage reconciler observed, gathered by its I/O shell (cache, artifact store) before the pure
/// decision: the stage, its validation errors, its dependency, its task (when the inputs could be resolved),
/// the run's committed output and progress, and the Jobs it owns.
/// </summary>
public sealed record StageObservation
{
    /// <summary>The stage as read from the cache.</summary>
    public required TrainingStage Stage { get; init; }

    /// <summary>Problems of the spec (schema, field rules); the stage runs only when there are none.</summary>
    public IReadOnlyList<FieldError> SpecErrors { get; init; } = [];

    /// <summary>The referenced stage or merge; null when the model is a URI or a built-in configuration.</summary>
    public DependencyState? Dependency { get; init; }

    /// <summary>The task of the current run; null while the model input cannot be resolved yet.</summary>
    public TrainingTask? Task { get; init; }

    /// <summary>Why the model input could not be resolved (e.g. a URI without a committed MANIFEST.json).</summary>
    public string? ResolveError { get; init; }

    /// <summary>The committed final model of the current run, if any: the run is done (or was done before).</summary>
    public ArtifactRef? CommittedOutput { get; init; }

    /// <summary>The trainer's latest progress report for the current run.</summary>
    public Progress? Progress { get; init; }

    /// <summary>Committed checkpoints of the current run.</summary>
    public IReadOnlyList<CheckpointRef> Checkpoints { get; init; } = [];

    /// <summary>Jobs owned by the stage (any run).</summary>
    public IReadOnlyList<V1Job> Jobs { get; init; } = [];
}
