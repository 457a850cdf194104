using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Validation;

/// <summary>Rules of a TrainingStage spec beyond its schema.</summary>
internal static class StageRules
{
    public static void Validate(TrainingStageSpec spec, ErrorList errors)
    {
        ResourceValidator.ValidateSource(spec.Model, errors.At("model"));

        var duplicate = spec.Train.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null) errors.Add("train", $"lists {duplicate.Key} twice", "list each component once");

        ValidateData(spec.Data, errors.At("data"));
        ValidateEvaluation(spec.Evaluation ?? [], spec.Data.SequenceLength, errors.At("evaluation"));

        var budget = spec.Budget;
        var budgets = new[] { budget.Steps != null, budget.Tokens != null, budget.Epochs != null }.Count(x => x);
        if (budgets != 1)
            errors.Add("budget", budgets == 0 ? "sets no budget" : "sets more than one budget", "set exactly one of steps, tokens or epochs");

        if (spec.Schedule is { WarmupSteps: not null, WarmupRatio: not null })
            errors.Add("schedule", "sets both warmupSteps and warmupRatio", "set at most one of them");
        if (spec.Schedule.WarmupSteps is { } warmup && budget.Steps is { } steps && warmup >= steps)
            errors.Add("schedule.warmupSteps", $"{warmup} is not less than the {steps}-step budget", "shorten the warmup");

        if (spec.Precision == DType.FP16)
            errors.Add("precision", "FP16 is not supported for training (its range overflows without loss scaling)", "use BF16 or FP32");

        if (spec.Batch.GlobalBatchSize % spec.Batch.MicroBatchSize != 0)
            errors.Add("batch.globalBatchSize", $"{spec.Batch.GlobalBatchSize} is not a multiple of microBatchSize {spec.Batch.MicroBatchSize}",
                "make globalBatchSize a multiple of microBatchSize");
        var ranks = spec.Resources.Nodes * Math.Max(1, spec.Resources.GpusPerNode);
        if (spec.Batch.GlobalBatchSize % (spec.Batch.MicroBatchSize * ranks) != 0)
            errors.Add("batch.globalBatchSize",
                $"{spec.Batch.GlobalBatchSize} sequences cannot be split evenly over {ranks} ranks × microBatchSize {spec.Batch.MicroBatchSize}",
                $"use a multiple of {spec.Batch.MicroBatchSize * ranks}");

        if (budget.Steps is { } total && spec.Checkpoints.Retain.Equispaced > total)
            errors.Add("checkpoints.retain.equispaced", $"asks for {spec.Checkpoints.Retain.Equispaced} checkpoints from a {total}-step run",
                "keep at most one checkpoint per step");
    }

    static void ValidateEvaluation(List<EvaluationSet> sets, int sequenceLength, ErrorList errors)
    {
        var names = new HashSet<string>();
        for (var i = 0; i < sets.Count; i++)
        {
            var set = sets[i];
            var at = errors.At($"[{i}]");
            ResourceValidator.ValidateUri(set.Uri, at.At("uri"));
            if (!names.Add(set.Name)) at.Add("name", $"\"{set.Name}\" is used by another evaluation set", "give each evaluation set a unique name");
            // Beyond the trained sequence length the model generates from positions it never learned.
            if (set.MaxNewTokens > sequenceLength)
                at.Add("maxNewTokens", $"{set.MaxNewTokens} exceeds the sequence length {sequenceLength}",
                    $"generate at most {sequenceLength} tokens, or raise data.sequenceLength");
        }
    }

    static void ValidateData(DataSpec data, ErrorList errors)
    {
        var names = new HashSet<string>();
        for (var i = 0; i < data.Sources.Count; i++)
        {
            var source = data.Sources[i];
            var at = errors.At("sources").At($"[{i}]");
            ResourceValidator.ValidateUri(source.Uri, at.At("uri"));
            if (!names.Add(source.Name)) at.Add("name", $"\"{source.Name}\" is used by another source", "give each source a unique name");
            if (source.Format == DataFormat.SyntheticVisual && source.Synthetic == null)
                at.Add("synthetic", "is required for format SyntheticVisual", "set synthetic.tasks and synthetic.difficulty");
            if (source.Format != DataFormat.SyntheticVisual && source.Synthetic != null)
                at.Add("synthetic", $"is set for format {source.Format}", "remove it, or use format SyntheticVisual");
            if (source is { MinTokens: { } min, MaxTokens: { } max } && min > max)
                at.Add("minTokens", $"{min} is greater than maxTokens {max}", "make minTokens ≤ maxTokens");
            if (source.MinTokens is { } shortest && shortest > data.SequenceLength && !data.Packing)
                at.Add("minTokens", $"{shortest} exceeds the sequence length {data.SequenceLength}", "raise data.sequenceLength or lower minTokens");
            if (source.Format == DataFormat.SyntheticVisual && (source.MinTokens != null || source.MaxTokens != null))
                at.Add(source.MinTokens != null ? "minTokens" : "maxTokens", "does not apply to generated samples",
                    "remove it; synthetic samples are sized by synthetic.difficulty");
            if (source.Synthetic is { } synthetic && synthetic.Tasks.Distinct().Count() != synthetic.Tasks.Count)
                at.Add("synthetic.tasks", "lists a task twice", "list each task once");
        }
    }
}
