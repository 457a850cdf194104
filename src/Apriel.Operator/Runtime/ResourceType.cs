using Apriel.Api.V1Alpha1;

namespace Apriel.Operator.Runtime;

/// <summary>A REST resource the runtime lists and watches: its group, version and plural name.</summary>
public sealed record ResourceType(string Group, string Version, string Plural)
{
    /// <summary>Our stages.</summary>
    public static readonly ResourceType TrainingStages = new(ApiGroup.Group, ApiGroup.Version, "trainingstages");

    /// <summary>Our merges.</summary>
    public static readonly ResourceType ModelMerges = new(ApiGroup.Group, ApiGroup.Version, "modelmerges");

    /// <summary>batch/v1 Jobs, the children of stages and merges.</summary>
    public static readonly ResourceType Jobs = new("batch", "v1", "jobs");

    /// <summary>Pods, the children of Jobs.</summary>
    public static readonly ResourceType Pods = new("", "v1", "pods");

    /// <summary>The collection's path, across namespaces when <paramref name="namespace"/> is null.</summary>
    public string CollectionPath(string? @namespace) =>
        (Group.Length == 0 ? $"api/{Version}" : $"apis/{Group}/{Version}")
        + (@namespace == null ? "" : $"/namespaces/{Uri.EscapeDataString(@namespace)}") + "/" + Plural;

    /// <summary><c>plural.group</c>, as in RBAC rules and logs.</summary>
    public override string ToString() => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
