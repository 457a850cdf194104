using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Trainer.Merging;
using Apriel.Trainer.Model;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Merging;

public sealed class MergeRunTests : IDisposable
{
    readonly TempDir dir = new();
    readonly MergeFixtures fixtures;

    public MergeRunTests() => fixtures = MergeFixtures.Local(dir);

    public void Dispose()
    {
        fixtures.Dispose();
        dir.Dispose();
    }

    static Dictionary<string, Tensor> Weights(VisionLanguageModel model) => model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public async Task Should_average_k_checkpoints_element_wise_and_record_the_lineage()
    {
        var models = Enumerable.Range(0, 3).Select(i => MergeFixtures.Model(seed: i)).ToList();
        // Sharded inputs and small slices, so shard boundaries and slicing are exercised.
        var inputs = models.Select((m, i) => fixtures.Commit($"ckpt-{i}/", m, $"input-{i}", maxShardBytes: 300_000)).ToList();

        var committed = fixtures.Run(fixtures.Task(MergeMethod.Linear, inputs.Select(i => MergeFixtures.Input(i))), sliceElements: 1000, maxShardBytes: 400_000);

        using var merged = fixtures.Load(committed);
        foreach (var (name, value) in Weights(merged))
        {
            var mean = stack(models.Select(m => Weights(m)[name])).mean([0]);
            Assert.True(value.allclose(mean, rtol: 0, atol: 1e-6), $"{name} is not the mean");
        }
        var lineage = committed.Manifest.Lineage;
        Assert.Equal(ModelMerge.KindName, lineage.Kind);
        Assert.Equal(inputs.Select(i => i.Digest), lineage.Inputs.Select(i => i.Digest));
        Assert.Equal(MergeMethod.Linear, lineage.Merge!.Method);
        Assert.Equal([1.0 / 3, 1.0 / 3, 1.0 / 3], lineage.Merge.Weights);
        Assert.Contains(committed.Manifest.Files, f => f.Path == "model.safetensors.index.json");
        Assert.Contains(committed.Manifest.Files, f => f.Path == "tokenizer_config.json");
        var progress = (await ProgressFile.ReadAsync(fixtures.Store, "out/"))!;
        Assert.Equal((Weights(merged).Count, Weights(merged).Count, 100), ((int)progress.Step, (int)progress.Total, progress.Percent));
    }

    [Fact]
    public void Should_honour_and_normalise_the_weights()
    {
        var (a, b) = (MergeFixtures.Model(seed: 1), MergeFixtures.Model(seed: 2));
        var task = fixtures.Task(MergeMethod.Linear, [
            MergeFixtures.Input(fixtures.Commit("a/", a), weight: 1),
            MergeFixtures.Input(fixtures.Commit("b/", b, "input-1"), weight: 3)]);

        using var merged = fixtures.Load(fixtures.Run(task));

        foreach (var (name, value) in Weights(merged))
            Assert.True(value.allclose(Weights(a)[name] * 0.25 + Weights(b)[name] * 0.75, rtol: 0, atol: 1e-6), name);
    }

    [Fact]
    public void Should_upscale_40_to_48_layers_by_passthrough()
    {
        var model = MergeFixtures.Model(seed: 7, MergeFixtures.Forty);
        var input = fixtures.Commit("base/", model, maxShardBytes: 2_000_000);
        var task = fixtures.Task(MergeMethod.Passthrough, [
            MergeFixtures.Input(input, layers: new LayerRange { Start = 0, End = 24 }),
            MergeFixtures.Input(input with { Role = "input-1" }, layers: new LayerRange { Start = 16, End = 40 })]);

        var committed = fixtures.Run(task, sliceElements: 1000);

        using var upscaled = fixtures.Load(committed); // loads: names and shapes checked against the written config
        Assert.Equal(48, upscaled.Config.Text.NumHiddenLayers);
        var source = Weights(model);
        var written = Weights(upscaled);
        Assert.Equal(TensorTable.For(upscaled.Config).Count, written.Count);
        foreach (var (name, value) in written)
        {
            var from = LayerSlices.Parse(name) is { } at ? LayerSlices.Name(at.Layer < 24 ? at.Layer : at.Layer - 8, at.Kind) : name;
            Assert.True(MergeFixtures.Identical(value, source[from]), $"{name} is not a copy of {from}");
        }
        using var _ = no_grad();
        var logits = upscaled.forward(new VlmInput(tensor(new long[] { 1, 30, 31, 32 }, [1, 4])));
        Assert.Equal([1L, 4, MergeFixtures.Forty.Text.VocabSize], logits.shape);
        Assert.True(logits.isfinite().all().item<bool>());
    }

    [Fact]
    public void Should_return_the_first_model_from_slerp_at_t_0()
    {
        var (a, b) = (MergeFixtures.Model(seed: 1), MergeFixtures.Model(seed: 2));
        var task = fixtures.Task(MergeMethod.Slerp, [MergeFixtures.Input(fixtures.Commit("a/", a)), MergeFixtures.Input(fixtures.Commit("b/", b, "input-1"))],
            parameters: new MergeParameters { T = 0 });

        using var merged = fixtures.Load(fixtures.Run(task));

        foreach (var (name, value) in Weights(merged)) Assert.True(MergeFixtures.Identical(value, Weights(a)[name]), name);
    }

