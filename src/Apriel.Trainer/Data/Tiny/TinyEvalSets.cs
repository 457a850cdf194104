using System.Text.Json.Nodes;

namespace Apriel.Trainer.Data.Tiny;

/// <summary>
/// The tiny chain's held-out evaluation sets (the <c>evaluation</c> entries of examples/tiny), drawn with seeds of their own
/// and kept disjoint from the training data by construction (a draw that matches a training image or question is skipped):
/// <list type="bullet">
/// <item><c>eval-counting.jsonl</c>: an image of 1–4 shapes (<c>eval-shapes/</c>, PNG), "How many shapes are there?" → the count;</item>
/// <item><c>eval-arithmetic.jsonl</c>: an addition, subtraction or multiplication problem, with its reasoning → the number.</item>
/// </list>
/// </summary>
public static class TinyEvalSets
{
    public const string CountingQuestion = "How many shapes are there?";

    /// <summary>Writes <paramref name="count"/> samples per set; returns the files' paths relative to <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> Write(string root, long seed, int count, IReadOnlySet<string> trainedImages, IReadOnlySet<string> trainedQuestions)
    {
        var written = new List<string>();
        var counting = new List<JsonObject>();
        for (var draw = 0; counting.Count < count; draw++)
        {
            var (image, shapes) = ShapeImages.Draw(new Rng(seed, Rng.Key("eval-shapes"), draw), TinyDataset.ImageSize, maxShapes: 4);
            if (trainedImages.Contains(ShapeImages.Key(shapes))) continue;
            var name = $"eval-shapes/eval-{counting.Count:D4}.png";
            written.Add(TinyDataset.WriteImage(root, name, image));
            counting.Add(new JsonObject
            {
                ["images"] = new JsonArray(name),
                ["messages"] = new JsonArray(
                    new JsonObject { ["role"] = "user", ["content"] = CountingQuestion },
                    new JsonObject { ["role"] = "assistant", ["content"] = shapes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
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
