using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Data;
using Apriel.Trainer.Evaluation;
using Apriel.Trainer.Model;
using Apriel.Trainer.Tokenization;
using Apriel.Trainer.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Training;

/// <summary>Settings of a trainer process that are not part of the task.</summary>
public sealed record TrainingOptions
{
    /// <summary>torch intra-op threads (1 by default: on a shared CPU more threads are often slower, and tests stay steady).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Where the model trains (<see cref="TrainingDevice"/>); the CPU by default.</summary>
    public Device Device { get; init; } = CPU;

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public TextWriter Log { get; init; } = TextWriter.Null;

    /// <summary>Called after each step (tests use it to interrupt a run).</summary>
    public Action<StepResult>? AfterStep { get; init; }
}

/// <summary>
/// Runs a <see cref="TrainingTask"/>: the model (the newest committed checkpoint of this run when there is one, else the
/// task's model input, else the preset of <c>model.init</c> initialised from the seed), component freezing, AdamW, the
/// data pipeline, the budget and schedule, the evaluation sets scored on the starting model, then the loop. A run whose
/// final model is committed does nothing.
/// </summary>
public static class TrainingRun
{
    /// <summary>
    /// Runs a task as the trainer process does: outputs committed to the artifact store at <c>task.Output</c>, inputs
    /// read through the store, both staged on a scratch directory private to this call (resuming reads from the store,
    /// never from an earlier scratch).
    /// </summary>
    public static TrainingOutcome Run(TrainingTask task, TrainingOptions options, CancellationToken stop)
    {
        using var store = ArtifactStores.Open(task.Output);
        using var scratch = Scratch.Create(task.RunId);
        using var inputs = new InputFiles(scratch.Path);
        return Run(task, new StoreRunOutput(store, task, scratch.Path), inputs, options, stop);
    }

    public static TrainingOutcome Run(TrainingTask task, IRunOutput output, InputFiles inputs, TrainingOptions options, CancellationToken stop)
    {
        torch.set_num_threads(options.Threads);
        if (output.HasModel)
        {
            options.Log.WriteLine($"run {task.RunId}: the final model is already committed; nothing to do");
            return TrainingOutcome.Completed;
        }
        var spec = task.Spec;
        var dtype = spec.Precision switch
        {
            DType.FP32 => ScalarType.Float32,
            DType.BF16 => ScalarType.BFloat16,
            _ => throw new NotSupportedException($"precision {spec.Precision} is not supported for training (FP32 or BF16)"),
        };
        var resumeFrom = output.Checkpoints().Cast<long?>().LastOrDefault();
        var checkpoint = resumeFrom is { } newest ? output.OpenCheckpoint(newest) : null;
        var state = checkpoint is null ? null : TrainingCheckpoint.ReadState(checkpoint);
        var (model, tokenizer, tokenizerSource) = LoadModel(task, output, inputs, checkpoint, dtype);
        using var _ = model;
        var config = model.Config;
        // Before the optimizer and freezing collect the parameters: moving a module replaces them.
        if (options.Device.type != DeviceType.CPU) model.to(options.Device);

        model.LanguageModel.Model.CheckpointLayers = spec.ActivationCheckpointing;
        var trained = Components.Freeze(model, spec.Train);
        using var optimizer = new AdamW(trained, spec.Optimizer);
        var preprocessor = new ImagePreprocessor(config.Vision.ImageSize, config.Vision.PatchSize);
        var imageTokens = new ImageTokens(config.ImageTokenIndex, config.ImageBreakTokenId, config.ImageEndTokenId);
        var data = new DataPipeline(spec.Data, inputs, new DocumentRenderer(tokenizer, preprocessor, imageTokens, spec.Data.Loss), spec.Seed);
        Budget.AccumulationSteps(spec.Batch);
        var total = Budget.TotalSteps(spec.Budget, spec.Batch, spec.Data.SequenceLength, data.RowsForEpochs);
        var schedule = LearningRateSchedule.From(spec.Schedule, spec.Optimizer.LearningRate, total);
        var evaluation = StageEvaluation.Load(spec.Evaluation ?? [], inputs, tokenizer, config);

        var loop = new TrainingLoop(model, optimizer, data, preprocessor, schedule, new CheckpointPolicy(spec.Checkpoints, total), new RunContext
        {
            RunId = task.RunId,
            Output = output,
            GlobalBatch = spec.Batch.GlobalBatchSize,
            MicroBatch = spec.Batch.MicroBatchSize,
            GradientClipping = spec.Optimizer.GradientClipping,
            DType = dtype,
            Device = options.Device,
            Tokenizer = tokenizer,
            TokenizerSource = tokenizerSource,
            ProgressInterval = options.ProgressInterval,
            Time = options.Time,
            Log = options.Log,
            Evaluation = evaluation,
            // The starting model is scored once: a resumed run has it in its checkpoint.
            EvaluationBefore = state?.EvaluationBefore ?? evaluation.Score(model, "before training", options.Log),
        })
        { AfterStep = options.AfterStep };

        if (checkpoint is not null && state is not null)
        {
            TrainingCheckpoint.RestoreOptimizer(checkpoint, optimizer, state);
            loop.Resume(state);
            options.Log.WriteLine($"run {task.RunId}: resumed from the checkpoint at step {state.Step} of {total}");
        }
        else
        {
            options.Log.WriteLine($"run {task.RunId}: {total} steps of {spec.Batch.GlobalBatchSize} x {spec.Data.SequenceLength} tokens, training {string.Join(", ", spec.Train)}");
        }
        return loop.Run(stop);
    }

    /// <summary>The model to train, its tokenizer, and a directory holding the tokenizer's files (null for a byte tokenizer).</summary>
    private static (VisionLanguageModel, ITokenizer, string?) LoadModel(TrainingTask task, IRunOutput output, InputFiles inputs, string? checkpoint, ScalarType dtype)
    {
        var directory = checkpoint ?? (task.Model is { } input ? inputs.Model(input) : null);
        if (directory is not null)
        {
            var model = ModelCheckpoint.Load(directory, dtype);
            var tokenizer = TokenizerFiles.Load(directory, model.Config);
            return (model, tokenizer, tokenizer is ByteTokenizer ? null : StashTokenizer(output, directory));
        }
        var preset = task.Spec.Model.Init ?? throw new ArgumentException($"task {task.Name} has neither a model input nor model.init");
        var config = ModelPresets.Get(preset);
        if (config.Text.VocabSize > 512) throw new ArgumentException($"preset {preset} has no built-in tokenizer; start from a model directory with tokenizer files");
        var initialised = new VisionLanguageModel(config).Initialize(task.Spec.Seed);
        if (dtype != ScalarType.Float32) initialised.to(dtype);
        return (initialised, ByteTokenizer.ForChat(config.Text.VocabSize), null);
    }

    /// <summary>Copies the tokenizer files somewhere that outlives checkpoint retention.</summary>
    private static string StashTokenizer(IRunOutput output, string directory)
    {
        var stash = output.Stage("tokenizer");
        foreach (var name in TokenizerFiles.Names)
        {
            var from = Path.Combine(directory, name);
            if (File.Exists(from)) File.Copy(from, Path.Combine(stash, name));
        }
        return stash;
    }
}
