using System.Globalization;
using System.Text;
using System.Text.Json;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Cli.Run;
using Apriel.Trainer.Evaluation;
using StbImageWriteSharp;

namespace Apriel.Cli.Report;

/// <summary>
/// Writes what a local run did as a Markdown report a person would rather read than logs: a summary table, the
/// before/after evaluations, and per resource its settings, lineage, output and loss curve (PNG).
/// </summary>
public sealed class ReportWriter(IArtifactStore store)
{
    readonly ArtifactReader _reader = new(store);

    /// <summary>Writes <c>report.md</c> and its images into <paramref name="directory"/>; returns the report's path.</summary>
    public async Task<string> WriteAsync(IReadOnlyList<RunStep> steps, string source, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var sections = new List<Section>();
        foreach (var step in steps) sections.Add(await ReadAsync(step, directory, cancellationToken));

        var md = new StringBuilder();
        md.AppendLine("# Pipeline report").AppendLine();
        md.AppendLine($"`{source}`, artifacts in `{store.Root}`, written {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.").AppendLine();
        md.AppendLine("| # | resource | run | this time | loss (first → last) | output |").AppendLine("|---|---|---|---|---|---|");
        foreach (var (s, i) in sections.Select((s, i) => (s, i + 1)))
            md.AppendLine($"| {i} | {s.Step.Manifest.Ref} | `{s.Step.RunId}` | {(s.Step.Trained ? "ran" : "up to date")} | {LossRange(s.State)} | `{Short(s.Step.Output.Digest)}` |");

        var evaluated = sections.Where(s => s.Evaluation is { Sets.Count: > 0 }).ToList();
        if (evaluated.Count > 0)
        {
            md.AppendLine().AppendLine("## Before and after").AppendLine();
            md.AppendLine("Exact-match accuracy with greedy generation on held-out samples, of the model a stage starts from and of the model it commits.").AppendLine();
            md.AppendLine("| stage | eval set | samples | before | after |").AppendLine("|---|---|---|---|---|");
            foreach (var s in evaluated)
                foreach (var set in s.Evaluation!.Sets)
                    md.AppendLine($"| {s.Step.Manifest.Ref} | {set.Name} | {set.Samples} | {Percent(set.Before)} | {Percent(set.After)} |");
        }

        foreach (var s in sections)
        {
            md.AppendLine().AppendLine($"## {s.Step.Manifest.Ref}").AppendLine();
            foreach (var line in Settings(s.Step.Manifest.Resource)) md.AppendLine("- " + line);
            foreach (var input in s.Inputs) md.AppendLine($"- input {input.Role}: {input.Source} `{Short(input.Digest)}`");
            md.AppendLine($"- output: `{s.Step.Output.Uri}` ({s.Files} files, {Size(s.Bytes)}), digest `{s.Step.Output.Digest}`");
            if (s.Chart != null) md.AppendLine().AppendLine($"![loss of {s.Step.Manifest.Ref}]({s.Chart})");
        }
        var path = Path.Combine(directory, "report.md");
        await File.WriteAllTextAsync(path, md.ToString(), cancellationToken);
        return path;
    }

    sealed record Section(RunStep Step, IReadOnlyList<ResolvedInput> Inputs, int Files, long Bytes, TrainerState? State, EvaluationReport? Evaluation, string? Chart);

    async Task<Section> ReadAsync(RunStep step, string directory, CancellationToken cancellationToken)
    {
        var model = await _reader.ReadManifestAsync(ArtifactStores.KeyIn(store, step.Output.Uri), step.Output.Digest, cancellationToken);
        var state = model.Manifest.Files.Any(f => f.Path == TrainerState.FileName)
            ? RunResultJson.Parse<TrainerState>(await ReadTextAsync(await _reader.OpenFileAsync(model, TrainerState.FileName, cancellationToken), cancellationToken))
            : null;
        var evaluationKey = ArtifactStores.KeyIn(store, step.RunUri) + EvaluationReport.FileName;
        var evaluation = await store.GetSizeAsync(evaluationKey, cancellationToken) is null ? null
            : ParseEvaluation(await ReadTextAsync(await store.OpenReadAsync(evaluationKey, cancellationToken: cancellationToken), cancellationToken), evaluationKey);
        string? chart = null;
        if (state?.Losses is { Count: > 1 } losses)
        {
            chart = $"loss-{step.Manifest.Resource.Metadata.Name}.png";
            var image = LossChart.Draw(losses);
            await using var file = File.Create(Path.Combine(directory, chart));
            new ImageWriter().WritePng(image.Pixels.ToArray(), image.Width, image.Height, ColorComponents.RedGreenBlue, file);
        }
        return new Section(step, model.Manifest.Lineage.Inputs, model.Manifest.Files.Count, model.Manifest.Files.Sum(f => f.Size), state, evaluation, chart);
    }

    // A report never fails on a malformed result file; it shows what it can.
    static EvaluationReport? ParseEvaluation(string json, string source)
    {
        try { return EvaluationReport.FromJson(json, source); }
        catch (JsonException) { return null; }
    }

    static async Task<string> ReadTextAsync(Stream stream, CancellationToken cancellationToken)
    {
        await using (stream)
        using (var reader = new StreamReader(stream))
            return await reader.ReadToEndAsync(cancellationToken);
    }

    /// <summary>The settings that explain a resource's result, in a few lines.</summary>
    public static IEnumerable<string> Settings(object resource)
    {
        switch (resource)
        {
            case TrainingStage { Spec: var s }:
                var budget = s.Budget.Steps is { } steps ? $"{steps} steps" : s.Budget.Tokens is { } tokens ? $"{tokens} tokens" : $"{s.Budget.Epochs} epochs";
                yield return $"trains {string.Join(", ", s.Train)} from {s.Model}, {budget} × {s.Batch.GlobalBatchSize} sequences × {s.Data.SequenceLength} tokens, {s.Precision}";
                yield return $"{s.Optimizer.Type} lr {s.Optimizer.LearningRate.ToString("g3", CultureInfo.InvariantCulture)}, {s.Schedule.Type} schedule, loss on {s.Data.Loss}";
                yield return "data: " + string.Join(", ", s.Data.Sources.Select(d => $"{d.Name} ({d.Format}, weight {d.Weight.ToString("g3", CultureInfo.InvariantCulture)})"));
                break;
            case ModelMerge { Spec: var m }:
                yield return $"{m.Method} of {string.Join(", ", m.Inputs.Select(i => i.ToString() + (i.Layers is { } l ? $" layers [{l.Start},{l.End})" : "") + (i.Checkpoints is { Select: not CheckpointSelection.Final } c ? $" ({c.Select} {c.Count} checkpoints)" : "")))}, output {m.DType}";
                break;
        }
    }

    static string LossRange(TrainerState? state) =>
        state?.Losses is { Count: > 0 } l ? $"{l[0].Loss.ToString("0.000", CultureInfo.InvariantCulture)} → {LossChart.Smoothed(l).Last().Loss.ToString("0.000", CultureInfo.InvariantCulture)}" : "–";

    static string Percent(double? value) => value is { } v ? v.ToString("0.0%", CultureInfo.InvariantCulture) : "–";

    static string Short(string digest) => digest.Length > 19 ? digest[..19] : digest;

    static string Size(long bytes) => bytes >= 1 << 20 ? $"{bytes / (double)(1 << 20):0.0} MiB" : $"{bytes / 1024.0:0.0} KiB";
}
