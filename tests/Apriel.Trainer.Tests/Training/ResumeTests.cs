using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Tests.Data;
using Apriel.Trainer.Training;

namespace Apriel.Trainer.Tests.Training;

/// <summary>Interrupted and resumed runs end with the same weights, bit for bit, as an uninterrupted one.</summary>
public sealed class ResumeTests
{
    private const long Steps = 12;

    /// <summary>Text and captions (so the vision path is exercised), micro-batches of 2 in a global batch of 4, every component trained.</summary>
    private static TrainingStageSpec Spec(DType precision = DType.FP32, bool activationCheckpointing = false) => new()
    {
        Model = new ModelSource { Init = "tiny" },
        Train = [Component.VisionEncoder, Component.Projector, Component.Decoder],
        Data = new DataSpec
        {
            SequenceLength = 128,
            Sources =
            [
                TestData.Source("text", "text.jsonl", DataFormat.Text, 2),
                TestData.Source("captions", "captions.jsonl", DataFormat.ImageText, 1),
            ],
        },
        Optimizer = new OptimizerSpec { LearningRate = 2e-3, WeightDecay = 0.01 },
        Schedule = new ScheduleSpec { Type = ScheduleKind.Cosine, WarmupRatio = 0.2, MinLearningRateRatio = 0.1 },
        Budget = new BudgetSpec { Steps = Steps },
        Batch = new BatchSpec { GlobalBatchSize = 4, MicroBatchSize = 2 },
        Precision = precision,
        ActivationCheckpointing = activationCheckpointing,
        Checkpoints = new CheckpointSpec { Interval = 4, Retain = new RetainSpec { Equispaced = 3, Last = 1 } },
        Seed = 7,
    };

    private static byte[] FinalWeights(string run) => File.ReadAllBytes(Path.Combine(run, "model", "model.safetensors"));

    private static TrainerState FinalState(string run) => TrainingCheckpoint.ReadState(Path.Combine(run, "model"));

    /// <summary>The final weights and trainer state of an uninterrupted FP32 run.</summary>
    private static readonly Lazy<(byte[] Weights, TrainerState State)> Uninterrupted = new(() =>
    {
        using var run = new TempDir();
        var weights = RunStraight(run, DType.FP32);
        return (weights, FinalState(run.Path));
    });

    private static byte[] RunStraight(TempDir run, DType precision)
    {
        var (outcome, steps) = TinyStages.Run(TinyStages.Task(Spec(precision), run.Path));
        Assert.Equal(TrainingOutcome.Completed, outcome);
        Assert.Equal(Steps, steps.Count);
        return FinalWeights(run.Path);
    }

    /// <summary>The same weights and the same loss history, entry for entry.</summary>
    private static void AssertSameAsUninterrupted(string run)
    {
        Assert.Equal(Uninterrupted.Value.Weights, FinalWeights(run));
        Assert.Equal(Uninterrupted.Value.State.LogHistory, FinalState(run).LogHistory);
    }

    /// <summary>Runs the task until it completes, stopping it (as SIGTERM does) after each step in <paramref name="stops"/>.</summary>
    private static string RunWithStops(TempDir run, DType precision, params long[] stops) => RunWithStops(run, Spec(precision), stops);

    private static string RunWithStops(TempDir run, TrainingStageSpec spec, params long[] stops)
    {
        var task = TinyStages.Task(spec, run.Path);
        foreach (var stop in stops)
        {
            using var cancel = new CancellationTokenSource();
            var (outcome, _) = TinyStages.Run(task, cancel.Token, r => { if (r.Step == stop) cancel.Cancel(); });
            Assert.Equal(TrainingOutcome.Preempted, outcome);
            Assert.Contains(stop, TinyStages.Checkpoints(task));
        }
        Assert.Equal(TrainingOutcome.Completed, TinyStages.Run(task).Outcome);
        return run.Path;
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(5L)]
    [InlineData(8L)]
    [InlineData(11L)]
    public void Should_end_with_the_same_weights_after_a_stop_at_any_step(long stop)
    {
        using var run = new TempDir();

        RunWithStops(run, DType.FP32, stop);

        AssertSameAsUninterrupted(run.Path);
    }

    [Fact]
    public void Should_end_with_the_same_weights_with_activation_checkpointing_and_a_stop()
    {
        using var run = new TempDir();

        RunWithStops(run, Spec(activationCheckpointing: true), 6);

        AssertSameAsUninterrupted(run.Path);
    }

