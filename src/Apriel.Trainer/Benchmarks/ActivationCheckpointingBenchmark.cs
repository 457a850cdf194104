using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Apriel.Trainer.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Benchmarks;

/// <summary>
/// <c>apriel-trainer bench activation-checkpointing</c>: one long sequence through a small decoder shaped like the real one
/// (head size 128, 4 query heads per key/value head as in Mistral, MLP 3 × hidden), forward and backward, with and
/// without <see cref="CheckpointedLayer"/>, each in its own process: the activation memory of a step (peak RSS minus RSS
/// before the first step, minus the parameter gradients, which stay) and the time per step, as ratios of checkpointed to
/// plain. The children run with glibc's mmap threshold at 64 KiB, so that freed tensors leave the RSS at once (by default
/// glibc keeps them in its heaps, and the peak RSS then measures the allocator, not the tensors alive). Checkpointing
/// keeps one layer's activations plus every layer's input; the time adds about one forward.
/// </summary>
public static class ActivationCheckpointingBenchmark
{
    public static Command Create(TextWriter output)
    {
        var sequence = new Option<int>("--sequence") { Description = "Tokens in the sequence", DefaultValueFactory = _ => 1024 };
        var layers = new Option<int>("--layers") { Description = "Decoder layers", DefaultValueFactory = _ => 8 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden size (a multiple of 512)", DefaultValueFactory = _ => 512 };
        var measure = new Option<string?>("--measure") { Description = "Internal: plain or checkpointed, measured in this process", Hidden = true };
        var command = new Command("activation-checkpointing", "Step memory and time with activation checkpointing vs without") { sequence, layers, hidden, measure };
        command.SetAction(parse =>
        {
            var (t, l, h) = (parse.GetValue(sequence), parse.GetValue(layers), parse.GetValue(hidden));
            if (h <= 0 || h % 512 != 0) throw new ArgumentException("--hidden must be a positive multiple of 512");
            if (parse.GetValue(measure) is { } mode) return MeasureHere(output, mode == "checkpointed", t, l, h);
            var plain = Measure("plain", t, l, h);
            var checkpointed = Measure("checkpointed", t, l, h);
            output.WriteLine(Invariant($"activation-checkpointing: {t} tokens, {l} layers of hidden size {h}, fp32, 1 thread"));
            output.WriteLine(Invariant($"  plain        {plain.Seconds * 1e3:F0} ms/step, activations {plain.ActivationBytes / 1e6:F0} MB"));
            output.WriteLine(Invariant($"  checkpointed {checkpointed.Seconds * 1e3:F0} ms/step, activations {checkpointed.ActivationBytes / 1e6:F0} MB"));
            output.WriteLine(Invariant($"  activation memory ratio {checkpointed.ActivationBytes / plain.ActivationBytes:F2}, time ratio {checkpointed.Seconds / plain.Seconds:F2}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    sealed record Measured(double Seconds, double ActivationBytes);

    static readonly Dictionary<string, string> ReturnFreedMemory = new() { ["MALLOC_MMAP_THRESHOLD_"] = "65536" };

    static Measured Measure(string mode, int sequence, int layers, int hidden)
    {
        var values = ChildMeasurement.Run(ReturnFreedMemory, "bench", "activation-checkpointing", "--measure", mode, "--sequence", Text(sequence),
            "--layers", Text(layers), "--hidden", Text(hidden));
        return new Measured(values[0], values[1] - values[2]);
    }

    /// <summary>The child's side: three steps after a warm-up, then seconds per step, the step's memory and the gradients'.</summary>
    static int MeasureHere(TextWriter output, bool checkpointed, int sequence, int layers, int hidden)
    {
        torch.set_num_threads(1);
        var tiny = ModelPresets.Tiny;
        var config = tiny with
        {
            Text = tiny.Text with
            {
                HiddenSize = hidden, IntermediateSize = 3 * hidden, NumHiddenLayers = layers, NumAttentionHeads = hidden / 128,
                NumKeyValueHeads = hidden / 512, HeadDimOverride = 128, MaxPositionEmbeddings = Math.Max(sequence, tiny.Text.MaxPositionEmbeddings),
            },
        };
        using var model = new VisionLanguageModel(config).Initialize(seed: 1);
        model.LanguageModel.Model.CheckpointLayers = checkpointed;
        using var ids = randint(40, config.Text.VocabSize, [1, sequence], generator: new Generator(2));
        void Step()
        {
            using var scope = NewDisposeScope();
            var logits = model.forward(new VlmInput(ids));
            nn.functional.cross_entropy(logits[0, ..^1], ids[0, 1..]).backward();
            model.zero_grad();
        }
        var before = ChildMeasurement.Rss(peak: false);
        Step(); // warm-up; gradients are allocated here and stay
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 3; i++) Step();
        var gradients = model.parameters().Sum(p => p.numel() * p.element_size());
        ChildMeasurement.Report(output, watch.Elapsed.TotalSeconds / 3, ChildMeasurement.Rss() - before, gradients);
        return ExitCodes.Ok;
    }

    static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
