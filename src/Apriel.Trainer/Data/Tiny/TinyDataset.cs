using System.Text.Json;
using System.Text.Json.Nodes;
using Apriel.Trainer.Vision;
using StbImageWriteSharp;

namespace Apriel.Trainer.Data.Tiny;

/// <summary>
/// Writes the data of <c>examples/tiny</c> under <c>ROOT/datasets/tiny/</c> (the manifests' URIs are relative to the store
/// root), deterministically (same bytes every time):
/// <list type="bullet">
/// <item><c>shapes/</c>: 64 x 64 images of 1–4 circles, squares and triangles in six colours on white (PNG; every eighth a
/// JPEG), the raw images of CPT stage 2;</item>
/// <item><c>captions.jsonl</c> (ImageText): one per image, <c>{"images": ["shapes/…"], "text": caption, "kind": "shapes-N",
/// "shapes": [{"kind", "colour", "box": [x0, y0, x1, y1]}]}</c>;</item>
/// <item><c>text.jsonl</c> (Text): short documents about shapes, colours and numbers;</item>
/// <item><c>reasoning-text.jsonl</c> (Text): arithmetic word problems (single-digit operands), comparisons and letter
/// counting with their reasoning, as plain text;</item>
/// <item><c>reasoning-chat.jsonl</c> (Chat): such problems as conversations whose assistant turn has <c>reasoning</c> and the
/// final answer as <c>content</c>, with a <c>kind</c> (addition, subtraction, multiplication, comparison, counting);</item>
/// <item><c>eval-counting.jsonl</c> (with <c>eval-shapes/</c> and <c>eval-counting/</c>) and <c>eval-arithmetic.jsonl</c>:
/// held-out evaluation sets (<see cref="TinyEvalSets"/>).</item>
/// </list>
/// </summary>
public static class TinyDataset
{
    public const string Directory = "datasets/tiny";
    public const int ImageSize = 64;

    public sealed record Sizes(int Images = 160, int Texts = 400, int ReasoningTexts = 400, int Chats = 800, int EvalSamples = 40);

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the files; returns their paths relative to <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> Write(string root, long seed = 0, Sizes? sizes = null)
    {
        sizes ??= new Sizes();
        System.IO.Directory.CreateDirectory(Path.Combine(root, Directory));
        var written = new List<string>();

        var captions = new List<JsonObject>();
        var trainedImages = new HashSet<string>();
        for (var i = 0; i < sizes.Images; i++)
        {
            var (image, drawn) = ShapeImages.Draw(new Rng(seed, Rng.Key("shapes"), i), ImageSize, maxShapes: 4);
            trainedImages.Add(ShapeImages.Key(drawn));
            var name = $"shapes/shape-{i:D4}.{(i % 8 == 7 ? "jpg" : "png")}";
            written.Add(WriteImage(root, name, image));
            captions.Add(new JsonObject
            {
                ["images"] = new JsonArray(name),
                ["text"] = ShapeImages.Caption(drawn, ImageSize),
                ["kind"] = $"shapes-{drawn.Count}",
                ["shapes"] = new JsonArray([.. drawn.Select(s => (JsonNode)new JsonObject
                {
                    ["kind"] = s.Kind,
                    ["colour"] = s.Colour,
                    ["box"] = new JsonArray(s.Box.X, s.Box.Y, s.Box.Right, s.Box.Bottom),
                })]),
            });
        }
        written.Add(WriteJsonl(root, "captions.jsonl", captions));

        written.Add(WriteJsonl(root, "text.jsonl", Enumerable.Range(0, sizes.Texts)
            .Select(i => new JsonObject { ["text"] = TinyTexts.Document(new Rng(seed, Rng.Key("text"), i)) })));

        var reasoningTexts = Enumerable.Range(0, sizes.ReasoningTexts)
            .Select(i => TinyTexts.ReasoningProblem(new Rng(seed, Rng.Key("reasoning-text"), i))).ToList();
        written.Add(WriteJsonl(root, "reasoning-text.jsonl", reasoningTexts.Select(p => new JsonObject { ["text"] = TinyTexts.AsText(p), ["kind"] = p.Kind })));

        var chats = Enumerable.Range(0, sizes.Chats).Select(i => TinyTexts.ReasoningProblem(new Rng(seed, Rng.Key("reasoning-chat"), i))).ToList();
        written.Add(WriteJsonl(root, "reasoning-chat.jsonl", chats.Select(Chat)));

        var trainedQuestions = reasoningTexts.Concat(chats).Select(p => p.Question).ToHashSet();
        written.AddRange(TinyEvalSets.Write(root, seed, sizes.EvalSamples, trainedImages, trainedQuestions));
        return written;
    }

    /// <summary>A problem as a chat record: the question, then the assistant's reasoning and final answer.</summary>
    internal static JsonObject Chat(TinyTexts.Problem p) => new()
    {
        ["kind"] = p.Kind,
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "user", ["content"] = p.Question },
            new JsonObject { ["role"] = "assistant", ["reasoning"] = p.Reasoning, ["content"] = p.Answer }),
    };

    /// <summary>Writes an image under the data directory (JPEG for a <c>.jpg</c> name, else PNG); returns its path relative to <paramref name="root"/>.</summary>
    internal static string WriteImage(string root, string name, RgbImage image)
    {
        var relative = $"{Directory}/{name}";
        var path = Path.Combine(root, relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        var writer = new ImageWriter();
        if (name.EndsWith(".jpg", StringComparison.Ordinal)) writer.WriteJpg(image.Pixels, image.Width, image.Height, ColorComponents.RedGreenBlue, file, 95);
        else writer.WritePng(image.Pixels, image.Width, image.Height, ColorComponents.RedGreenBlue, file);
        return relative;
    }

    internal static string WriteJsonl(string root, string name, IEnumerable<JsonObject> records)
    {
        var relative = $"{Directory}/{name}";
        using var file = new StreamWriter(Path.Combine(root, relative)) { NewLine = "\n" };
        foreach (var record in records) file.WriteLine(record.ToJsonString(Json));
        return relative;
    }
}