    [Theory]
    [InlineData(MergeMethod.TaskArithmetic)]
    [InlineData(MergeMethod.Ties)]
    public void Should_return_the_base_with_lambda_0(MergeMethod method)
    {
        var @base = MergeFixtures.Model(seed: 5);
        var task = fixtures.Task(method,
            [MergeFixtures.Input(fixtures.Commit("a/", MergeFixtures.Model(seed: 1))), MergeFixtures.Input(fixtures.Commit("b/", MergeFixtures.Model(seed: 2), "input-1"))],
            @base: fixtures.Commit("base/", @base, "base"), parameters: new MergeParameters { Lambda = 0 });

        using var merged = fixtures.Load(fixtures.Run(task));

        foreach (var (name, value) in Weights(merged)) Assert.True(MergeFixtures.Identical(value, Weights(@base)[name]), name);
    }

    [Fact]
    public void Should_write_the_requested_dtype()
    {
        var task = fixtures.Task(MergeMethod.Linear, [MergeFixtures.Input(fixtures.Commit("a/", MergeFixtures.Model(seed: 1)))], dtype: DType.BF16);

        using var merged = fixtures.Load(fixtures.Run(task));

        Assert.Equal("bfloat16", merged.Config.TorchDtype);
    }

    [Fact]
    public void Should_refuse_inputs_of_another_architecture_before_writing_anything() =>
        AssertRefused(MergeFixtures.Model(2, ModelPresets.Tiny with { Text = ModelPresets.Tiny.Text with { IntermediateSize = 128 } }), Tokenizer,
            "inputs disagree: config.json text_config.intermediate_size is 192 in input-0 (file://");

    [Fact]
    public void Should_refuse_inputs_with_another_tokenizer_before_writing_anything() =>
        AssertRefused(MergeFixtures.Model(2), "{\"tokenizer_class\": \"other\"}\n", "inputs disagree: tokenizer file \"tokenizer_config.json\" is sha256 ");

    const string Tokenizer = "{\"tokenizer_class\": \"test\"}\n";

    void AssertRefused(VisionLanguageModel other, string tokenizer, string message)
    {
        var task = fixtures.Task(MergeMethod.Linear, [
            MergeFixtures.Input(fixtures.Commit("a/", MergeFixtures.Model(seed: 1), tokenizer: Tokenizer)),
            MergeFixtures.Input(fixtures.Commit("b/", other, "input-1", tokenizer: tokenizer))]);

        var e = Assert.Throws<MergeInputException>(() => fixtures.Run(task));

        Assert.StartsWith(message, e.Message);
        Assert.Contains("input-1 (file://", e.Message);
        Assert.False(fixtures.HasOutput());
    }

    [Fact]
    public void Should_refuse_inputs_whose_dtypes_differ()
    {
        var task = fixtures.Task(MergeMethod.Linear, [
            MergeFixtures.Input(fixtures.Commit("a/", MergeFixtures.Model(seed: 1))),
            MergeFixtures.Input(fixtures.Commit("b/", MergeFixtures.Model(seed: 2), "input-1", dtype: ScalarType.BFloat16))]);

        var e = Assert.Throws<MergeInputException>(() => fixtures.Run(task));

        Assert.Matches("^inputs disagree: tensor \"[^\"]+\" is F32 \\[[0-9, ]+\\] in input-0 \\(.*\\) but BF16 \\[[0-9, ]+\\] in input-1 \\(", e.Message);
        Assert.False(fixtures.HasOutput());
    }

    [Fact]
    public async Task Should_refuse_an_uncommitted_input()
    {
        var input = fixtures.Commit("a/", MergeFixtures.Model(seed: 1));
        await fixtures.Store.DeleteAsync("a/MANIFEST.json");

        var e = Assert.Throws<MergeInputException>(() => fixtures.Run(fixtures.Task(MergeMethod.Linear, [MergeFixtures.Input(input)])));

        Assert.Equal($"input-0 ({input.Uri}): not a committed model (no MANIFEST.json)", e.Message);
        Assert.False(fixtures.HasOutput());
    }

    [Fact]
    public void Should_refuse_an_input_that_is_not_the_pinned_one()
    {
        var input = fixtures.Commit("a/", MergeFixtures.Model(seed: 1));

        var e = Assert.Throws<ArtifactIntegrityException>(() =>
            fixtures.Run(fixtures.Task(MergeMethod.Linear, [MergeFixtures.Input(input with { Digest = "sha256:" + new string('a', 64) })])));

        Assert.Contains("is not the pinned artifact", e.Message);
        Assert.False(fixtures.HasOutput());
    }

    [Fact]
    public void Should_refuse_a_corrupt_weight_file_and_commit_nothing()
    {
        var input = fixtures.Commit("a/", MergeFixtures.Model(seed: 1));
        var file = Path.Combine(dir.File("store"), "a", "model.safetensors");
        var bytes = File.ReadAllBytes(file);
        bytes[^100] ^= 0x40; // a flipped bit in the last tensor's data
        File.WriteAllBytes(file, bytes);

        var e = Assert.Throws<ArtifactIntegrityException>(() => fixtures.Run(fixtures.Task(MergeMethod.Linear, [MergeFixtures.Input(input)])));

        Assert.Contains("a/model.safetensors: sha256 is ", e.Message);
        Assert.False(fixtures.HasOutput());
    }
}
