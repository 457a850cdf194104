using System.Runtime.CompilerServices;
using Apriel.Operator.Runtime;
using k8s;
using k8s.Models;
using Serilog;

namespace Apriel.Operator.Tests;

public sealed class InformerTests
{
    static V1ConfigMap Object(string name, string rv) =>
        new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns", ResourceVersion = rv } };

    static WatchEvent<V1ConfigMap> Event(WatchEventType type, string name, string rv) => new(type, Object(name, rv), rv);

    /// <summary>Scripted lists and watch streams; a stream ends with an exception or, when the script is done, waits.</summary>
    sealed class ScriptedSource : IListWatch<V1ConfigMap>
    {
        public readonly Queue<(V1ConfigMap[] Items, string Rv)> Lists = new();
        public readonly Queue<(WatchEvent<V1ConfigMap>[] Events, Exception? End)> Watches = new();
        public readonly List<string> WatchedFrom = [];

        public Task<(IReadOnlyList<V1ConfigMap> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken)
        {
            var (items, rv) = Lists.Dequeue();
            return Task.FromResult(((IReadOnlyList<V1ConfigMap>)items, rv));
        }

        public async IAsyncEnumerable<WatchEvent<V1ConfigMap>> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            WatchedFrom.Add(resourceVersion);
            if (!Watches.TryDequeue(out var watch))
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                yield break;
            }
            foreach (var e in watch.Events) yield return e;
            if (watch.End != null) throw watch.End;
        }
    }

    [Fact]
    public async Task Resumes_after_disconnects_and_relists_after_410_reporting_only_differences()
    {
        var source = new ScriptedSource();
        source.Lists.Enqueue(([Object("a", "1"), Object("b", "2")], "2"));
        source.Watches.Enqueue(([Event(WatchEventType.Modified, "a", "3"), new(WatchEventType.Bookmark, null, "10")], new IOException("connection reset")));
        source.Watches.Enqueue(([], new ResourceExpiredException("too old")));
        source.Lists.Enqueue(([Object("a", "3"), Object("c", "11")], "11")); // b was deleted while we were away
        var informer = new Informer<V1ConfigMap>(source, "configmaps", new LoggerConfiguration().CreateLogger(), new Backoff(TimeSpan.Zero, TimeSpan.Zero));
        var changes = new List<string>();
        informer.Subscribe(c => { lock (changes) changes.Add($"{c.Old?.Metadata.ResourceVersion ?? "-"}>{c.New?.Metadata.ResourceVersion ?? "-"}:{c.Object.Metadata.Name}"); });

        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await WaitUntil(() => source.WatchedFrom.Count >= 3);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["2", "10", "11"], source.WatchedFrom); // the list's rv; the bookmark's; the relist's
        Assert.Equal(["->1:a", "->2:b", "1>3:a", "2>-:b", "->11:c"], changes);
        Assert.Equal(["a", "c"], informer.Cache.List().Select(o => o.Metadata.Name).Order());
        Assert.Equal(2, informer.Lists);
        Assert.True(informer.Synced.IsCompleted);
    }

    static async Task WaitUntil(Func<bool> condition)
    {
        for (var waited = 0; !condition(); waited += 10)
        {
            Assert.True(waited < 10_000, "timed out");
            await Task.Delay(10);
        }
    }
}
