using Apriel.Api.V1Alpha1;
using Apriel.Operator.Runtime;
using Apriel.Testing;
using k8s;
using k8s.Models;
using Serilog;

namespace Apriel.Integration.Tests;

/// <summary>The controller runtime's I/O shells against a real API server.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class RuntimeTests(ControlPlaneFixture fixture)
{
    static readonly ILogger Log = new LoggerConfiguration().CreateLogger();
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    ControlPlane Cluster => fixture.ControlPlane;

    [Fact]
    public async Task Informer_lists_then_follows_creates_updates_and_deletes_of_custom_resources()
    {
        await Cluster.InstallCrdsAsync();
        var ns = await Cluster.CreateNamespaceAsync("rt");
        Assert.True((await Cluster.KubectlAsync("apply", "-n", ns, "-f", RepoPaths.Of("examples/tiny/00-base.yaml"))).Succeeded);

        using var client = Cluster.CreateClient();
        var informer = new Informer<TrainingStage>(new ApiListWatch<TrainingStage>(client, ResourceType.TrainingStages, ns), "trainingstages", Log);
        var changes = new List<string>();
        informer.Subscribe(c => { lock (changes) changes.Add($"{(c.Old == null ? "add" : c.New == null ? "delete" : "update")}:{c.Object.Metadata.Name}"); });
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await informer.Synced.WaitAsync(Timeout);
        Assert.Equal("base", Assert.Single(informer.Cache.List()).Metadata.Name);

        Assert.True((await Cluster.KubectlAsync("apply", "-n", ns, "-f", RepoPaths.Of("examples/tiny/02-upscale.yaml"))).Succeeded);
        Assert.True((await Cluster.KubectlAsync("patch", "ts", "base", "-n", ns, "--type=merge", "-p", """{"spec":{"seed":99}}""")).Succeeded);
        Assert.True((await Cluster.KubectlAsync("delete", "ts", "upscale", "-n", ns)).Succeeded);
        await Poll.UntilAsync("the informer to see the changes", _ => Task.FromResult(changes.Count >= 4), Timeout);
        await cts.CancelAsync();
        await run.WaitAsync(Timeout);

        Assert.Equal(["add:base", "add:upscale", "update:base", "delete:upscale"], changes);
        Assert.Equal(99, informer.Cache.Get(new ObjectKey(ns, "base"))!.Spec.Seed); // typed, from the watch
    }

    [Fact]
    public async Task Only_one_replica_leads_and_the_next_takes_over_when_it_stops()
    {
        var ns = await Cluster.CreateNamespaceAsync("rt");
        using var client = Cluster.CreateClient();
        LeaderElectionOptions Options(string id) => new(ns, "apriel-operator", id)
        {
            LeaseDuration = TimeSpan.FromSeconds(2), RenewDeadline = TimeSpan.FromSeconds(1), RetryPeriod = TimeSpan.FromMilliseconds(200),
        };
        var leading = new List<string>();
        Func<CancellationToken, Task> Lead(string id) => async ct =>
        {
            lock (leading) leading.Add(id);
            try { await Task.Delay(System.Threading.Timeout.Infinite, ct); } catch (OperationCanceledException) { }
        };

        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var a = LeaderElection.RunAsync(client, Options("a"), Lead("a"), Log, first.Token);
        await Poll.UntilAsync("replica a to lead", _ => Task.FromResult(leading.Count == 1), Timeout);
        var b = LeaderElection.RunAsync(client, Options("b"), Lead("b"), Log, second.Token);
        await Task.Delay(TimeSpan.FromSeconds(3)); // longer than a lease: b must still wait while a renews
        Assert.Equal(["a"], leading);

        await first.CancelAsync();
        Assert.False(await a.WaitAsync(Timeout)); // cancelled, not lost
        await Poll.UntilAsync("replica b to take over", _ => Task.FromResult(leading.Count == 2), Timeout);
        Assert.Equal(["a", "b"], leading);
        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("apriel-operator", ns);
        Assert.Equal("b", lease.Spec.HolderIdentity);
        await second.CancelAsync();
        await b.WaitAsync(Timeout);
    }
}
