using Apriel.Trainer.Inspect;
using Apriel.Trainer.Model;

namespace Apriel.Trainer.Tests.Inspect;

public sealed class InspectCommandTests
{
    [Theory]
    [InlineData("pixtral-12b-base.json", 585, "12,682,739,712", "25.37 GB")]
    [InlineData("apriel-15b-48l.json", 657, "14,863,859,712", "29.73 GB")]
    public void Should_print_the_recipe_counts_for_the_full_size_configs(string file, int tensors, string parameters, string size)
    {
        var output = new StringWriter();

        var code = InspectCommand.Handler(output, Path.Combine(TestPaths.RepoRoot, "examples", "models", file));

        Assert.Equal(ExitCodes.Ok, code);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(tensors, lines.Count(l => l.StartsWith("language_model.", StringComparison.Ordinal)
            || l.StartsWith("vision_tower.", StringComparison.Ordinal) || l.StartsWith("multi_modal_projector.", StringComparison.Ordinal)));
        Assert.Contains($"total: {tensors} tensors, {parameters} parameters, bf16 {size}", output.ToString());
    }

    [Fact]
    public void Should_match_the_recipe_tensor_table()
    {
        var table = TensorTable.For(ModelPresets.Pixtral12B).ToDictionary(x => x.Name, x => x.ShapeText);

        // apriel-recipe.md §B.5, a sample of rows.
        Assert.Equal("[131072, 5120]", table["language_model.model.embed_tokens.weight"]);
        Assert.Equal("[4096, 5120]", table["language_model.model.layers.39.self_attn.q_proj.weight"]);
        Assert.Equal("[1024, 5120]", table["language_model.model.layers.0.self_attn.k_proj.weight"]);
        Assert.Equal("[5120, 4096]", table["language_model.model.layers.7.self_attn.o_proj.weight"]);
        Assert.Equal("[5120, 14336]", table["language_model.model.layers.12.mlp.down_proj.weight"]);
        Assert.Equal("[131072, 5120]", table["language_model.lm_head.weight"]);
        Assert.Equal("[1024, 3, 16, 16]", table["vision_tower.patch_conv.weight"]);
        Assert.Equal("[1024]", table["vision_tower.ln_pre.weight"]);
        Assert.Equal("[4096, 1024]", table["vision_tower.transformer.layers.23.feed_forward.gate_proj.weight"]);
        Assert.Equal("[5120, 1024]", table["multi_modal_projector.linear_1.weight"]);
        Assert.Equal("[5120]", table["multi_modal_projector.linear_2.bias"]);
        Assert.False(table.ContainsKey("language_model.model.layers.40.input_layernorm.weight"));
    }

    [Fact]
    public void Should_leave_out_lm_head_when_embeddings_are_tied()
    {
        var tied = ModelPresets.Tiny with { Text = ModelPresets.Tiny.Text with { TieWordEmbeddings = true } };

        Assert.DoesNotContain(TensorTable.For(tied), x => x.Name.Contains("lm_head", StringComparison.Ordinal));
        Assert.Equal(TensorTable.For(ModelPresets.Tiny).Count - 1, TensorTable.For(tied).Count);
    }

    [Fact]
    public void Should_check_the_weights_of_a_checkpoint_directory()
    {
        TorchSharp.torch.set_num_threads(1);
        using var dir = new TempDir();
        using (var model = new VisionLanguageModel(ModelPresets.Tiny).Initialize(1))
            Apriel.Trainer.Checkpoints.ModelCheckpoint.Save(model, dir.Path, TorchSharp.torch.ScalarType.BFloat16);
        var output = new StringWriter();

        Assert.Equal(ExitCodes.Ok, InspectCommand.Handler(output, dir.Path, summaryOnly: true));
        Assert.Contains("weights: 63 tensors in 1 file(s), BF16, 0.59 MB (0.56 MiB): match config.json", output.ToString());

        (ModelPresets.Tiny with { Text = ModelPresets.Tiny.Text with { NumHiddenLayers = 5 } }).Save(dir.Path);
        output = new StringWriter();
        Assert.Equal(ExitCodes.Invalid, InspectCommand.Handler(output, dir.Path, summaryOnly: true));
        Assert.Contains("missing tensor \"language_model.model.layers.4.input_layernorm.weight\"", output.ToString());
    }

    [Fact]
    public void Should_fail_with_usage_for_an_unknown_path()
    {
        var output = new StringWriter();

        Assert.Equal(ExitCodes.Usage, InspectCommand.Handler(output, "no-such-model"));
        Assert.Equal("error: no-such-model: no such file, directory or model preset (presets: tiny, pixtral-12b, apriel-15b)\n", output.ToString());
    }
}
