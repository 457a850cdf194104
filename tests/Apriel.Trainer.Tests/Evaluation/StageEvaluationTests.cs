using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Evaluation;
using Apriel.Trainer.Tests.Data;
using Apriel.Trainer.Tests.Training;
using Apriel.Trainer.Training;

namespace Apriel.Trainer.Tests.Evaluation;

/// <summary>A stage with evaluation sets scores its starting and final models and writes evaluation.json.</summary>
public sealed class StageEvaluationTests
{
    private const int Samples = 4;

    private static TrainingStageSpec Spec(long steps) => new()
    {
        Model = new ModelSource { Init = "tiny" },
        Train = [Component.Decoder],
        Data = new DataSpec { SequenceLength = 128, Loss = LossTokens.Responses, Sources = [TestData.Source("sft", "reasoning-chat.jsonl", DataFormat.Chat)] },
        Optimizer = new OptimizerSpec { LearningRate = 1e-3 },
        Budget = new BudgetSpec { Steps = steps },
        Batch = new BatchSpec { GlobalBatchSize = 2 },
        Precision = DType.FP32,
        Checkpoints = new CheckpointSpec { Interval = 2 },
        Evaluation =
        [
            new EvaluationSet { Name = "counting", Uri = "datasets/tiny/eval-counting.jsonl", MaxNewTokens = 4, Limit = Samples },
            new EvaluationSet { Name = "arithmetic", Uri = "datasets/tiny/eval-arithmetic.jsonl", MaxNewTokens = 8, Limit = Samples },
        ],
    };

    private static EvaluationReport Report(string run) =>
        EvaluationReport.FromJson(File.ReadAllText(Path.Combine(run, EvaluationReport.FileName)), run);

    [Fact]
    public void Should_write_the_scores_before_and_after_training_from_a_task_file()
    {
        using var dir = new TempDir();
        var task = TinyStages.Task(Spec(steps: 2), dir.File("run"));
        File.WriteAllText(dir.File("task.json"), JsonSerializer.Serialize(task, ApiJson.Options));
        var output = new StringWriter();

        var code = Program.Run(["train", "--task", dir.File("task.json")], output);

        Assert.True(code == ExitCodes.Ok, $"exit code {code}:\n{output}");
        var report = Report(dir.File("run"));
        Assert.Equal(["counting", "arithmetic"], report.Sets.Select(s => s.Name));
        var expected = File.ReadLines(TestData.Path("eval-arithmetic.jsonl")).Take(Evaluator.Examples)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("messages")[1].GetProperty("content").GetString());
        Assert.Equal(expected, report.Sets[1].Examples.Select(e => e.Expected));
        Assert.All(report.Sets, set =>
        {
            Assert.Equal(Samples, set.Samples);
            Assert.InRange(set.Before!.Value, 0, 1);
            Assert.InRange(set.After!.Value, 0, 1);
            Assert.Equal(Evaluator.Examples, set.Examples.Count);
            Assert.All(set.Examples, e => Assert.True(e.Before is not null && e.After is not null && e.Prompt.Length > 0));
        });
        Assert.Contains("evaluation before training: counting:", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("evaluation after training: arithmetic:", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_score_the_starting_model_once_and_keep_its_scores_across_a_resume()
    {
        using var dir = new TempDir();
        var task = TinyStages.Task(Spec(steps: 4), dir.File("run"));
        using var cancel = new CancellationTokenSource();
        TinyStages.Run(task, cancel.Token, r => { if (r.Step == 2) cancel.Cancel(); });
        var before = TrainingCheckpoint.ReadState(dir.File("run/checkpoints/step-0000002")).EvaluationBefore;
        Assert.False(File.Exists(dir.File("run/" + EvaluationReport.FileName))); // written with the final model only

        var log = new StringWriter();
        Assert.Equal(TrainingOutcome.Completed, TinyStages.Run(task, log: log).Outcome);

        Assert.DoesNotContain("evaluation before training", log.ToString(), StringComparison.Ordinal);
        Assert.Equal(before.Select(b => b.Accuracy), Report(dir.File("run")).Sets.Select(s => s.Before!.Value));
        Assert.Equal(before.Select(b => b.Examples[0].Answer), Report(dir.File("run")).Sets.Select(s => s.Examples[0].Before));
    }

    [Fact]
    public void Should_score_a_model_directory_from_the_command_line()
    {
        using var dir = new TempDir();
        var task = TinyStages.Task(Spec(steps: 1) with { Evaluation = null }, dir.File("run"));
        TinyStages.Run(task);
        var output = new StringWriter();

        var code = Program.Run(["eval", "--model", dir.File("run/model"), "--data", TestData.Path("eval-arithmetic.jsonl"),
            "--max-new-tokens", "8", "--limit", "3"], output);

        Assert.True(code == ExitCodes.Ok, $"exit code {code}:\n{output}");
        Assert.Matches(@"^eval-arithmetic: [0-9.]+% \([0-3]/3 exact\)", output.ToString());
        Assert.Equal(1 + Evaluator.Examples, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
