using System.Text;
using System.Text.Json;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts.Tests.Support;
using Apriel.Testing;

namespace Apriel.Artifacts.Tests;

/// <summary>
/// The commit protocol of design.md (files first, MANIFEST.json last; readers ignore uncommitted directories and
/// verify digests), run against each store.
/// </summary>
public abstract class CommitProtocolTests : StoreTestBase, IDisposable
{
    const string Checkpoint = "ns/stage/run1/checkpoints/step-0000100/";

    static readonly ArtifactLineage Lineage = new()
    {
        Kind = "TrainingStage",
        Namespace = "ns",
        Name = "stage",
        RunId = "run1",
        Step = 100,
        TokensSeen = 409_600,
        Inputs = [new ResolvedInput { Role = "model", Source = "upscale", Uri = "s3://b/x/model/", Digest = "sha256:" + new string('a', 64) }],
    };

    readonly TestDirectory scratch = TestDirectory.Create("artifacts-commit");

    public void Dispose() => scratch.Dispose();

    /// <summary>A local directory with a few files, one of them above Minio's multipart threshold.</summary>
    string LocalCheckpoint(string name = "checkpoint", int seed = 1)
    {
        var dir = scratch.Subdirectory(name);
        File.WriteAllBytes(scratch.Combine(name, "model.safetensors"), Bytes.Random(6 * 1024 * 1024 + 3, seed));
        File.WriteAllBytes(scratch.Combine(name, "optimizer", "state.bin"), Bytes.Random(4096, seed + 1));
        File.WriteAllText(scratch.Combine(name, "config.json"), "{\"hidden\": 64}");
        return dir;
    }

    Task<CommittedArtifact> CommitAsync(IArtifactStore target, string local, string directory = Checkpoint) =>
        new ArtifactCommitter(target).CommitAsync(local, directory, Lineage,
            JsonDocument.Parse("{\"lr\": 0.001}").RootElement);

    [Fact]
    public async Task Should_commit_files_then_a_manifest_whose_sha256_is_the_digest()
    {
        var local = LocalCheckpoint();

        var committed = await CommitAsync(Store, local);

        var manifestBytes = await Store.GetAsync(Checkpoint + ArtifactLayout.Manifest);
        Assert.Equal("sha256:" + Bytes.Sha256(manifestBytes), committed.Digest);
        Assert.Equal(Store.Root + Checkpoint, committed.Uri);
        Assert.Equal(["config.json", "model.safetensors", "optimizer/state.bin"], committed.Manifest.Files.Select(f => f.Path));
        var model = committed.Manifest.Files.Single(f => f.Path == "model.safetensors");
        var modelBytes = File.ReadAllBytes(Path.Combine(local, "model.safetensors"));
        Assert.Equal(modelBytes.Length, model.Size);
        Assert.Equal(Bytes.Sha256(modelBytes), model.Sha256);
        Assert.Equal(Lineage.Inputs[0], committed.Manifest.Lineage.Inputs[0]);
        Assert.Equal(409_600, committed.Manifest.Lineage.TokensSeen);
        Assert.Equal(0.001, committed.Manifest.Config!.Value.GetProperty("lr").GetDouble());
        Assert.True(await new ArtifactReader(Store).IsCommittedAsync(Checkpoint));
    }

