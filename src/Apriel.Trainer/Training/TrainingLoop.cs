using Apriel.Trainer.Data;
using Apriel.Trainer.Evaluation;
using Apriel.Trainer.Model;
using Apriel.Trainer.Tokenization;
using Apriel.Trainer.Vision;
using static TorchSharp.torch;

namespace Apriel.Trainer.Training;

/// <summary>How a run ended.</summary>
public enum TrainingOutcome
{
    /// <summary>Every step is done and the final model is committed.</summary>
    Completed,

    /// <summary>Asked to stop: a checkpoint of the last step is committed and a later run resumes from it.</summary>
    Preempted,
}

/// <summary>What one optimizer step did.</summary>
public sealed record StepResult(long Step, double Loss, int LossTokens, double GradientNorm, double LearningRate);

/// <summary>
/// The training loop: per optimizer step, the global batch's rows from the data, split into micro-batches whose summed loss
/// (divided by the loss tokens of the whole global batch, so accumulation equals one big batch) is backpropagated; then
/// gradient clipping, the scheduled learning rate, AdamW; one dispose scope per step. Checkpoints are written when the
/// policy says so and on a stop request, the final model at the end (after the evaluation sets are scored on it and
/// <c>evaluation.json</c> is written, so that a committed model always has its evaluation). Every step's loss goes into
/// the log history that checkpoints carry.
/// </summary>
public sealed class TrainingLoop(
    VisionLanguageModel model,
    AdamW optimizer,
    DataPipeline data,
    ImagePreprocessor preprocessor,
    LearningRateSchedule schedule,
    CheckpointPolicy policy,
    RunContext run)
{
    /// <summary>Steps done (the weights are those after this many steps).</summary>
    public long Step { get; private set; }

    public long TokensSeen { get; private set; }

    private readonly List<LogEntry> history = [];

    /// <summary>One entry per step done (restored on resume).</summary>
    public IReadOnlyList<LogEntry> History => history;

    /// <summary>Called after each step (tests use it to interrupt a run).</summary>
    public Action<StepResult>? AfterStep { get; init; }

    /// <summary>Continues from a checkpoint's state (the model and optimizer are already restored).</summary>
    public void Resume(TrainerState state)
    {
        if (state.RunId != run.RunId) throw new InvalidDataException($"the checkpoint belongs to run {state.RunId}, not {run.RunId}");
        if (state.TotalSteps != schedule.Total || state.Schedule != schedule)
            throw new InvalidDataException($"the checkpoint's schedule ({state.Schedule}) is not this run's ({schedule})");
        if (state.LogHistory.Count != state.Step)
            throw new InvalidDataException($"the checkpoint's log history has {state.LogHistory.Count} entries for {state.Step} steps");
        data.Restore(state.Data);
        (Step, TokensSeen) = (state.Step, state.TokensSeen);
        history.Clear();
        history.AddRange(state.LogHistory);
    }

    public TrainingOutcome Run(CancellationToken stop)
    {
        model.train();
        var progress = new ProgressReporter(run.Output, schedule.Total, run.ProgressInterval, run.Time, run.Log);
        var lastCheckpoint = run.Output.Checkpoints().DefaultIfEmpty(-1).Max();
        var lr = schedule.At(Math.Min(Step, schedule.Total - 1));
        progress.Report(Step, TokensSeen, lr);
        while (Step < schedule.Total)
        {
            if (stop.IsCancellationRequested)
            {
                if (Step > lastCheckpoint && Step > 0) WriteCheckpoint();
                progress.Report(Step, TokensSeen, lr);
                run.Log.WriteLine($"stopped at step {Step}: preempted");
                return TrainingOutcome.Preempted;
            }
            var result = TrainStep();
            lr = result.LearningRate;
            progress.Step(Step, TokensSeen, result.Loss, lr);
            if (policy.Due(Step))
            {
                WriteCheckpoint();
                lastCheckpoint = Step;
                progress.Report(Step, TokensSeen, lr);
            }
            AfterStep?.Invoke(result);
        }
        WriteModel();
        progress.Report(Step, TokensSeen, lr);
        return TrainingOutcome.Completed;
    }

    /// <summary>One optimizer step.</summary>
    public StepResult TrainStep()
    {
        using var scope = NewDisposeScope();
        var rows = data.NextRows(run.GlobalBatch);
        var lossTokens = rows.Sum(r => r.LossTokens);
        var loss = 0.0;
        for (var start = 0; start < rows.Count; start += run.MicroBatch)
        {
            using var micro = NewDisposeScope();
            var batch = Batch.From(rows.Skip(start).Take(run.MicroBatch).ToList(), preprocessor, run.Device);
            var input = batch.Input with { Images = batch.Input.Images?.Select(i => i.to(run.DType)).ToList() };
            var logits = model.forward(input);                                                      // [B, T, V]
            var sum = nn.functional.cross_entropy(logits.to(ScalarType.Float32).flatten(0, 1), batch.Labels.flatten(),
                ignore_index: -100, reduction: nn.Reduction.Sum);
            var part = sum / Math.Max(1, lossTokens);
            part.backward();
            loss += part.item<float>();
        }
        var norm = GradientClipping.Clip(optimizer.Parameters, run.GradientClipping);
        var lr = schedule.At(Step);
        optimizer.Step(lr);
        optimizer.ZeroGrad();
        Step++;
        TokensSeen += (long)rows.Count * data.SequenceLength;
        history.Add(new LogEntry(Step, (float)loss, (float)lr, TokensSeen));
        return new StepResult(Step, loss, lossTokens, norm, lr);
    }

    private TrainerState State() => new()
    {
        RunId = run.RunId,
        Step = Step,
        TotalSteps = schedule.Total,
        TokensSeen = TokensSeen,
        Schedule = schedule,
        Data = data.Position,
        OptimizerSteps = optimizer.State().Steps,
        TorchRngState = TrainingCheckpoint.TorchRngState(),
        LogHistory = [.. history],
        EvaluationBefore = run.EvaluationBefore,
    };

    private void WriteCheckpoint()
    {
        var staged = run.Output.Stage($"step-{Step:D7}");
        TrainingCheckpoint.Write(staged, model, optimizer, State(), run.Tokenizer, run.TokenizerSource);
        run.Output.CommitCheckpoint(staged, Step);
        foreach (var obsolete in policy.Obsolete(run.Output.Checkpoints())) run.Output.DeleteCheckpoint(obsolete);
        run.Log.WriteLine($"checkpoint at step {Step} committed");
    }

    private void WriteModel()
    {
        if (run.Evaluation is { IsEmpty: false } evaluation)
            run.Output.WriteEvaluation(EvaluationReport.Of(run.EvaluationBefore, evaluation.Score(model, "after training", run.Log)));
        var staged = run.Output.Stage("model");
        TrainingCheckpoint.WriteModel(staged, model, State(), run.Tokenizer, run.TokenizerSource);
        run.Output.CommitModel(staged);
        run.Log.WriteLine($"model committed after {Step} steps");
    }
}

/// <summary>What the loop needs besides the model, optimizer and data: the run's identity, batch geometry and outputs.</summary>
public sealed record RunContext
{
    public required string RunId { get; init; }
    public required IRunOutput Output { get; init; }
    public required int GlobalBatch { get; init; }
    public required int MicroBatch { get; init; }
    public required double GradientClipping { get; init; }
    public required ScalarType DType { get; init; }
    public Device Device { get; init; } = CPU;
    public required ITokenizer Tokenizer { get; init; }
    public string? TokenizerSource { get; init; }
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public TextWriter Log { get; init; } = TextWriter.Null;

    /// <summary>The stage's evaluation sets, scored on the final model before it is committed.</summary>
    public StageEvaluation? Evaluation { get; init; }

    /// <summary>Their scores on the starting model (carried by checkpoints, so a resumed run keeps them).</summary>
    public IReadOnlyList<EvalSetResult> EvaluationBefore { get; init; } = [];
}
