using System.Security.Cryptography;
using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Data;
using Apriel.Trainer.Data.Tiny;

namespace Apriel.Trainer.Tests.Data;

public sealed class TinyDatasetTests
{
    [Fact]
    public void Should_write_every_file_the_tiny_manifests_reference()
    {
        var sources = Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "examples", "tiny"), "*.yaml")
            .SelectMany(f => ManifestReader.Read(File.ReadAllText(f), f).Manifests)
            .Select(m => m.Resource).OfType<TrainingStage>()
            .ToList();

        Assert.NotEmpty(sources);
        foreach (var source in sources.SelectMany(s => s.Spec.Data.Sources))
        {
            var path = Path.Combine(TestData.Root, source.Uri);
            Assert.True(source.Format == DataFormat.SyntheticVisual ? ImageFiles.List(path).Count > 0 : File.Exists(path), $"{source.Name}: {path}");
        }
        var evaluation = sources.SelectMany(s => s.Spec.Evaluation ?? []).ToList();
        Assert.NotEmpty(evaluation);
        Assert.All(evaluation, set => Assert.True(File.Exists(Path.Combine(TestData.Root, set.Uri)), $"{set.Name}: {set.Uri}"));
    }

    [Fact]
    public void Should_hold_out_the_evaluation_sets_from_the_training_data()
    {
        static IEnumerable<JsonElement> Records(string file) => JsonlFiles.Read(TestData.Inputs.Files(TestData.Path(file), JsonlFiles.IsJsonl)).Select(r => r.Value);
        var trainedQuestions = Records("reasoning-chat.jsonl").Select(r => r.GetProperty("messages")[0].GetProperty("content").GetString())
            .Concat(Records("reasoning-text.jsonl").Select(r => r.GetProperty("text").GetString()![("Question: ".Length)..r.GetProperty("text").GetString()!.IndexOf('\n')]))
            .ToHashSet();
        var trainedImages = ImageFiles.List(TestData.Path("shapes")).Select(p => Convert.ToHexString(ImageFiles.Load(p).Pixels)).ToHashSet();

        var arithmetic = Records("eval-arithmetic.jsonl").Select(r => r.GetProperty("messages")[0].GetProperty("content").GetString()).ToList();
        var counting = Records("eval-counting.jsonl").ToList();
        var heldOut = counting.Select(r => r.GetProperty("from").GetString()!).ToList();
        var images = counting.SelectMany(r => r.GetProperty("images").EnumerateArray().Select(i => i.GetString()!)).ToList();

        Assert.Equal(new TinyDataset.Sizes().EvalSamples, arithmetic.Count);
        Assert.Equal(arithmetic.Count, arithmetic.Distinct().Count());
        Assert.DoesNotContain(arithmetic, trainedQuestions.Contains);
        Assert.Equal(new TinyDataset.Sizes().EvalSamples, counting.Count);
        // Each counting sample starts from a held-out image (not one cpt-2 trains on) and pastes patches of held-out images.
        Assert.Equal(heldOut.Count, heldOut.Distinct().Count());
        Assert.All(heldOut.Concat(images), image => Assert.DoesNotContain(Convert.ToHexString(ImageFiles.Load(TestData.Path(image)).Pixels), trainedImages));
        Assert.DoesNotContain(heldOut.Concat(images), image => image.StartsWith("shapes/", StringComparison.Ordinal)); // cpt-2 reads every image under shapes/
    }

    [Fact]
    public void Should_ask_the_counting_eval_in_the_format_cpt_2_trains()
    {
        // The same generator as the training samples of the Counting task (SyntheticTasks.Counting), at cpt-2's difficulty.
        var stage = ManifestReader.Read(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "examples", "tiny", "07-cpt-2.yaml")), "07-cpt-2.yaml")
            .Manifests.Select(m => m.Resource).OfType<TrainingStage>().Single();
        var synthetic = stage.Spec.Data.Sources.Select(s => s.Synthetic!).ToList();
        Assert.Contains(synthetic, s => s.Tasks.Contains(SyntheticTask.Counting));
        Assert.All(synthetic, s => Assert.Equal(TinyEvalSets.CountingDifficulty, s.Difficulty));

        var records = JsonlFiles.Read(TestData.Inputs.Files(TestData.Path("eval-counting.jsonl"), JsonlFiles.IsJsonl)).Select(r => r.Value).ToList();

        Assert.All(records, r =>
        {
            var prompt = r.GetProperty("messages")[0].GetProperty("content").GetString();
            var answer = r.GetProperty("messages")[1].GetProperty("content").GetString()!;
            if (r.GetProperty("images").GetArrayLength() == 2)
            {
                Assert.Equal("[IMG]How many copies of [IMG] are in the image?", prompt);
                Assert.Matches("^[0-3]$", answer);
            }
            else
            {
                Assert.Equal("[IMG]How many copies of A [IMG] and of B [IMG] are in the image?", prompt);
                Assert.Matches("^A: [1-3], B: [1-3]$", answer);
            }
        });
        Assert.True(records.Select(r => r.GetProperty("messages")[1].GetProperty("content").GetString()).Distinct().Count() >= 3);
    }

    [Fact]
    public void Should_write_the_same_bytes_every_time()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var sizes = new TinyDataset.Sizes(Images: 9, Texts: 5, ReasoningTexts: 5, Chats: 5);

        var files = TinyDataset.Write(a.Path, 0, sizes);
        TinyDataset.Write(b.Path, 0, sizes);

        Assert.Contains(files, f => f.EndsWith(".jpg", StringComparison.Ordinal));
        foreach (var file in files)
            Assert.Equal(SHA256.HashData(File.ReadAllBytes(Path.Combine(a.Path, file))), SHA256.HashData(File.ReadAllBytes(Path.Combine(b.Path, file))));
    }

    [Fact]
    public void Should_size_the_chats_for_the_tiny_sft_stages()
    {
        // sft packs into 256; sft-long splits the data at 128 tokens (minTokens: 128 / maxTokens: 128), so both sides exist.
        var source = new RecordSource(TestData.Source("sft", "reasoning-chat.jsonl", DataFormat.Chat), TestData.Inputs,
            TestData.Renderer(LossTokens.Responses), seed: 0);

        Assert.All(source.Lengths, l => Assert.InRange(l, 40, 256));
        Assert.Contains(source.Lengths, l => l <= 128);
        Assert.Contains(source.Lengths, l => l >= 128);
    }

    [Theory]
    [InlineData(0)] // a PNG
    [InlineData(7)] // a JPEG
    public void Should_caption_what_the_image_shows(int index)
    {
        var record = JsonlFiles.Read(TestData.Inputs.Files(TestData.Path("captions.jsonl"), JsonlFiles.IsJsonl))[index].Value;
        var image = ImageFiles.Load(TestData.Path(record.GetProperty("images")[0].GetString()!));
        var first = record.GetProperty("shapes")[0];
        var box = first.GetProperty("box").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var (cx, cy) = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2);

        var centre = image.Pixels.AsSpan((cy * image.Width + cx) * 3, 3).ToArray();

        Assert.Equal(first.GetProperty("colour").GetString(), Trainer.Data.Synthetic.Palette.Nearest((centre[0], centre[1], centre[2])));
        Assert.Contains(first.GetProperty("kind").GetString()!, record.GetProperty("text").GetString(), StringComparison.Ordinal);
    }
}
