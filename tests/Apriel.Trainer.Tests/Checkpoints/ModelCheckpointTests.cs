using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Checkpoints;

public sealed class ModelCheckpointTests
{
    public ModelCheckpointTests() => torch.set_num_threads(1);

    private static VisionLanguageModel Tiny() => new VisionLanguageModel(ModelPresets.Tiny).Initialize(seed: 9);

    private static void AssertSameWeights(VisionLanguageModel expected, VisionLanguageModel actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, tensor) in a)
            Assert.True(tensor.to(b[name].dtype).contiguous().bytes.SequenceEqual(b[name].contiguous().bytes), $"{name} differs");
    }

    [Theory]
    [InlineData(CheckpointFiles.DefaultMaxShardBytes, 1)]
    [InlineData(200_000L, 7)]
    public void Should_load_a_saved_model_bit_exact(long maxShardBytes, int weightFiles)
    {
        using var dir = new TempDir();
        using var model = Tiny();

        var files = ModelCheckpoint.Save(model, dir.Path, maxShardBytes: maxShardBytes);
        using var loaded = ModelCheckpoint.Load(dir.Path);

        Assert.Equal(weightFiles, files.Count(f => f.EndsWith(".safetensors", StringComparison.Ordinal)));
        AssertSameWeights(model, loaded);
        Assert.Equal((ModelPresets.Tiny with { TorchDtype = "float32" }).ToJson(), loaded.Config.ToJson());
        using var _ = no_grad();
        var ids = tensor(new long[] { 1, 30, 31, 32 }, [1, 4]);
        Assert.True(model.forward(new VlmInput(ids)).allclose(loaded.forward(new VlmInput(ids)), rtol: 0, atol: 0));
    }

    [Fact]
    public void Should_save_bf16_and_say_so_in_the_config()
    {
        using var dir = new TempDir();
        using var model = Tiny();

        ModelCheckpoint.Save(model, dir.Path, ScalarType.BFloat16);

        Assert.Equal("bfloat16", ModelConfig.Load(dir.Path).TorchDtype);
        using (var reader = CheckpointReader.Open(dir.Path)) Assert.All(reader.Tensors.Values, t => Assert.Equal("BF16", t.Entry.DType));
        using var loaded = ModelCheckpoint.Load(dir.Path, ScalarType.BFloat16);
        AssertSameWeights(model, loaded);
    }

    [Fact]
    public void Should_load_the_newer_hugging_face_naming_generation()
    {
        using var dir = new TempDir();
        using var model = Tiny();
        CheckpointFiles.Save(dir.Path, model.state_dict().Select(kv => new KeyValuePair<string, Tensor>(HfNames.ToNewer(kv.Key), kv.Value)).ToList());
        model.Config.Save(dir.Path);

        using var loaded = ModelCheckpoint.Load(dir.Path);

        Assert.Contains("model.language_model.embed_tokens.weight", File.ReadAllText(Path.Combine(dir.Path, CheckpointFiles.SingleFile)).AsSpan(0, 4000).ToString());
        AssertSameWeights(model, loaded);
    }

    private static void SaveWith(string directory, VisionLanguageModel model, Func<List<KeyValuePair<string, Tensor>>, List<KeyValuePair<string, Tensor>>> edit)
    {
        CheckpointFiles.Save(directory, edit([.. model.state_dict()]));
        model.Config.Save(directory);
    }

    [Fact]
    public void Should_refuse_a_misnamed_tensor()
    {
        using var dir = new TempDir();
        using var model = Tiny();
        SaveWith(dir.Path, model, l => l.Select(kv => kv.Key == "language_model.model.norm.weight" ? new KeyValuePair<string, Tensor>("language_model.model.final_norm.weight", kv.Value) : kv).ToList());

        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(dir.Path));

        Assert.Equal("missing tensor \"language_model.model.norm.weight\" [64] that config.json needs", e.Problem);
    }

    [Fact]
    public void Should_refuse_an_unexpected_tensor()
    {
        using var dir = new TempDir();
        using var model = Tiny();
        SaveWith(dir.Path, model, l => [.. l, new("language_model.model.layers.4.input_layernorm.weight", ones(64))]);

        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(dir.Path));

        Assert.Contains("unexpected tensor \"language_model.model.layers.4.input_layernorm.weight\"", e.Problem);
        Assert.EndsWith(CheckpointFiles.SingleFile, e.FilePath);
    }

    [Fact]
    public void Should_refuse_a_tensor_whose_shape_the_config_does_not_allow()
    {
        using var dir = new TempDir();
        using var model = Tiny();
        ModelCheckpoint.Save(model, dir.Path, maxShardBytes: 200_000);
        (model.Config with { Text = model.Config.Text with { IntermediateSize = 256 } }).Save(dir.Path);

        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(dir.Path));

        Assert.Equal("tensor \"language_model.model.layers.0.mlp.gate_proj.weight\" has shape [192, 64] but config.json needs [256, 64]", e.Problem);
        Assert.Matches(@"model-0000\d-of-00007\.safetensors$", e.FilePath);
    }
}
