using System.Text.RegularExpressions;
using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Data;
using Apriel.Trainer.Data.Synthetic;

namespace Apriel.Trainer.Tests.Data;

public sealed class SyntheticTaskTests
{
    private static readonly SyntheticTask[] AllTasks = [SyntheticTask.Reconstruction, SyntheticTask.Matching, SyntheticTask.Detection, SyntheticTask.Counting];

    private static SyntheticSource Source(double difficulty, params SyntheticTask[] tasks) => new(
        new DataSource
        {
            Name = "synthetic-visual",
            Uri = TestData.Path("shapes/"),
            Format = DataFormat.SyntheticVisual,
            Synthetic = new SyntheticSpec { Tasks = [.. tasks], Difficulty = difficulty },
        },
        TestData.Path("shapes/"), TestData.Renderer(LossTokens.Responses), seed: 15);

    [Theory]
    [InlineData(SyntheticTask.Reconstruction, @"^(\w+( \w+)*)(\n\w+( \w+)*)*$")]
    [InlineData(SyntheticTask.Matching, "^[A-E]$")]
    [InlineData(SyntheticTask.Detection, @"^(no|yes \(0\.\d\d, 0\.\d\d, (0\.\d\d|1\.00), (0\.\d\d|1\.00)\))$")]
    [InlineData(SyntheticTask.Counting, @"^(\d|A: \d, B: \d)$")]
    public void Should_make_samples_whose_images_match_their_placeholders_and_whose_answers_have_the_documented_format(SyntheticTask task, string answer)
    {
        foreach (var difficulty in new[] { 0.0, 0.5, 1.0 })
        {
            var source = Source(difficulty, task);
            for (var draw = 0; draw < 12; draw++)
            {
                var sample = source.Sample(draw);
                Assert.Equal(task, sample.Task);
                Assert.Equal(Regex.Matches(sample.Prompt, Regex.Escape("[IMG]")).Count, sample.Images.Count);
                Assert.Matches(answer, sample.Answer);
            }
        }
    }

    [Fact]
    public void Should_put_the_loss_on_the_answer_only_and_make_each_draw_reproducible()
    {
        var source = Source(0.3, AllTasks);
        var tokenizer = TestData.Renderer().Tokenizer;

        for (var draw = 0; draw < 8; draw++)
        {
            var sample = source.Sample(draw);
            var doc = source.Get(draw);
            Assert.Equal($"{sample.Answer}\n<|end|>\n</s>", tokenizer.Decode(doc.Ids.Where((_, i) => doc.Loss[i])));
            Assert.Equal(doc.Ids, Source(0.3, AllTasks).Get(draw).Ids);
            Assert.Equal(sample.Images.Count, doc.Images.Count);
            Assert.True(doc.Length <= 384, $"{sample.Task}: {doc.Length} tokens do not fit cpt-2's rows");
        }
        Assert.Equal(AllTasks.Length, Enumerable.Range(0, 40).Select(d => source.Sample(d).Task).Distinct().Count());
    }

    [Fact]
    public void Should_make_tasks_harder_as_the_difficulty_grows()
    {
        var image = Trainer.Data.ImageFiles.Load(TestData.Path("shapes/shape-0001.png"));
        RgbImageSource other = new(image);
        double Mean(Func<Rng, int> measure) => Enumerable.Range(0, 40).Average(i => measure(new Rng(i)));

        // Matching: more candidates; reconstruction: a bigger masked grid; counting: more copies to count.
        Assert.Equal(2, SyntheticTasks.Matching(image, other.Get, new Rng(1), 0).Images.Count - 1);
        Assert.Equal(5, SyntheticTasks.Matching(image, other.Get, new Rng(1), 1).Images.Count - 1);
        Assert.Single(SyntheticTasks.Reconstruction(image, new Rng(1), 0).Answer.Split(' ', '\n'));
        Assert.Equal(9, SyntheticTasks.Reconstruction(image, new Rng(1), 1).Answer.Split(' ', '\n').Length);
        Assert.True(Mean(r => int.Parse(SyntheticTasks.Counting(image, other.Get, r, 1).Answer.Split(',')[0].Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture))
            > Mean(r => int.Parse(SyntheticTasks.Counting(image, other.Get, r, 0).Answer, System.Globalization.CultureInfo.InvariantCulture)));
        // Detection: smaller objects.
        Assert.True(SyntheticTasks.Detection(image, other.Get, new Rng(1), 1).Images[1].Width < SyntheticTasks.Detection(image, other.Get, new Rng(1), 0).Images[1].Width);
    }

    [Fact]
    public void Should_give_the_box_of_a_pasted_patch_where_it_was_pasted()
    {
        var image = Trainer.Data.ImageFiles.Load(TestData.Path("shapes/shape-0001.png"));
        var other = new RgbImageSource(Trainer.Data.ImageFiles.Load(TestData.Path("shapes/shape-0002.png")));
        var sample = Enumerable.Range(0, 10).Select(i => SyntheticTasks.Detection(image, other.Get, new Rng(i), 0.5)).First(s => s.Answer != "no");

        var numbers = Regex.Matches(sample.Answer, @"\d\.\d\d").Select(m => double.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var (x0, y0) = ((int)Math.Round(numbers[0] * 64), (int)Math.Round(numbers[1] * 64));
        var patch = sample.Images[1];

        Assert.Equal(patch.Width, (int)Math.Round((numbers[2] - numbers[0]) * 64));
        Assert.Equal(ImageOps.Crop(sample.Images[0], new Box(x0, y0, patch.Width, patch.Height)).Pixels, patch.Pixels);
    }

    private sealed class RgbImageSource(Trainer.Vision.RgbImage image)
    {
        public Trainer.Vision.RgbImage Get() => image;
    }
}
