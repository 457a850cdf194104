using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Vision;

namespace Apriel.Trainer.Data.Synthetic;

/// <summary>
/// An instruction–response sample made from raw images: the prompt spells one <c>[IMG]</c> per image, in order; the
/// answer is the assistant's response (the only tokens with loss under <c>loss: Responses</c>).
/// </summary>
public sealed record SyntheticSample(SyntheticTask Task, string Prompt, string Answer, IReadOnlyList<RgbImage> Images);
