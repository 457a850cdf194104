using Apriel.Api.V1Alpha1;
using Apriel.Operator.Runtime;
using Apriel.Operator.Runs;
using k8s.Models;
using Serilog;

namespace Apriel.Operator.Tests;

public sealed class DependentsTests
{
    [Fact]
    public async Task A_changed_merge_wakes_the_stages_that_start_from_it()
    {
        var informer = new Informer<TrainingStage>(new StaticList([Stage("realign", "upscale-avg"), Stage("cpt-1", null), Stage("other", "upscale-avg", "elsewhere")]),
            "trainingstages", new LoggerConfiguration().CreateLogger());
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await informer.Synced;
        using var queue = new WorkQueue();
        var handler = Dependents.Enqueue<ModelMerge, TrainingStage>(informer.Cache, new StageRuns(null!, TrainerJobBuilderTests.Settings), queue, ResourceKind.ModelMerge);

        handler(new ObjectChange<ModelMerge>(null, new ModelMerge
        {
            Metadata = new V1ObjectMeta { Name = "upscale-avg", NamespaceProperty = "ns" },
            Spec = new ModelMergeSpec { Method = MergeMethod.Linear, Inputs = [] },
        }));
        await cts.CancelAsync();
        await run;

        Assert.Equal(1, queue.Depth);
        Assert.Equal("ns/realign", await queue.GetAsync(CancellationToken.None));
    }

    static TrainingStage Stage(string name, string? merge, string ns = "ns")
    {
        var stage = TrainerJobBuilderTests.Stage();
        stage.Metadata.Name = name;
        stage.Metadata.NamespaceProperty = ns;
        stage.Spec = stage.Spec with { Model = merge == null ? new ModelSource { Init = "tiny" } : new ModelSource { Merge = merge } };
        return stage;
    }

    sealed class StaticList(IReadOnlyList<TrainingStage> items) : IListWatch<TrainingStage>
    {
        public Task<(IReadOnlyList<TrainingStage> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken) =>
            Task.FromResult((items, "1"));

        public async IAsyncEnumerable<WatchEvent<TrainingStage>> WatchAsync(string resourceVersion,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, CancellationToken.None);
            yield break;
        }
    }
}
