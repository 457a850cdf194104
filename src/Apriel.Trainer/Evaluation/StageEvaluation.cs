using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Data;
using Apriel.Trainer.Model;
using Apriel.Trainer.Tokenization;

namespace Apriel.Trainer.Evaluation;

/// <summary>
/// A stage's evaluation sets (<see cref="TrainingStageSpec.Evaluation"/>), read once when the run starts and scored on the
/// starting model and the final one.
/// </summary>
public sealed class StageEvaluation
{
    private sealed record Set(string Name, int MaxNewTokens, IReadOnlyList<EvalSample> Samples);

    private readonly IReadOnlyList<Set> sets;
    private readonly DocumentRenderer renderer;

    private StageEvaluation(IReadOnlyList<Set> sets, DocumentRenderer renderer) => (this.sets, this.renderer) = (sets, renderer);

    /// <summary>Reads the sets' samples (URIs already resolved, as in a task).</summary>
    public static StageEvaluation Load(IEnumerable<EvaluationSet> specs, InputFiles inputs, ITokenizer tokenizer, ModelConfig config)
    {
        var renderer = Evaluator.Renderer(tokenizer, config);
        return new([.. specs.Select(s => new Set(s.Name, s.MaxNewTokens, EvalSamples.Read(s.Uri, s.Limit, inputs, renderer)))], renderer);
    }

    public bool IsEmpty => sets.Count == 0;

    /// <summary>Scores <paramref name="model"/> on every set and logs one line per set.</summary>
    public IReadOnlyList<EvalSetResult> Score(VisionLanguageModel model, string when, TextWriter log) => [.. sets.Select(s =>
    {
        var result = Evaluator.Run(model, renderer, s.Name, s.Samples, s.MaxNewTokens);
        log.WriteLine($"evaluation {when}: {result.Summary}");
        return result;
    })];
}
