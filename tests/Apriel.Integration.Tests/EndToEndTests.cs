using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Testing;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Data.Tiny;
using Apriel.Trainer.Model;
using Apriel.Trainer.Tokenization;
using k8s;
using k8s.Models;

namespace Apriel.Integration.Tests;

/// <summary>
/// The whole product on the real control plane: the operator process (under the chart's RBAC) reconciles
/// examples/tiny, a node agent runs every trainer pod as an apriel-trainer process, all artifacts go to s3rver;
/// every stage and merge must succeed and the final model must load from S3 and generate.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class EndToEndTests(ControlPlaneFixture fixture)
{
    static readonly TimeSpan PipelineTimeout = TimeSpan.FromMinutes(25); // a guard, not a speed target: ~5 min on 2 cores

    [Fact]
    public async Task Tiny_pipeline_applied_with_kubectl_succeeds_and_its_final_model_generates()
    {
        var cluster = fixture.ControlPlane;
        await using var s3 = await S3Server.StartAsync();
        var bucket = await S3Bucket.CreateAsync(s3);
        using var work = TestDirectory.Create("e2e");
        TinyDataset.Write(work.FullPath, seed: 0);
        await bucket.UploadAsync(Path.Combine(work.FullPath, TinyDataset.Directory), TinyDataset.Directory + "/");

        await cluster.InstallCrdsAsync();
        var ns = await cluster.CreateNamespaceAsync("e2e");
        var system = await cluster.CreateNamespaceAsync("e2e-system");
        using var client = cluster.CreateClient();
        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "apriel-s3" },
            StringData = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = S3Server.AccessKey, ["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretKey },
        }, ns);
        await using var node = await NodeAgent.StartAsync(cluster, "e2e-node-" + ns[^6..], new Dictionary<string, string[]>
        {
            ["apriel-trainer"] = ["dotnet", Path.Combine(AppContext.BaseDirectory, "apriel-trainer.dll")],
        });
        var kubeconfig = await OperatorIdentity.CreateAsync(cluster, system, work.Combine("operator.kubeconfig"));
        using var op = ChildProcess.Start("apriel-operator", "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "apriel-operator.dll"), $"--namespace={ns}", $"--lease-namespace={system}", $"--probe-address=http://127.0.0.1:{FreePort.Next()}"],
            work.Combine("operator.log"),
            new Dictionary<string, string>(bucket.Environment.Concat(node.OperatorEnvironment))
            {
                ["KUBECONFIG"] = kubeconfig,
                ["APRIEL_TRAINER_IMAGE"] = "apriel/trainer:e2e",
                ["APRIEL_ARTIFACT_ROOT"] = bucket.Root,
                ["APRIEL_S3_SECRET"] = "apriel-s3",
                ["APRIEL_S3_ENDPOINT"] = s3.HostAndPort,
                ["APRIEL_S3_INSECURE"] = "true",
            });

        var applied = await cluster.KubectlAsync("apply", "-n", ns, "-f", RepoPaths.Of("examples/tiny"));
        Assert.True(applied.Succeeded, applied.ToString());
        ModelMerge final;
        try
        {
            await Poll.UntilAsync("every stage and merge to succeed", async ct =>
            {
                var stages = await ListAsync<TrainingStage>(client, ns, "trainingstages", ct);
                var merges = await ListAsync<ModelMerge>(client, ns, "modelmerges", ct);
                var failed = stages.Select(s => (s.Metadata.Name, Status: (RunStatus?)s.Status)).Concat(merges.Select(m => (m.Metadata.Name, m.Status)))
                    .FirstOrDefault(x => x.Status?.Phase == Phase.Failed);
                if (failed.Name != null) throw new InvalidOperationException($"{failed.Name} failed: {failed.Status!.Conditions?.LastOrDefault(c => c.Type == "Failed")?.Message}");
                return stages.Count + merges.Count == 12 && stages.All(s => s.Status?.Phase == Phase.Succeeded) && merges.All(m => m.Status?.Phase == Phase.Succeeded);
            }, PipelineTimeout, watched: op);
            final = (await ListAsync<ModelMerge>(client, ns, "modelmerges", CancellationToken.None)).Single(m => m.Metadata.Name == "final");
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{e.Message}\nagent problems: {string.Join("; ", node.Problems)}\noperator:\n{op.LogTail(20)}\npods:\n{node.LogTails()}", e);
        }

        // Merges report their progress in tensors written, which the operator mirrors into status.
        foreach (var merge in await ListAsync<ModelMerge>(client, ns, "modelmerges", CancellationToken.None))
            Assert.True(merge.Status!.Progress is { Percent: 100, Total: > 0 }, $"{merge.Metadata.Name}: progress {merge.Status.Progress}");

        // The final model, downloaded from S3 through the verified reader, loads and generates.
        var (root, key) = ArtifactStores.Locate(final.Status!.Output!.Uri);
        using var store = bucket.Open(root);
        var local = work.Subdirectory("final");
        await new ArtifactReader(store).DownloadAsync(key, local, final.Status.Output.Digest);
        TorchSharp.torch.set_num_threads(1);
        using var model = ModelCheckpoint.Load(local);
        var tokenizer = TokenizerFiles.Load(local, model.Config);
        var generated = Generation.Greedy(model, tokenizer.Encode("3 + 4 ="), maxNewTokens: 8);
        Assert.Equal(8, generated.Length);
        Assert.Equal(6, model.Config.Text.NumHiddenLayers); // upscaled 4 → 6 by the passthrough merge
    }

    static async Task<IReadOnlyList<T>> ListAsync<T>(Kubernetes client, string ns, string plural, CancellationToken cancellationToken)
    {
        var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<CustomResourceList<T>>(ApiGroup.Group, ApiGroup.Version, ns, plural, cancellationToken: cancellationToken);
        return list.Items;
    }

    sealed class CustomResourceList<T> : KubernetesObject
    {
        public List<T> Items { get; set; } = [];
    }
}
