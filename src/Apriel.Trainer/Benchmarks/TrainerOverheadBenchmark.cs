using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Data;
using Apriel.Trainer.Data.Tiny;
using Apriel.Trainer.Model;
using Apriel.Trainer.Tokenization;
using Apriel.Trainer.Training;
using Apriel.Trainer.Vision;
using TorchSharp;
using static TorchSharp.torch;
using AdamW = Apriel.Trainer.Training.AdamW;

namespace Apriel.Trainer.Benchmarks;

/// <summary>
/// <c>apriel-trainer bench trainer-overhead</c>: the time of a full trainer step (data, packing, batching, logging and
/// progress, checkpoint cadence amortised: base-stage data and model, 8 x 256, a checkpoint every 25 steps) as a ratio to a
/// bare forward/backward/clip/AdamW step of the same model on pre-made batches — the very batches the trainer sees, made
/// before the clock starts (one fixed batch would favour whichever side it happens to be cheaper for: rows carry different
/// numbers of images) — in one run (issue target ≤ 1.05). The bare and full runs alternate in rounds and the median of each
/// is compared, so that a busy machine's noise hits both alike.
/// </summary>
public static class TrainerOverheadBenchmark
{
    public static Command Create(TextWriter output)
    {
        var steps = new Option<int>("--steps") { Description = "Steps per round", DefaultValueFactory = _ => 50 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of bare and full steps", DefaultValueFactory = _ => 3 };
        var command = new Command("trainer-overhead", "A full trainer step as a ratio to a bare forward/backward/optimizer step") { steps, rounds };
        command.SetAction(parse =>
        {
            var (bare, full) = Measure(parse.GetValue(steps), parse.GetValue(rounds), output);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trainer-overhead: bare {bare * 1e3:F1} ms/step, full {full * 1e3:F1} ms/step, ratio {full / bare:F3} (target <= 1.05)"));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Median seconds per step: bare, full.</summary>
    public static (double Bare, double Full) Measure(int steps, int rounds, TextWriter? log = null)
    {
        torch.set_num_threads(1);
        var root = Directory.CreateTempSubdirectory("apriel-bench-trainer-").FullName;
        try
        {
            TinyDataset.Write(root);
            var spec = new TrainingStageSpec
            {
                Model = new ModelSource { Init = "tiny" },
                Train = [Component.VisionEncoder, Component.Projector, Component.Decoder],
                Data = new DataSpec
                {
                    SequenceLength = 256,
                    Sources =
                    [
                        new DataSource { Name = "text", Uri = Path.Combine(root, TinyDataset.Directory, "text.jsonl"), Format = DataFormat.Text },
                        new DataSource { Name = "captions", Uri = Path.Combine(root, TinyDataset.Directory, "captions.jsonl"), Format = DataFormat.ImageText },
                    ],
                },
                Optimizer = new OptimizerSpec { LearningRate = 2e-3, WeightDecay = 0.01 },
                Budget = new BudgetSpec { Steps = steps },
                Batch = new BatchSpec { GlobalBatchSize = 8, MicroBatchSize = 8 }, // one pass, like the bare step
                Precision = DType.FP32,
                Checkpoints = new CheckpointSpec { Interval = 25 },
            };
            var bare = new List<double>();
            var full = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                Settle();
                bare.Add(Bare(spec, steps, root));
                Settle();
                full.Add(Full(spec, steps, Path.Combine(root, $"run-{round}")));
                log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round + 1}: bare {bare[^1] * 1e3:F1} ms, full {full[^1] * 1e3:F1} ms"));
            }
            return (Median(bare), Median(full));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Seconds per step of the trainer on the task (model set-up and the first step excluded).</summary>
    private static double Full(TrainingStageSpec spec, int steps, string output)
    {
        var task = new TrainingTask { Namespace = "bench", Name = "bench", RunId = "bench", Spec = spec, Output = "file://" + output + "/" };
        var watch = new Stopwatch();
        TrainingRun.Run(task, new TrainingOptions { AfterStep = r => { if (r.Step == 1) watch.Start(); } }, CancellationToken.None);
        watch.Stop(); // includes the final model's commit, as a run's end does
        return watch.Elapsed.TotalSeconds / (steps - 1);
    }

    /// <summary>Seconds per step of forward, backward, clipping and AdamW alone on pre-made batches.</summary>
    private static double Bare(TrainingStageSpec spec, int steps, string scratch)
    {
        using var inputs = new InputFiles(scratch);
        using var model = new VisionLanguageModel(ModelPresets.Tiny).Initialize(spec.Seed);
        using var optimizer = new AdamW(Components.Freeze(model, spec.Train), spec.Optimizer);
        var preprocessor = new ImagePreprocessor(ModelPresets.Tiny.Vision.ImageSize, ModelPresets.Tiny.Vision.PatchSize);
        var data = new DataPipeline(spec.Data, inputs, new DocumentRenderer(ByteTokenizer.ForChat(), preprocessor, ImageTokens.Pixtral, spec.Data.Loss), spec.Seed);
        using var scope = NewDisposeScope();
        var batches = Enumerable.Range(0, steps).Select(_ => Batch.From(data.NextRows(spec.Batch.GlobalBatchSize), preprocessor)).ToList();
        var watch = new Stopwatch();
        for (var step = 0; step < steps; step++)
        {
            if (step == 1) watch.Start();
            using var stepScope = NewDisposeScope();
            var batch = batches[step];
            var logits = model.forward(batch.Input);
            var loss = nn.functional.cross_entropy(logits.flatten(0, 1), batch.Labels.flatten(), ignore_index: -100, reduction: nn.Reduction.Sum) / batch.LossTokens;
            loss.backward();
            GradientClipping.Clip(optimizer.Parameters, spec.Optimizer.GradientClipping);
            optimizer.Step(spec.Optimizer.LearningRate);
            optimizer.ZeroGrad();
            loss.item<float>();
        }
        return watch.Elapsed.TotalSeconds / (steps - 1);
    }

    /// <summary>Lets the previous round's garbage (and its native tensors' finalizers) go before the clock starts.</summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
