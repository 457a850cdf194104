using Apriel.Operator.Runtime;
using k8s.Models;

namespace Apriel.Operator.Tests;

public sealed class ObjectCacheTests
{
    static V1Pod Pod(string name, string ns = "ns", string? owner = null, params string[] tags) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            OwnerReferences = owner == null ? null : [new V1OwnerReference { Uid = owner, Name = owner, Kind = "Job", ApiVersion = "batch/v1" }],
            Labels = tags.ToDictionary(t => t, _ => "yes"),
        },
    };

    static string[] Names(IEnumerable<V1Pod> pods) => [.. pods.Select(p => p.Metadata.Name).Order()];

    [Fact]
    public void Lists_by_namespace_and_owner_and_follows_updates_and_removals()
    {
        var cache = new ObjectCache<V1Pod>();
        cache.Set(Pod("a", owner: "job-1"));
        cache.Set(Pod("b", owner: "job-1"));
        cache.Set(Pod("c", ns: "other", owner: "job-2"));

        cache.Set(Pod("b", owner: "job-2"));   // re-owned
        cache.Remove(new ObjectKey("ns", "a"));

        Assert.Equal(["b"], Names(cache.List("ns")));
        Assert.Equal(["b", "c"], Names(cache.List()));
        Assert.Empty(cache.OwnedBy("job-1"));
        Assert.Equal(["b", "c"], Names(cache.OwnedBy("job-2")));
    }

    [Fact]
    public void An_index_added_later_covers_the_objects_already_cached_and_is_kept_when_added_again()
    {
        var cache = new ObjectCache<V1Pod>();
        cache.Set(Pod("a", tags: ["red", "blue"]));
        cache.Set(Pod("b", tags: "blue"));

        cache.EnsureIndex("tag", p => p.Metadata.Labels.Keys);
        cache.EnsureIndex("tag", _ => ["ignored"]);
        cache.Set(Pod("c", tags: "red"));
        var pod = cache.Get(new ObjectKey("ns", "a"))!;
        pod.Metadata.Labels.Clear();                         // changed in place: removal still finds its entries
        cache.Remove(new ObjectKey("ns", "a"));

        Assert.Equal(["c"], Names(cache.ByIndex("tag", "red")));
        Assert.Equal(["b"], Names(cache.ByIndex("tag", "blue")));
        Assert.Empty(cache.ByIndex("tag", "ignored"));
        Assert.Throws<ArgumentException>(() => cache.ByIndex("colour", "red"));
    }

    [Fact]
    public void An_index_that_throws_leaves_the_cache_as_it_was()
    {
        var cache = new ObjectCache<V1Pod>();
        cache.Set(Pod("a", tags: "red"));
        cache.EnsureIndex("tag", p => p.Metadata.Labels.ContainsKey("bad") ? throw new InvalidOperationException("odd object") : p.Metadata.Labels.Keys);

        Assert.Throws<InvalidOperationException>(() => cache.Set(Pod("a", tags: "bad")));

        Assert.Equal(["a"], Names(cache.ByIndex("tag", "red")));
        Assert.Equal("yes", cache.Get(new ObjectKey("ns", "a"))!.Metadata.Labels["red"]);
    }
}
