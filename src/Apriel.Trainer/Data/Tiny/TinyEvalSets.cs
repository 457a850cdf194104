using System.Text.Json.Nodes;
using Apriel.Trainer.Data.Synthetic;
using Apriel.Trainer.Vision;

namespace Apriel.Trainer.Data.Tiny;

/// <summary>
/// The tiny chain's held-out evaluation sets (the <c>evaluation</c> entries of examples/tiny), made by the same generators as
/// the training data, with seeds of their own, and kept disjoint from the training data by construction (a draw that
/// matches a training image or question is skipped):
/// <list type="bullet">
/// <item><c>eval-counting.jsonl</c>: the Counting task of CPT stage 2 (<see cref="SyntheticTasks.Counting"/>, at
/// <see cref="CountingDifficulty"/> as in 07-cpt-2), made from held-out shape images (<c>eval-shapes/</c>) instead of the
/// training images: "[IMG]How many copies of [IMG] are in the image?" → the count. The task's images (the image with the
/// pasted copies, then the patch) are under <c>eval-counting/</c> (PNG); <c>from</c> names the held-out image it started from.</item>
/// <item><c>eval-arithmetic.jsonl</c>: an addition, subtraction or multiplication word problem (single-digit operands),
/// with its reasoning → the number.</item>
/// </list>
/// </summary>
public static class TinyEvalSets
{
    /// <summary>The synthetic tasks' difficulty in 07-cpt-2 (at 0: 0..2 copies of one patch of 14 x 14 pixels).</summary>
    public const double CountingDifficulty = 0.0;

    /// <summary>Writes <paramref name="count"/> samples per set; returns the files' paths relative to <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> Write(string root, long seed, int count, IReadOnlySet<string> trainedImages, IReadOnlySet<string> trainedQuestions)
    {
        var written = new List<string>();
        var heldOut = new List<(string Name, RgbImage Image)>();
        for (var draw = 0; heldOut.Count < count; draw++)
        {
            var (image, shapes) = ShapeImages.Draw(new Rng(seed, Rng.Key("eval-shapes"), draw), TinyDataset.ImageSize, maxShapes: 4);
            if (trainedImages.Contains(ShapeImages.Key(shapes))) continue;
            var name = $"eval-shapes/eval-{heldOut.Count:D4}.png";
            written.Add(TinyDataset.WriteImage(root, name, image));
            heldOut.Add((name, image));
        }
        var counting = new List<JsonObject>();
        for (var i = 0; i < count; i++)
        {
            // As SyntheticSource does: the task's other images (the patches) come from the same collection, here the held-out one.
            var rng = new Rng(seed, Rng.Key("eval-counting"), i);
            var sample = SyntheticTasks.Counting(heldOut[i].Image, () => heldOut[rng.Next(heldOut.Count)].Image, rng, CountingDifficulty);
            var names = sample.Images.Select((_, j) => $"eval-counting/count-{i:D4}-{j}.png").ToList();
            written.AddRange(names.Select((name, j) => TinyDataset.WriteImage(root, name, sample.Images[j])));
            counting.Add(new JsonObject
            {
                ["images"] = new JsonArray([.. names.Select(n => (JsonNode)n)]),
                ["from"] = heldOut[i].Name,
                ["messages"] = new JsonArray(
                    new JsonObject { ["role"] = "user", ["content"] = sample.Prompt },
                    new JsonObject { ["role"] = "assistant", ["content"] = sample.Answer }),
            });
        }
        written.Add(TinyDataset.WriteJsonl(root, "eval-counting.jsonl", counting));

        var arithmetic = Enumerable.Range(0, int.MaxValue)
            .Select(i => TinyTexts.ArithmeticProblem(new Rng(seed, Rng.Key("eval-arithmetic"), i)))
            .Where(p => !trainedQuestions.Contains(p.Question))
            .DistinctBy(p => p.Question)
            .Take(count);
        written.Add(TinyDataset.WriteJsonl(root, "eval-arithmetic.jsonl", arithmetic.Select(TinyDataset.Chat)));
        return written;
    }
}
