using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Apriel.Trainer.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Benchmarks;

/// <summary>
/// <c>apriel-trainer bench generation</c>: greedy generation with the key/value cache (<see cref="Generation.Greedy"/>)
/// as a speed-up over rerunning the whole sequence for every new token (what it did before the cache), on the tiny
/// model with one thread, in one run. Both must produce the same tokens; the ratio grows with the length generated.
/// </summary>
public static class GenerationBenchmark
{
    public static Command Create(TextWriter output)
    {
        var prompt = new Option<int>("--prompt") { Description = "Prompt tokens", DefaultValueFactory = _ => 128 };
        var tokens = new Option<int>("--tokens") { Description = "Tokens to generate", DefaultValueFactory = _ => 256 };
        var command = new Command("generation", "Greedy generation with the key/value cache vs rerunning the sequence per token") { prompt, tokens };
        command.SetAction(parse =>
        {
            var (cached, rerun) = Measure(parse.GetValue(prompt), parse.GetValue(tokens));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"generation: {parse.GetValue(tokens)} tokens after {parse.GetValue(prompt)}: cached {parse.GetValue(tokens) / cached:F0} tok/s, rerun {parse.GetValue(tokens) / rerun:F0} tok/s, speed-up {rerun / cached:F1}x"));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Seconds to generate <paramref name="tokens"/> tokens: with the cache, rerunning the sequence.</summary>
    public static (double Cached, double Rerun) Measure(int promptTokens, int tokens)
    {
        torch.set_num_threads(1);
        using var model = new VisionLanguageModel(ModelPresets.Tiny).Initialize(seed: 1);
        var prompt = Enumerable.Range(0, promptTokens).Select(i => 40 + i % 200).ToArray();
        Generation.Greedy(model, prompt, maxNewTokens: 4); // warm-up

        var watch = Stopwatch.StartNew();
        var cached = Generation.Greedy(model, prompt, tokens);
        var cachedSeconds = watch.Elapsed.TotalSeconds;

        watch.Restart();
        var rerun = Rerun(model, prompt, tokens);
        var rerunSeconds = watch.Elapsed.TotalSeconds;
        if (!cached.SequenceEqual(rerun)) throw new InvalidOperationException("the cached and the rerun generations differ");
        return (cachedSeconds, rerunSeconds);
    }

    /// <summary>The reference: greedy generation that runs the whole sequence for every new token.</summary>
    public static int[] Rerun(VisionLanguageModel model, int[] prompt, int tokens)
    {
        model.eval();
        using var _ = no_grad();
        using var imageTokens = Generation.ImageTokens(model.Config, CPU);
        var sequence = prompt.Select(x => (long)x).ToList();
        for (var i = 0; i < tokens; i++)
        {
            using var scope = NewDisposeScope();
            var logits = model.forward(new VlmInput(tensor(sequence.ToArray(), [1, sequence.Count])));
            sequence.Add(Generation.Next(logits[0, -1], imageTokens));
        }
        return [.. sequence.Skip(prompt.Length).Select(x => (int)x)];
    }
}
