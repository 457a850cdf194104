namespace Apriel.Operator.Jobs;

/// <summary>Labels and annotations the operator puts on what it creates.</summary>
public static class Labels
{
    /// <summary>Recommended Kubernetes label: the application.</summary>
    public const string Name = "app.kubernetes.io/name";

    /// <summary>Recommended Kubernetes label: who manages the object.</summary>
    public const string ManagedBy = "app.kubernetes.io/managed-by";

    /// <summary>The stage or merge the object belongs to.</summary>
    public const string Resource = "apriel.dev/resource";

    /// <summary>Kind of that resource.</summary>
    public const string Kind = "apriel.dev/kind";

    /// <summary>Run id the object was made for.</summary>
    public const string RunId = "apriel.dev/run-id";

    /// <summary>Kueue's queue label; Kueue admits the Job by unsuspending it.</summary>
    public const string KueueQueue = "kueue.x-k8s.io/queue-name";

    /// <summary>The value of <see cref="ManagedBy"/>.</summary>
    public const string Operator = "apriel-operator";
}