    [Fact]
    public void Should_end_with_the_same_weights_after_several_stops()
    {
        using var run = new TempDir();

        RunWithStops(run, DType.FP32, 2, 3, 7, 10);

        AssertSameAsUninterrupted(run.Path);
    }

    [Fact]
    public void Should_resume_from_the_last_committed_checkpoint_after_a_crash()
    {
        using var run = new TempDir();
        var task = TinyStages.Task(Spec(), run.Path);

        // A crash after step 7 (no checkpoint written for it): the run resumes from step 4's.
        Assert.Throws<InvalidOperationException>(() => TinyStages.Run(task, afterStep: r => { if (r.Step == 7) throw new InvalidOperationException("killed"); }));
        Assert.Equal([4L], TinyStages.Checkpoints(task));
        var (outcome, steps) = TinyStages.Run(task);

        Assert.Equal(TrainingOutcome.Completed, outcome);
        Assert.Equal([5L, 6, 7, 8, 9, 10, 11, 12], steps.Select(s => s.Step));
        AssertSameAsUninterrupted(run.Path);
    }

    [Fact]
    public void Should_resume_bf16_weights_with_their_float32_master_copies_exactly()
    {
        using var straightRun = new TempDir();
        var straight = RunStraight(straightRun, DType.BF16);
        using var run = new TempDir();

        RunWithStops(run, DType.BF16, 6);

        Assert.Equal(straight, FinalWeights(run.Path));
        Assert.Equal(FinalState(straightRun.Path).LogHistory, FinalState(run.Path).LogHistory);
        Assert.NotEqual(Uninterrupted.Value.Weights.Length, straight.Length); // bf16 weights are half the bytes
    }

    [Fact]
    public void Should_keep_the_equispaced_checkpoints_and_report_progress_at_the_end()
    {
        using var run = new TempDir();
        RunWithStops(run, DType.FP32, 5);

        // Written: 4, 5 (the stop), 8, 12; kept: the equispaced 4, 8, 12 (5 was the newest only until 8).
        Assert.Equal([4L, 8, 12], TinyStages.Checkpoints(TinyStages.Task(Spec(), run.Path)));
        var progress = JsonSerializer.Deserialize<Progress>(File.ReadAllText(Path.Combine(run.Path, "progress.json")), ApiJson.Options)!;
        Assert.Equal(Steps, progress.Step);
        Assert.Equal(Steps, progress.Total);
        Assert.Equal(100, progress.Percent);
        Assert.Equal(Steps * 4 * 128, progress.Tokens);
        Assert.NotNull(progress.Loss);
        Assert.NotNull(progress.LearningRate);
        Assert.True(File.Exists(Path.Combine(run.Path, "model", "MANIFEST.json")));
    }

    [Fact]
    public void Should_log_every_step_in_the_trainer_state_of_checkpoints_and_the_final_model()
    {
        using var run = new TempDir();
        RunWithStops(run, DType.FP32, 5);

        var history = FinalState(run.Path).LogHistory;
        Assert.Equal(Steps, FinalState(run.Path).Step);
        Assert.Equal(Enumerable.Range(1, (int)Steps).Select(s => (long)s), history.Select(e => e.Step));
        Assert.Equal(history.Select(e => e.Step * 4 * 128), history.Select(e => e.Tokens));
        Assert.All(history, e => Assert.True(e.Loss > 0 && e.LearningRate > 0));
        // A checkpoint's history is the final history up to its step.
        var checkpoint = TrainingCheckpoint.ReadState(Path.Combine(run.Path, "checkpoints", "step-0000008"));
        Assert.Equal(history.Take(8), checkpoint.LogHistory);

        // Hugging Face's field names, one object per step.
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Path, "model", TrainerState.FileName)));
        Assert.Equal(Steps, json.RootElement.GetProperty("global_step").GetInt64());
        var first = json.RootElement.GetProperty("log_history")[0];
        Assert.Equal(["step", "loss", "learning_rate", "tokens"], first.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Should_do_nothing_when_the_final_model_is_committed()
    {
        using var run = new TempDir();
        var task = TinyStages.Task(Spec() with { Budget = new BudgetSpec { Steps = 2 } }, run.Path);
        TinyStages.Run(task);

        var (outcome, steps) = TinyStages.Run(task);

        Assert.Equal(TrainingOutcome.Completed, outcome);
        Assert.Empty(steps);
    }
}
