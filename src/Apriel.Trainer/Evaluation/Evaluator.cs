using System.Globalization;
using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Data;
using Apriel.Trainer.Model;
using Apriel.Trainer.Tokenization;
using Apriel.Trainer.Vision;
using static TorchSharp.torch;

namespace Apriel.Trainer.Evaluation;

/// <summary>What the model answered to one sample.</summary>
public sealed record EvalOutput(string Question, string Expected, string Answer);

/// <summary>A set's score: samples, how many were answered exactly, and the first <see cref="Evaluator.Examples"/> outputs.</summary>
public sealed record EvalSetResult(string Name, int Samples, int Correct, IReadOnlyList<EvalOutput> Examples)
{
    public double Accuracy => Samples == 0 ? 0 : (double)Correct / Samples;

    /// <summary>"arithmetic: 12.5% (5/40 exact)".</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture, $"{Name}: {100 * Accuracy:F1}% ({Correct}/{Samples} exact)");
}

/// <summary>Scores a model on evaluation samples: greedy generation from each prompt, exact match of the final answer.</summary>
public static class Evaluator
{
    /// <summary>Outputs kept per set for reports.</summary>
    public const int Examples = 3;

    /// <summary>A renderer for evaluation records of a model: loss on the final response only, which marks where the prompt ends.</summary>
    public static DocumentRenderer Renderer(ITokenizer tokenizer, ModelConfig config) => new(tokenizer,
        new ImagePreprocessor(config.Vision.ImageSize, config.Vision.PatchSize),
        new ImageTokens(config.ImageTokenIndex, config.ImageBreakTokenId, config.ImageEndTokenId), LossTokens.Responses);

    public static EvalSetResult Run(VisionLanguageModel model, DocumentRenderer renderer, string name, IReadOnlyList<EvalSample> samples, int maxNewTokens)
    {
        var dtype = model.parameters().First().dtype;
        var room = model.Config.Text.MaxPositionEmbeddings;
        var outputs = new List<EvalOutput>();
        var correct = 0;
        foreach (var sample in samples)
        {
            if (sample.PromptIds.Length >= room)
                throw new InvalidDataException($"evaluation set {name}: a prompt of {sample.PromptIds.Length} tokens leaves no room to answer (max_position_embeddings {room})");
            using var scope = NewDisposeScope();
            var images = sample.Images.Select(i => renderer.Preprocessor.Process(i.Load()).to(dtype, model.Device)).ToList();
            var generated = Generation.Greedy(model, sample.PromptIds, Math.Min(maxNewTokens, room - sample.PromptIds.Length),
                renderer.Tokenizer.EosId, images.Count == 0 ? null : images);
            var answer = AnswerScoring.FinalAnswer(renderer.Tokenizer.Decode(generated, skipSpecialTokens: true));
            if (AnswerScoring.Matches(sample.Expected, answer)) correct++;
            if (outputs.Count < Examples) outputs.Add(new EvalOutput(sample.Question, sample.Expected, answer));
        }
        return new EvalSetResult(name, samples.Count, correct, outputs);
    }
}
