using Apriel.Api.Manifests;
using Apriel.Api.Validation;

namespace Apriel.Cli.Run;

/// <summary>The order a validated set of manifests runs in: every resource after what it reads, ties in file order.</summary>
public static class PipelineOrder
{
    /// <summary>The manifests, dependencies first. The set must be valid (no unknown references, no cycles).</summary>
    public static IReadOnlyList<Manifest> Of(IReadOnlyList<Manifest> manifests)
    {
        var done = new HashSet<Api.V1Alpha1.ResourceRef>();
        var order = new List<Manifest>();
        var pending = manifests.ToList();
        while (pending.Count > 0)
        {
            var ready = pending.FirstOrDefault(m => PipelineValidator.References(m).All(r => done.Contains(r.Ref)))
                ?? throw new ArgumentException("the manifests reference each other in a cycle or name resources that are not in the set; validate them first");
            order.Add(ready);
            done.Add(ready.Ref);
            pending.Remove(ready);
        }
        return order;
    }
}
