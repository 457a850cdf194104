using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Model;
using Apriel.Trainer.Tokenization;
using Apriel.Trainer.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Training;

/// <summary>Each kind of stage of examples/tiny, with its own data, freezing, loss and schedule, runs on CPU and its loss falls.</summary>
public sealed class StageTests(ITestOutputHelper output)
{
    /// <summary>A briefly trained base (text CPT from init), shared: the later stages start from it as the chain does.</summary>
    private static readonly Lazy<string> Base = new(() =>
    {
        var dir = Directory.CreateTempSubdirectory("apriel-tiny-base-").FullName;
        Data.TestData.DeleteOnExit(dir);
        var (outcome, _) = TinyStages.Run(TinyStages.Task(TinyStages.Shrunk("00-base.yaml", steps: 40, batch: 8), dir));
        Assert.Equal(TrainingOutcome.Completed, outcome);
        return Path.Combine(dir, "model");
    });

    private void Report(string stage, List<StepResult> steps) =>
        output.WriteLine($"{stage}: {steps.Count} steps, loss {steps[0].Loss:F3} → {steps[^1].Loss:F3} (first 3 {TinyStages.Mean(steps.Take(3)):F3}, last 3 {TinyStages.Mean(steps.TakeLast(3)):F3})");

    private List<StepResult> RunStage(string file, long steps, bool fromBase, int batch = 4, string? model = null)
    {
        using var dir = new TempDir();
        var spec = TinyStages.Shrunk(file, steps, batch);
        var (outcome, results) = TinyStages.Run(TinyStages.Task(spec, dir.Path, modelDirectory: model ?? (fromBase ? Base.Value : null)));
        Assert.Equal(TrainingOutcome.Completed, outcome);
        Report(file, results);
        Assert.Equal(steps, results.Count);
        Assert.True(TinyStages.Mean(results.TakeLast(3)) < TinyStages.Mean(results.Take(3)) - 0.05, $"{file}: loss did not fall");
        // The final model loads with its tokenizer.
        using var final = ModelCheckpoint.Load(Path.Combine(dir.Path, "model"));
        Assert.IsType<ByteTokenizer>(TokenizerFiles.Load(Path.Combine(dir.Path, "model"), final.Config));
        return results;
    }

    [Fact]
    public void Should_train_text_cpt_of_the_upscaled_decoder()
    {
        RunStage("02-upscale.yaml", steps: 12, fromBase: true);
    }

    [Fact]
    public void Should_realign_the_projector_alone_on_captions()
    {
        // What realignment is for: a projector that no longer fits the decoder (here: initialised afresh). Training it
        // alone brings the caption loss back down.
        using var misaligned = new TempDir();
        using (var model = ModelCheckpoint.Load(Base.Value))
        {
            using (no_grad())
            {
                var state = model.state_dict();
                var generator = new TorchSharp.torch.Generator(99);
                foreach (var (name, tensor) in state.Where(p => p.Key.StartsWith("multi_modal_projector.", StringComparison.Ordinal)))
                {
                    if (name.EndsWith(".bias", StringComparison.Ordinal)) tensor.zero_();
                    else tensor.normal_(0, 0.02, generator);
                }
            }
            ModelCheckpoint.Save(model, misaligned.File("model"));
        }
        TinyStages.Commit(misaligned.File("model"));

        RunStage("04-realign.yaml", steps: 12, fromBase: true, model: misaligned.File("model"));
    }

    [Fact]
    public void Should_train_cpt2_on_synthetic_visual_tasks_with_response_only_loss()
    {
        var steps = RunStage("07-cpt-2.yaml", steps: 16, fromBase: true, batch: 8);

        Assert.All(steps, s => Assert.InRange(s.LossTokens, 1, 8 * 384 / 4)); // responses are a small part of each row
    }

    [Fact]
    public void Should_fine_tune_the_decoder_on_reasoning_chats()
    {
        RunStage("08-sft.yaml", steps: 12, fromBase: true);
    }

    [Theory]
    [InlineData("09-sft-subset.yaml")] // a stratified 25% subset
    [InlineData("09-sft-long.yaml")]   // longer rows, a mixture of the long and short records
    public void Should_run_the_sft_branches(string file)
    {
        RunStage(file, steps: 12, fromBase: true);
    }

    [Fact]
    public void Should_train_everything_from_init_on_the_cpt1_mixture()
    {
        RunStage("05-cpt-1.yaml", steps: 10, fromBase: false);
    }
}
