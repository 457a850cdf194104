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
/// <item><c>reasoning-text.jsonl</c> (Text): arithmetic and counting problems with their reasoning, as plain text;</item>
/// <item><c>reasoning-chat.jsonl</c> (Chat): such problems as conversations whose assistant turn has <c>reasoning</c> and the
/// final answer as <c>content</c>, with a <c>kind</c> (addition, subtraction, multiplication, comparison, counting).</item>
/// </list>
/// </summary>
public static class TinyDataset
{
    public const string Directory = "datasets/tiny";
    public const int ImageSize = 64;

    public sealed record Sizes(int Images = 160, int Texts = 400, int ReasoningTexts = 400, int Chats = 800);

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the files; returns their paths relative to <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> Write(string root, long seed = 0, Sizes? sizes = null)
    {
        sizes ??= new Sizes();
        var dir = Path.Combine(root, Directory);
        var shapes = Path.Combine(dir, "shapes");
        System.IO.Directory.CreateDirectory(shapes);
        var written = new List<string>();

        var captions = new List<JsonObject>();
        var writer = new ImageWriter();
        for (var i = 0; i < sizes.Images; i++)
        {
            var (image, drawn) = ShapeImages.Draw(new Rng(seed, Rng.Key("shapes"), i), ImageSize, maxShapes: 4);
            var name = $"shapes/shape-{i:D4}.{(i % 8 == 7 ? "jpg" : "png")}";
            using (var file = File.Create(Path.Combine(dir, name)))
            {
                if (name.EndsWith(".jpg", StringComparison.Ordinal)) writer.WriteJpg(image.Pixels, image.Width, image.Height, StbImageWriteSharp.ColorComponents.RedGreenBlue, file, 95);
                else writer.WritePng(image.Pixels, image.Width, image.Height, StbImageWriteSharp.ColorComponents.RedGreenBlue, file);
            }
            written.Add($"{Directory}/{name}");
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

        written.Add(WriteJsonl(root, "reasoning-text.jsonl", Enumerable.Range(0, sizes.ReasoningTexts)
            .Select(i => TinyTexts.ReasoningProblem(new Rng(seed, Rng.Key("reasoning-text"), i)))
            .Select(p => new JsonObject { ["text"] = TinyTexts.AsText(p), ["kind"] = p.Kind })));

        written.Add(WriteJsonl(root, "reasoning-chat.jsonl", Enumerable.Range(0, sizes.Chats)
            .Select(i => TinyTexts.ReasoningProblem(new Rng(seed, Rng.Key("reasoning-chat"), i)))
            .Select(p => new JsonObject
            {
                ["kind"] = p.Kind,
                ["messages"] = new JsonArray(
                    new JsonObject { ["role"] = "user", ["content"] = p.Question },
                    new JsonObject { ["role"] = "assistant", ["reasoning"] = p.Reasoning, ["content"] = p.Answer }),
            })));
        return written;
    }

    private static string WriteJsonl(string root, string name, IEnumerable<JsonObject> records)
    {
        var relative = $"{Directory}/{name}";
        using var file = new StreamWriter(Path.Combine(root, relative)) { NewLine = "\n" };
        foreach (var record in records) file.WriteLine(record.ToJsonString(Json));
        return relative;
    }
}
