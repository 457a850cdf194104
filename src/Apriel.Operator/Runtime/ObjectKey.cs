using k8s;
using k8s.Models;

namespace Apriel.Operator.Runtime;

/// <summary>The identity reconcilers work on: namespace and name, written <c>namespace/name</c> in queues and logs.</summary>
public readonly record struct ObjectKey(string? Namespace, string Name)
{
    /// <summary>The key of an object.</summary>
    public static ObjectKey Of(IKubernetesObject<V1ObjectMeta> o) => new(o.Metadata.NamespaceProperty, o.Metadata.Name);

    /// <summary>Parses <c>namespace/name</c> (or <c>name</c> for cluster-scoped objects).</summary>
    public static ObjectKey Parse(string key) =>
        key.IndexOf('/') is var i and >= 0 ? new(key[..i], key[(i + 1)..]) : new(null, key);

    /// <inheritdoc/>
    public override string ToString() => Namespace == null ? Name : $"{Namespace}/{Name}";
}
