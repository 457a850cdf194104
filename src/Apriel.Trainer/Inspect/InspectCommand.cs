using System.CommandLine;
using System.Globalization;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Model;

namespace Apriel.Trainer.Inspect;

/// <summary>
/// <c>apriel-trainer inspect PATH</c>: every tensor of a model with its shape, the parameter count and the bf16 size,
/// computed from the configuration alone (no weights are loaded or allocated). PATH is a <c>config.json</c>, a
/// checkpoint directory holding one, or a preset name (<see cref="ModelPresets"/>). For a checkpoint directory with
/// weights, their headers are also checked against the configuration (names and shapes; nothing is read beyond headers).
/// </summary>
public static class InspectCommand
{
    public static Command Create(TextWriter output)
    {
        var path = new Argument<string>("path") { Description = "A config.json, a checkpoint directory, or a preset name (tiny, pixtral-12b, apriel-15b)" };
        var summary = new Option<bool>("--summary") { Description = "Print only the totals, not every tensor" };
        var command = new Command("inspect", "Print a model's tensors, parameter count and bf16 size from its configuration") { path, summary };
        command.SetAction(parse => Handler(output, parse.GetValue(path)!, parse.GetValue(summary)));
        return command;
    }

    internal static int Handler(TextWriter output, string path, bool summaryOnly = false)
    {
        ModelConfig config;
        try
        {
            config = File.Exists(path) || Directory.Exists(path) ? ModelConfig.Load(path)
                : ModelPresets.Find(path) ?? throw new ModelConfigException(path, [$"no such file, directory or model preset (presets: {string.Join(", ", ModelPresets.Names)})"]);
        }
        catch (ModelConfigException e)
        {
            output.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        Write(output, config, summaryOnly);
        return Directory.Exists(path) && CheckpointFiles.Exists(path) ? CheckWeights(output, path, config) : ExitCodes.Ok;
    }

    /// <summary>For a checkpoint directory: whether its weights are the tensors the configuration describes (headers only).</summary>
    private static int CheckWeights(TextWriter output, string directory, ModelConfig config)
    {
        try
        {
            using var reader = CheckpointReader.Open(directory);
            ModelCheckpoint.Check(reader, config);
            var files = reader.Tensors.Values.Select(x => x.File.Path).Distinct().ToList();
            var dtypes = reader.Tensors.Values.Select(x => x.Entry.DType).Distinct().Order();
            var bytes = reader.Tensors.Values.Sum(x => x.Entry.End - x.Entry.Begin);
            output.WriteLine($"weights: {reader.Tensors.Count} tensors in {files.Count} file(s), {string.Join("/", dtypes)}, {Size(bytes)}: match {ModelConfig.FileName}");
            return ExitCodes.Ok;
        }
        catch (CheckpointException e)
        {
            output.WriteLine($"weights: {e.Message}");
            return ExitCodes.Invalid;
        }
    }

    /// <summary>Writes the table and the totals.</summary>
    public static void Write(TextWriter output, ModelConfig config, bool summaryOnly = false)
    {
        var tensors = TensorTable.For(config);
        if (!summaryOnly)
        {
            var width = tensors.Max(x => x.Name.Length) + 2;
            foreach (var tensor in tensors)
                output.WriteLine($"{tensor.Name.PadRight(width)}{tensor.ShapeText,-22}{N(tensor.Elements),16}");
            output.WriteLine();
        }
        foreach (var (part, prefix) in new[] { ("decoder", HfNames.LanguageModel), ("lm_head", HfNames.LmHead), ("vision encoder", HfNames.VisionTower), ("projector", HfNames.Projector) })
        {
            var group = tensors.Where(x => x.Name.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            if (group.Count > 0) output.WriteLine($"{part,-16}{group.Count,5} tensors {N(TensorTable.ParameterCount(group)),18} parameters");
        }
        var total = TensorTable.ParameterCount(tensors);
        var bytes = total * 2;
        output.WriteLine($"total: {tensors.Count} tensors, {N(total)} parameters, bf16 {Size(bytes)}");
    }

    /// <summary>A byte count as GB and GiB (or MB and MiB below a GB), two decimals.</summary>
    public static string Size(long bytes) => bytes >= 1_000_000_000
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:F2} GB ({bytes / (double)(1L << 30):F2} GiB)")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:F2} MB ({bytes / (double)(1L << 20):F2} MiB)");

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
