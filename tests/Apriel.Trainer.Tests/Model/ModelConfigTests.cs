using Apriel.Trainer.Model;

namespace Apriel.Trainer.Tests.Model;

public sealed class ModelConfigTests
{
    // The shape of mistral-community/pixtral-12b's config.json: most sizes are left to the MistralConfig and
    // PixtralVisionConfig defaults, and there are keys we do not model.
    private const string CommunityPixtralConfig = """
    {
      "architectures": ["LlavaForConditionalGeneration"],
      "ignore_index": -100,
      "image_seq_length": 1,
      "image_token_index": 10,
      "model_type": "llava",
      "projector_hidden_act": "gelu",
      "text_config": {
        "hidden_size": 5120,
        "head_dim": 128,
        "intermediate_size": 14336,
        "is_composition": true,
        "max_position_embeddings": 1024000,
        "model_type": "mistral",
        "num_hidden_layers": 40,
        "num_key_value_heads": 8,
        "rms_norm_eps": 1e-05,
        "rope_theta": 1000000000.0,
        "sliding_window": null,
        "vocab_size": 131072
      },
      "torch_dtype": "bfloat16",
      "transformers_version": "4.45.0.dev0",
      "vision_config": {
        "head_dim": 64,
        "hidden_act": "silu",
        "image_size": 1024,
        "is_composition": true,
        "model_type": "pixtral",
        "patch_size": 16,
        "rope_theta": 10000.0,
        "tie_word_embeddings": false
      },
      "vision_feature_layer": -1,
      "vision_feature_select_strategy": "full"
    }
    """;

    [Fact]
    public void Should_read_a_hub_config_with_defaults_to_the_same_tensors_as_the_preset()
    {
        var config = ModelConfig.FromJson(CommunityPixtralConfig);

        Assert.Equal(32, config.Text.NumAttentionHeads);
        Assert.Equal(24, config.Vision.NumHiddenLayers);
        Assert.Equal(1e9, config.Text.RopeTheta);
        Assert.Equal(TensorTable.For(ModelPresets.Pixtral12B), TensorTable.For(config), new TensorSpecComparer());
    }

    [Fact]
    public void Should_keep_unknown_keys_when_written_back()
    {
        var config = ModelConfig.FromJson(CommunityPixtralConfig);
        var again = ModelConfig.FromJson(config.ToJson());

        Assert.Contains("\"transformers_version\": \"4.45.0.dev0\"", again.ToJson());
        Assert.Contains("\"is_composition\": true", again.ToJson());
        Assert.Equal(config.ToJson(), again.ToJson());
    }

    [Theory]
    [InlineData("tiny")]
    [InlineData("pixtral-12b")]
    [InlineData("apriel-15b")]
    public void Should_round_trip_every_preset_through_config_json(string name)
    {
        var preset = ModelPresets.Get(name);
        using var dir = new TempDir();
        preset.Save(dir.Path);

        var loaded = ModelConfig.Load(dir.Path);

        Assert.Equal(preset.ToJson(), loaded.ToJson());
        Assert.Equal(preset.Text, loaded.Text with { Extra = null });
    }

    [Theory]
    [InlineData("pixtral-12b-base.json", "pixtral-12b")]
    [InlineData("apriel-15b-48l.json", "apriel-15b")]
    [InlineData("tiny.json", "tiny")]
    public void Should_match_the_example_configs_to_the_presets(string file, string preset)
    {
        var config = ModelConfig.Load(Path.Combine(TestPaths.RepoRoot, "examples", "models", file));

        Assert.Equal(ModelPresets.Get(preset).ToJson(), config.ToJson());
    }

    [Fact]
    public void Should_list_every_problem_of_a_bad_config()
    {
        var bad = ModelPresets.Tiny with
        {
            Text = ModelPresets.Tiny.Text with { NumAttentionHeads = 3, NumKeyValueHeads = 2 },
            Vision = ModelPresets.Tiny.Vision with { HiddenAct = "relu6" },
        };

        var e = Assert.Throws<ModelConfigException>(() => ModelConfig.FromJson(bad.ToJson(), "bad/config.json"));

        Assert.Contains(e.Problems, p => p.Contains("num_attention_heads (3) must be a multiple of num_key_value_heads (2)"));
        Assert.Contains(e.Problems, p => p.Contains("vision_config.hidden_act \"relu6\""));
        Assert.StartsWith("bad/config.json: ", e.Message);
    }

    [Fact]
    public void Should_refuse_a_file_that_is_not_json_with_its_path()
    {
        var e = Assert.Throws<ModelConfigException>(() => ModelConfig.FromJson("{ not json", "x/config.json"));

        Assert.Equal("x/config.json", e.ConfigPath);
    }

    [Fact]
    public void Should_derive_head_sizes_and_groups()
    {
        var p = ModelPresets.Pixtral12B;

        Assert.Equal(128, p.Text.HeadDim);
        Assert.Equal(4, p.Text.QueriesPerKeyValue);
        Assert.Equal(64, p.Vision.HeadDim);
        Assert.Equal(64, p.Vision.MaxPatchesPerSide);
    }

    private sealed class TensorSpecComparer : IEqualityComparer<TensorSpec>
    {
        public bool Equals(TensorSpec? x, TensorSpec? y) => x!.Name == y!.Name && x.Shape.SequenceEqual(y.Shape);

        public int GetHashCode(TensorSpec obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
