using Apriel.Artifacts.Tests.Support;
using Apriel.Testing;

namespace Apriel.Artifacts.Tests;

/// <summary>
/// What every <see cref="IArtifactStore"/> does, written once and run against each store (subclasses below), so
/// the local directory and S3 behave the same.
/// </summary>
public abstract class StoreContractTests : StoreTestBase
{
    const int MiB = 1024 * 1024;

    [Fact]
    public async Task Should_round_trip_a_small_object()
    {
        var data = Bytes.Text("hello, artifacts");

        await Store.PutAsync("a/b/hello.txt", data);

        Assert.Equal(data, await Store.GetAsync("a/b/hello.txt"));
        Assert.Equal(data.Length, await Store.GetSizeAsync("a/b/hello.txt"));
    }

    [Fact]
    public async Task Should_round_trip_an_object_larger_than_a_multipart_part()
    {
        // In S3, 5 MiB parts above 15 MiB (TestStores.Options): 6 full parts and a short one.
        var data = Bytes.Random(2 * 16 * MiB + 12345);

        await Store.PutAsync("big/model.safetensors", data);

        await using var stream = await Store.OpenReadAsync("big/model.safetensors");
        Assert.Equal(data.Length, stream.Length);
        Assert.Equal(Bytes.Sha256(data), Bytes.Sha256(await Bytes.ReadAllAsync(stream)));
        Assert.Equal(data.Length, await Store.GetSizeAsync("big/model.safetensors"));
    }

    [Fact]
    public async Task Should_round_trip_an_empty_object()
    {
        await Store.PutAsync("empty", []);

        Assert.Empty(await Store.GetAsync("empty"));
        Assert.Equal(0, await Store.GetSizeAsync("empty"));
    }

    [Fact]
    public async Task Should_replace_an_existing_object()
    {
        await Store.PutAsync("x", Bytes.Text("first version, longer"));
        await Store.PutAsync("x", Bytes.Text("second"));

        Assert.Equal(Bytes.Text("second"), await Store.GetAsync("x"));
    }

    [Fact]
    public async Task Should_keep_names_with_spaces_and_symbols_intact()
    {
        // No '+' or '%': s3rver ignores encoding-type=url in listings, and Minio URL-decodes listed keys regardless,
        // so those two would come back changed here (real S3 and MinIO encode, and they round-trip).
        const string key = "odd names/a b (c)=d&e,f;g@h.bin";
        await Store.PutAsync(key, Bytes.Text("odd"));

        Assert.Equal(Bytes.Text("odd"), await Store.GetAsync(key));
        Assert.Equal([key], (await Store.ListAsync("odd names/")).Select(o => o.Key));
    }

    [Fact]
    public async Task Should_read_byte_ranges()
    {
        var data = Bytes.Random(10_000);
        await Store.PutAsync("r", data);

        Assert.Equal(data[100..350], await Store.GetAsync("r", 100, 250));
        Assert.Equal(data[..8], await Store.GetAsync("r", 0, 8));
        Assert.Equal(data[9_000..], await Store.GetAsync("r", 9_000));
        Assert.Equal(data[^1..], await Store.GetAsync("r", 9_999, 1));
        await using var window = await Store.OpenReadAsync("r", 5, 20);
        Assert.Equal(20, window.Length);
    }

    [Fact]
    public async Task Should_read_a_range_deep_inside_a_multipart_object()
    {
        var data = Bytes.Random(20 * MiB + 7, seed: 5);
        await Store.PutAsync("big", data);

        // Spans the boundary between the third and fourth 5 MiB part in S3.
        Assert.Equal(data[(15 * MiB - 3)..(15 * MiB + 5)], await Store.GetAsync("big", 15 * MiB - 3, 8));
    }

