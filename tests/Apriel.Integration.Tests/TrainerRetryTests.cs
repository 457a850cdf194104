using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Testing;
using Apriel.Trainer.Data.Tiny;
using k8s;
using k8s.Models;

namespace Apriel.Integration.Tests;

/// <summary>
/// Failures on the real control plane, with trainer pods run by the node agent: a trainer that dies mid-run is
/// retried by its Job and resumes from the last committed checkpoint; an operator killed and restarted mid-run
/// makes no second Job and loses no status.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class TrainerRetryTests(ControlPlaneFixture fixture)
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(6); // guards, not speed targets

    const string Stage = """
        apiVersion: apriel.dev/v1alpha1
        kind: TrainingStage
        metadata: {name: crashy}
        spec:
          model: {init: tiny}
          train: [Decoder]
          data:
            sequenceLength: 128
            sources: [{name: text, uri: datasets/tiny/text.jsonl, format: Text}]
          optimizer: {learningRate: 1.0e-3}
          budget: {steps: 400}
          batch: {globalBatchSize: 4}
          precision: FP32
          checkpoints: {interval: 20, retain: {last: 2}}
          resources: {gpusPerNode: 0, cpu: "1", memory: 2Gi}
          retryLimit: 2
        """;

    [Fact]
    public async Task A_crashed_trainer_resumes_from_its_checkpoint_and_a_restarted_operator_makes_no_second_job()
    {
        var cluster = fixture.ControlPlane;
        using var work = TestDirectory.Create("retry");
        var storeDirectory = work.Subdirectory("store");
        TinyDataset.Write(storeDirectory, seed: 0);
        var ns = await cluster.CreateNamespaceAsync("retry");
        await cluster.InstallCrdsAsync();
        await using var node = await NodeAgent.StartAsync(cluster, "retry-node-" + ns[^6..], new Dictionary<string, string[]>
        {
            ["apriel-trainer"] = ["dotnet", Path.Combine(AppContext.BaseDirectory, "apriel-trainer.dll")],
        });
        using var client = cluster.CreateClient();
        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "apriel-s3" },
            StringData = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "unused", ["AWS_SECRET_ACCESS_KEY"] = "unused" },
        }, ns);
        var root = new Uri(storeDirectory + "/").AbsoluteUri;
        ChildProcess StartOperator(string name) => ChildProcess.Start(name, "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "apriel-operator.dll"), $"--namespace={ns}", "--leader-elect=false", $"--probe-address=http://127.0.0.1:{FreePort.Next()}"],
            work.Combine(name + ".log"),
            new Dictionary<string, string>(node.OperatorEnvironment)
            {
                ["KUBECONFIG"] = cluster.AdminKubeconfigPath,
                ["APRIEL_TRAINER_IMAGE"] = "apriel/trainer:retry",
                ["APRIEL_ARTIFACT_ROOT"] = root,
                ["APRIEL_S3_SECRET"] = "apriel-s3",
            });

        var first = StartOperator("operator-1");
        ChildProcess? second = null;
        try
        {
            Assert.True((await cluster.KubectlAsync(["apply", "-n", ns, "-f", "-"], Stage)).Succeeded);
            var running = await Poll.ForAsync("the stage to run", async ct => await StageAsync(client, ns, ct) is { Status.Phase: Phase.Running } s ? s : null, Timeout, watched: first);
            var runDirectory = Apriel.Api.Runs.ArtifactLayout.Run(ns, "crashy", running.Status!.RunId!);

            // The operator dies and another starts: same Job, same run, status kept.
            first.Kill();
            second = StartOperator("operator-2");
            await Task.Delay(TimeSpan.FromSeconds(5));
            var jobs = (await client.BatchV1.ListNamespacedJobAsync(ns)).Items;
            Assert.Equal(running.Status.RunId, Assert.Single(jobs).Metadata.Labels["apriel.dev/run-id"]);
            Assert.Equal(running.Status.RunId, (await StageAsync(client, ns, CancellationToken.None))!.Status!.RunId);

            // The trainer dies after a committed checkpoint: the Job's next pod resumes from it.
            using (var store = ArtifactStores.Open(root))
                await Poll.UntilAsync("a committed checkpoint", async ct =>
                    (await new ArtifactReader(store).ListCommittedAsync(runDirectory + "checkpoints/", ct)).Count > 0, Timeout, watched: second);
            Assert.True(node.Kill("crashy-"), "no trainer process to kill");
            var done = await Poll.ForAsync("the stage to succeed", async ct =>
            {
                var s = await StageAsync(client, ns, ct);
                if (s?.Status?.Phase == Phase.Failed) throw new InvalidOperationException(s.Status.Conditions?.LastOrDefault()?.Message);
                return s?.Status?.Phase == Phase.Succeeded ? s : null;
            }, Timeout, watched: second);
            Assert.Equal(2, done.Status!.Attempts);
            Assert.Contains("resumed from the checkpoint at step", node.LogTails(60));
            Assert.Single((await client.BatchV1.ListNamespacedJobAsync(ns)).Items);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\nagent: {string.Join("; ", node.Problems)}\npods:\n{node.LogTails()}\noperator:\n{(second ?? first).LogTail(15)}", e);
        }
        finally
        {
            first.Dispose();
            second?.Dispose();
        }
    }

    static async Task<TrainingStage?> StageAsync(Kubernetes client, string ns, CancellationToken cancellationToken)
    {
        try { return await client.CustomObjects.GetNamespacedCustomObjectAsync<TrainingStage>(ApiGroup.Group, ApiGroup.Version, ns, "trainingstages", "crashy", cancellationToken: cancellationToken); }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound) { return null; }
    }
}
