using System.Text.Json;
using System.Text.Json.Nodes;
using Apriel.Api.Manifests;
using Apriel.Api.V1Alpha1;
using Apriel.Testing;
using k8s;
using k8s.Models;

namespace Apriel.Integration.Tests;

/// <summary>The CRDs and example manifests on a real kube-apiserver.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class CrdTests(ControlPlaneFixture fixture) : IAsyncLifetime
{
    ControlPlane Cluster => fixture.ControlPlane;

    public async Task InitializeAsync()
    {
        await Cluster.InstallCrdsAsync();
        using var client = Cluster.CreateClient();
        foreach (var name in new[] { "trainingstages.apriel.dev", "modelmerges.apriel.dev" })
            await Poll.UntilAsync($"CRD {name} to become Established", async ct =>
                (await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name, cancellationToken: ct)).Status?.Conditions?
                    .Any(c => c.Type == "Established" && c.Status == "True") == true,
                TimeSpan.FromSeconds(30));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("examples/apriel-15b", 11)]
    [InlineData("examples/tiny", 12)]
    public async Task Every_example_manifest_is_accepted(string dir, int count)
    {
        var ns = await Cluster.CreateNamespaceAsync("crd");
        var apply = await Cluster.KubectlAsync("apply", "-n", ns, "-f", RepoPaths.Of(dir));
        Assert.True(apply.Succeeded, apply.ToString());
        var names = await Cluster.KubectlAsync("get", "apriel", "-n", ns, "-o", "name");
        Assert.Equal(count, names.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Server_defaults_equal_the_defaults_of_the_types()
    {
        var ns = await Cluster.CreateNamespaceAsync("crd");
        var file = RepoPaths.Of("examples/tiny/05-cpt-1.yaml");
        Assert.True((await Cluster.KubectlAsync("apply", "-n", ns, "-f", file)).Succeeded);

        var served = await Cluster.KubectlAsync("get", "trainingstage", "cpt-1", "-n", ns, "-o", "json");
        var fromServer = JsonNode.Parse(served.StdOut)!.Deserialize<TrainingStage>(ApiJson.Options)!;
        var local = (TrainingStage)ManifestReader.Read(File.ReadAllText(file), file).Manifests.Single().Resource;

        Assert.True(fromServer.Spec.Data.Packing); // defaulted by the server, not written in the file
        Assert.Equal(JsonSerializer.Serialize(local.Spec, ApiJson.Options), JsonSerializer.Serialize(fromServer.Spec, ApiJson.Options));
    }

    [Theory]
    [InlineData("sequenceLength: 512", "sequenceLength: 8", "spec.data.sequenceLength")]
    [InlineData("train: [VisionEncoder, Projector, Decoder]", "train: [VisionEncoder, Vision]", "spec.train")]
    [InlineData("learningRate: 1.0e-3", "learningRate: fast", "spec.optimizer.learningRate")]
    [InlineData("name: cpt-1\n", "name: cpt_1\n", "metadata.name")]
    public async Task Malformed_manifest_is_rejected_naming_the_field(string valid, string broken, string field)
    {
        var ns = await Cluster.CreateNamespaceAsync("crd");
        using var dir = TestDirectory.Create("malformed");
        var file = dir.Combine("stage.yaml");
        var yaml = File.ReadAllText(RepoPaths.Of("examples/tiny/05-cpt-1.yaml"));
        Assert.Contains(valid, yaml);
        File.WriteAllText(file, yaml.Replace(valid, broken));

        var apply = await Cluster.KubectlAsync("apply", "-n", ns, "-f", file);
        Assert.False(apply.Succeeded);
        Assert.Contains(field, apply.StdErr);
    }

    [Fact]
    public async Task Get_prints_the_printer_columns_and_status_from_the_status_subresource()
    {
        var ns = await Cluster.CreateNamespaceAsync("crd");
        Assert.True((await Cluster.KubectlAsync("apply", "-n", ns, "-f", RepoPaths.Of("examples/tiny/02-upscale.yaml"))).Succeeded);
        var patch = await Cluster.KubectlAsync("patch", "trainingstage", "upscale", "-n", ns, "--subresource=status", "--type=merge", "-p",
            """{"status":{"phase":"Running","source":"merge/upscale-init","progress":{"step":21,"total":60,"percent":35,"loss":2.5}}}""");
        Assert.True(patch.Succeeded, patch.ToString());

        var table = await Cluster.KubectlAsync("get", "ts", "-n", ns);
        var lines = table.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NAME", "PHASE", "PROGRESS", "SOURCE", "AGE"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["upscale", "Running", "35", "merge/upscale-init"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..4]);

        var wide = await Cluster.KubectlAsync("get", "ts", "-n", ns, "-o", "wide");
        Assert.Contains("LOSS", wide.StdOut);
        Assert.Contains("2.5", wide.StdOut);
    }
}