    [Theory]
    [InlineData(990L, 11L)]   // ends past the end
    [InlineData(1000L, 1L)]   // starts at the end
    [InlineData(5000L, null)] // starts past the end
    [InlineData(1000L, null)] // starts at the end, to the end
    public async Task Should_refuse_a_range_outside_the_object(long offset, long? length)
    {
        await Store.PutAsync("r", Bytes.Random(1000));

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.OpenReadAsync("r", offset, length));
        Assert.Contains("\"r\"", error.Message);
    }

    [Theory]
    [InlineData(-1L, null)]
    [InlineData(0L, 0L)]
    public async Task Should_refuse_a_malformed_range(long offset, long? length)
    {
        await Store.PutAsync("r", Bytes.Random(10));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.OpenReadAsync("r", offset, length));
    }

    [Fact]
    public async Task Should_say_not_found_for_a_missing_object()
    {
        var error = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.OpenReadAsync("no/such/key"));

        Assert.Equal("no/such/key", error.Key);
        Assert.Null(await Store.GetSizeAsync("no/such/key"));
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.OpenReadAsync("no/such/key", 10, 5));
    }

    [Fact]
    public async Task Should_not_treat_a_directory_as_an_object()
    {
        await Store.PutAsync("dir/file", Bytes.Text("f"));

        Assert.Null(await Store.GetSizeAsync("dir"));
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.OpenReadAsync("dir"));
    }

    [Fact]
    public async Task Should_list_keys_and_sizes_recursively_in_key_order()
    {
        await Store.PutAsync("run/checkpoints/step-0000002/weights", Bytes.Random(30));
        await Store.PutAsync("run/checkpoints/step-0000001/weights", Bytes.Random(20));
        await Store.PutAsync("run/checkpoints/step-0000001/sub/optimizer", Bytes.Random(10));
        await Store.PutAsync("run/progress.json", Bytes.Random(5));
        await Store.PutAsync("other/file", Bytes.Random(1));

        Assert.Equal(
            [
                new ArtifactObject("run/checkpoints/step-0000001/sub/optimizer", 10),
                new ArtifactObject("run/checkpoints/step-0000001/weights", 20),
                new ArtifactObject("run/checkpoints/step-0000002/weights", 30),
                new ArtifactObject("run/progress.json", 5),
            ],
            await Store.ListAsync("run/"));
        // A prefix is a string prefix, as in S3, not a directory.
        Assert.Equal(3, (await Store.ListAsync("run/checkpoints/step-")).Count);
        Assert.Single(await Store.ListAsync("run/prog"));
        Assert.Equal(5, (await Store.ListAsync("")).Count);
        Assert.Empty(await Store.ListAsync("nothing/here/"));
    }

    [Fact]
    public async Task Should_delete_one_object_and_ignore_a_missing_one()
    {
        await Store.PutAsync("d/one", Bytes.Text("1"));
        await Store.PutAsync("d/two", Bytes.Text("2"));

        await Store.DeleteAsync("d/one");
        await Store.DeleteAsync("d/one");
        await Store.DeleteAsync("never/existed");

        Assert.Null(await Store.GetSizeAsync("d/one"));
        Assert.Equal(["d/two"], (await Store.ListAsync("d/")).Select(o => o.Key));
    }

    [Fact]
    public async Task Should_delete_a_directory_and_nothing_beside_it()
    {
        await Store.PutAsync("a/b/1", Bytes.Text("1"));
        await Store.PutAsync("a/b/c/2", Bytes.Text("2"));
        await Store.PutAsync("a/bc/3", Bytes.Text("3"));
        await Store.PutAsync("a/b.txt", Bytes.Text("4"));

        Assert.Equal(2, await Store.DeleteDirectoryAsync("a/b/"));

        Assert.Equal(["a/b.txt", "a/bc/3"], (await Store.ListAsync("a/")).Select(o => o.Key));
        Assert.Equal(0, await Store.DeleteDirectoryAsync("a/b/"));
    }

    public static TheoryData<string> EscapingKeys =>
        ["../outside", "a/../../outside", "/etc/passwd", "a\\..\\b", "a//b", "a/./b", "", "a/", ".", "..", "a\0b", ".apriel-staging/x"];

    [Theory]
    [MemberData(nameof(EscapingKeys))]
    public async Task Should_refuse_keys_that_could_escape_the_store(string key)
    {
        await AssertRefused(key, () => Store.PutAsync(key, new MemoryStream([1]), 1));
        await AssertRefused(key, () => Store.OpenReadAsync(key));
        await AssertRefused(key, () => Store.GetSizeAsync(key));
        await AssertRefused(key, () => Store.DeleteAsync(key));
    }

    [Theory]
    [InlineData("../")]
    [InlineData("/")]
    [InlineData("a/../")]
    [InlineData("a//")]
    public async Task Should_refuse_prefixes_that_could_escape_the_store(string prefix)
    {
        await AssertRefused(prefix, () => Store.ListAsync(prefix));
        await AssertRefused(prefix, () => Store.DeleteDirectoryAsync(prefix));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    public async Task Should_refuse_to_delete_a_prefix_that_is_not_a_directory(string prefix)
    {
        await Store.PutAsync("a/bc", Bytes.Text("keep"));

        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteDirectoryAsync(prefix));
        Assert.NotNull(await Store.GetSizeAsync("a/bc"));
    }

    [Theory]
    [InlineData(8 * MiB, 6 * MiB)] // one PUT in S3
    [InlineData(20 * MiB, 12 * MiB)] // multipart in S3: dies reading the third part, two sent
    public async Task Should_leave_nothing_under_the_key_when_a_put_fails_midway(int size, int failAfter)
    {
        var data = Bytes.Random(size);

        await Assert.ThrowsAsync<SimulatedCrash>(
            () => Store.PutAsync("crash/file", new DyingStream(new MemoryStream(data), failAfter), data.Length));

        Assert.Null(await Store.GetSizeAsync("crash/file"));
        Assert.Empty(await Store.ListAsync(""));
    }

    [Fact]
    public async Task Should_keep_the_previous_object_when_a_replacing_put_fails()
    {
        await Store.PutAsync("keep", Bytes.Text("old"));

        await Assert.ThrowsAsync<SimulatedCrash>(
            () => Store.PutAsync("keep", new DyingStream(new MemoryStream(Bytes.Random(1000)), limit: 500), 1000));

        Assert.Equal(Bytes.Text("old"), await Store.GetAsync("keep"));
    }

    [Fact]
    public async Task Should_refuse_a_source_shorter_than_announced()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(
            () => Store.PutAsync("short", new MemoryStream(Bytes.Random(100)), 150));

        Assert.Contains("100 of the 150", error.Message);
        Assert.Null(await Store.GetSizeAsync("short"));
    }

    static async Task AssertRefused(string key, Func<Task> operation)
    {
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(operation);
        Assert.IsNotType<ArgumentOutOfRangeException>(error);
        Assert.Contains("refused", error.Message);
        if (key.Length > 0 && !key.Contains('\0')) Assert.Contains(key, error.Message);
    }
}

/// <summary>The contract against a local directory.</summary>
public sealed class LocalStoreContractTests : StoreContractTests, IDisposable
{
    readonly Apriel.Testing.TestDirectory directory = Apriel.Testing.TestDirectory.Create("artifacts-local");

    protected override Task<IArtifactStore> CreateStoreAsync() =>
        Task.FromResult<IArtifactStore>(new LocalArtifactStore(directory.Subdirectory("store")));

    public void Dispose() => directory.Dispose();
}

/// <summary>The contract against s3rver, through the Minio client.</summary>
[Collection(S3Collection.Name)]
public sealed class S3StoreContractTests(Apriel.Testing.S3Fixture fixture) : StoreContractTests
{
    protected override async Task<IArtifactStore> CreateStoreAsync() => await TestStores.S3Async(fixture.Server);
}
