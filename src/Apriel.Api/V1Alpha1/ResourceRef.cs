namespace Apriel.Api.V1Alpha1;

/// <summary>The two kinds of Apriel resource.</summary>
public enum ResourceKind
{
    /// <summary>A training run.</summary>
    TrainingStage,

    /// <summary>A weight-space merge.</summary>
    ModelMerge,
}

/// <summary>A reference to a resource in the same namespace.</summary>
public readonly record struct ResourceRef(ResourceKind Kind, string Name)
{
    /// <summary><c>stage/NAME</c> or <c>merge/NAME</c>, as users write them.</summary>
    public override string ToString() => (Kind == ResourceKind.TrainingStage ? "stage/" : "merge/") + Name;
}
