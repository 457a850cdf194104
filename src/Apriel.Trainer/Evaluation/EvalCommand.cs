using System.CommandLine;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Data;
using Apriel.Trainer.Model;
using Apriel.Trainer.Tokenization;
using Apriel.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Evaluation;

/// <summary>
/// <c>apriel-trainer eval --model DIR --data JSONL</c>: scores a model directory on an evaluation set (the records a
/// stage's <c>evaluation</c> lists) by greedy generation and exact match of the final answer, and prints the accuracy and
/// the first few answers.
/// </summary>
public static class EvalCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Option<string>("--model") { Description = "A model directory (config.json, safetensors, tokenizer files)", Required = true };
        var data = new Option<string>("--data") { Description = "A JSONL file (or directory) of chat records ending with the expected answer", Required = true };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "Tokens generated per sample at most", DefaultValueFactory = _ => 32 };
        var limit = new Option<int?>("--limit") { Description = "Score only the first N records" };
        var threads = new Option<int>("--threads") { Description = "torch intra-op threads", DefaultValueFactory = _ => 1 };
        var device = TrainingDevice.Option();
        var command = new Command("eval", "Score a model on an evaluation set: greedy generation, exact match of the final answer")
            { model, data, maxNewTokens, limit, threads, device };
        command.SetAction(parse => Handler(output, parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(maxNewTokens), parse.GetValue(limit),
            parse.GetValue(threads), parse.GetValue(device)!));
        return command;
    }

    internal static int Handler(TextWriter output, string modelDirectory, string data, int maxNewTokens, int? limit, int threads, string device = "auto")
    {
        if (maxNewTokens < 1 || limit < 1)
        {
            output.WriteLine("error: --max-new-tokens and --limit must be at least 1");
            return ExitCodes.Usage;
        }
        torch.set_num_threads(threads);
        try
        {
            var on = TrainingDevice.Resolve(device);
            using var model = ModelCheckpoint.Load(modelDirectory);
            if (on.type != DeviceType.CPU) model.to(on);
            var renderer = Evaluator.Renderer(TokenizerFiles.Load(modelDirectory, model.Config), model.Config);
            using var scratch = Scratch.Create("eval");
            using var inputs = new InputFiles(scratch.Path);
            var name = Path.GetFileNameWithoutExtension(data.TrimEnd('/'));
            var result = Evaluator.Run(model, renderer, name, EvalSamples.Read(data, limit, inputs, renderer), maxNewTokens);
            output.WriteLine(result.Summary);
            foreach (var example in result.Examples)
                output.WriteLine($"  {example.Question} | expected {example.Expected} | answered {example.Answer}");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is InvalidDataException or CheckpointException or ModelConfigException or ArgumentException
            or IOException)
        {
            output.WriteLine($"error: {e.Message}");
            return ExitCodes.Invalid;
        }
    }
}