    [Fact]
    public async Task Should_read_back_and_download_a_committed_directory_with_its_pinned_digest()
    {
        var local = LocalCheckpoint();
        var committed = await CommitAsync(Store, local);
        var reader = new ArtifactReader(Store);

        var read = await reader.ReadManifestAsync(Checkpoint, committed.Digest);
        var target = scratch.Subdirectory("downloaded");
        await reader.DownloadAsync(Checkpoint, target, committed.Digest);

        Assert.Equal(committed.Digest, read.Digest);
        Assert.Equal(committed.Manifest.Files, read.Manifest.Files);
        Assert.Equal(committed.Manifest.Created, read.Manifest.Created);
        foreach (var file in committed.Manifest.Files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(local, file.Path)), File.ReadAllBytes(Path.Combine(target, file.Path)));
        }
        Assert.Empty(Directory.EnumerateFiles(target, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Should_leave_nothing_that_looks_committed_when_an_upload_dies_midway()
    {
        var local = LocalCheckpoint();
        // Die 1 MiB into the weights.
        var crashing = new InterceptingStore(Store) { Crash = (Checkpoint + "model.safetensors", 1024 * 1024) };

        await Assert.ThrowsAsync<SimulatedCrash>(() => CommitAsync(crashing, local));

        var reader = new ArtifactReader(Store);
        Assert.False(await reader.IsCommittedAsync(Checkpoint));
        Assert.Empty(await reader.ListCommittedAsync("ns/stage/run1/checkpoints/"));
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => reader.ReadManifestAsync(Checkpoint));
        Assert.Null(await Store.GetSizeAsync(Checkpoint + "model.safetensors"));
    }

    [Fact]
    public async Task Should_uncommit_a_directory_while_it_is_being_recommitted()
    {
        await CommitAsync(Store, LocalCheckpoint("first", seed: 1));
        var second = LocalCheckpoint("second", seed: 7);
        // The re-commit dies in a file upload: the old manifest must already be gone.
        var crashing = new InterceptingStore(Store) { Crash = (Checkpoint + "model.safetensors", 100) };

        await Assert.ThrowsAsync<SimulatedCrash>(() => CommitAsync(crashing, second));

        Assert.False(await new ArtifactReader(Store).IsCommittedAsync(Checkpoint));
    }

    [Fact]
    public async Task Should_replace_the_files_of_a_recommitted_directory_and_drop_stale_ones()
    {
        await CommitAsync(Store, LocalCheckpoint("first", seed: 1));
        var second = scratch.Subdirectory("second");
        File.WriteAllText(Path.Combine(second, "config.json"), "{\"hidden\": 128}");

        var committed = await CommitAsync(Store, second);

        Assert.Equal(
            [Checkpoint + "MANIFEST.json", Checkpoint + "config.json"],
            (await Store.ListAsync(Checkpoint)).Select(o => o.Key));
        var read = await new ArtifactReader(Store).ReadManifestAsync(Checkpoint, committed.Digest);
        Assert.Equal(["config.json"], read.Manifest.Files.Select(f => f.Path));
    }

    [Fact]
    public async Task Should_refuse_a_corrupt_file_with_its_key_and_both_digests()
    {
        var committed = await CommitAsync(Store, LocalCheckpoint());
        var entry = committed.Manifest.Files.Single(f => f.Path == "optimizer/state.bin");
        var corrupt = Bytes.Random((int)entry.Size, seed: 99); // same size, other bytes
        await Store.PutAsync(Checkpoint + entry.Path, corrupt);
        var target = scratch.Subdirectory("downloaded");

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(
            () => new ArtifactReader(Store).DownloadAsync(Checkpoint, target, committed.Digest));

        Assert.Equal(Checkpoint + "optimizer/state.bin", error.Key);
        Assert.Contains(Checkpoint + "optimizer/state.bin", error.Message);
        Assert.Contains("sha256:" + entry.Sha256, error.Message);
        Assert.Contains("sha256:" + Bytes.Sha256(corrupt), error.Message);
        Assert.False(File.Exists(Path.Combine(target, "optimizer", "state.bin")));
        Assert.Empty(Directory.EnumerateFiles(target, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Should_refuse_a_truncated_file_when_reading_it()
    {
        var committed = await CommitAsync(Store, LocalCheckpoint());
        await Store.PutAsync(Checkpoint + "config.json", Bytes.Text("{}"));

        await using var stream = await new ArtifactReader(Store).OpenFileAsync(committed, "config.json");
        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => Bytes.ReadAllAsync(stream));

        Assert.Equal(Checkpoint + "config.json", error.Key);
        Assert.Contains("2 bytes", error.Message);
    }

    [Fact]
    public async Task Should_refuse_a_pinned_digest_that_does_not_match()
    {
        await CommitAsync(Store, LocalCheckpoint());
        var wrong = "sha256:" + new string('0', 64);

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(
            () => new ArtifactReader(Store).ReadManifestAsync(Checkpoint, wrong));

        Assert.Contains(wrong, error.Message);
        Assert.Equal(Checkpoint + ArtifactLayout.Manifest, error.Key);
        await Assert.ThrowsAsync<ArtifactIntegrityException>(
            () => new ArtifactReader(Store).DownloadAsync(Checkpoint, scratch.Subdirectory("never"), wrong));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(scratch.FullPath, "never")));
    }

    [Theory]
    [InlineData("not json at all", "malformed")]
    [InlineData("{\"version\": 1}", "missing required properties")]
    [InlineData("{\"version\": 2, \"files\": [], \"lineage\": {\"kind\":\"k\",\"namespace\":\"n\",\"name\":\"m\",\"runId\":\"r\"}, \"created\": \"2025-01-01T00:00:00Z\"}", "version 2")]
    [InlineData("{\"files\": [{\"path\": \"../../etc/passwd\", \"size\": 1, \"sha256\": \"" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" + "\"}], \"lineage\": {\"kind\":\"k\",\"namespace\":\"n\",\"name\":\"m\",\"runId\":\"r\"}, \"created\": \"2025-01-01T00:00:00Z\"}", "../../etc/passwd")]
    [InlineData("{\"files\": [{\"path\": \"a\", \"size\": 1, \"sha256\": \"xyz\"}], \"lineage\": {\"kind\":\"k\",\"namespace\":\"n\",\"name\":\"m\",\"runId\":\"r\"}, \"created\": \"2025-01-01T00:00:00Z\"}", "sha256")]
    public async Task Should_refuse_a_malformed_manifest_with_its_key_and_the_reason(string manifest, string reason)
    {
        await Store.PutAsync(Checkpoint + ArtifactLayout.Manifest, Encoding.UTF8.GetBytes(manifest));

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => new ArtifactReader(Store).ReadManifestAsync(Checkpoint));

        Assert.Equal(Checkpoint + ArtifactLayout.Manifest, error.Key);
        Assert.Contains(Checkpoint + ArtifactLayout.Manifest, error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public async Task Should_list_only_committed_directories()
    {
        var local = LocalCheckpoint();
        const string checkpoints = "ns/stage/run1/checkpoints/";
        await CommitAsync(Store, local, checkpoints + "step-0000001/");
        await CommitAsync(Store, local, checkpoints + "step-0000003/");
        // step 2: files uploaded, never committed (the trainer died before the manifest).
        await Store.PutAsync(checkpoints + "step-0000002/model.safetensors", Bytes.Random(10));
        await Store.PutAsync("ns/stage/run1/progress.json", Bytes.Text("{}"));

        var listed = await new ArtifactReader(Store).ListCommittedAsync(checkpoints);

        Assert.Equal([checkpoints + "step-0000001/", checkpoints + "step-0000003/"], listed);
        Assert.False(await new ArtifactReader(Store).IsCommittedAsync(checkpoints + "step-0000002/"));
    }
}

/// <summary>The commit protocol on a local directory.</summary>
public sealed class LocalCommitProtocolTests : CommitProtocolTests
{
    readonly TestDirectory directory = TestDirectory.Create("artifacts-local-commit");

    protected override Task<IArtifactStore> CreateStoreAsync() =>
        Task.FromResult<IArtifactStore>(new LocalArtifactStore(directory.Subdirectory("store")));
}

/// <summary>The commit protocol on s3rver.</summary>
[Collection(S3Collection.Name)]
public sealed class S3CommitProtocolTests(S3Fixture fixture) : CommitProtocolTests
{
    protected override async Task<IArtifactStore> CreateStoreAsync() => await TestStores.S3Async(fixture.Server);
}
