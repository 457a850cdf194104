using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Vision;

namespace Apriel.Trainer.Data.Synthetic;

/// <summary>
/// The CPT stage 2 task generators (apriel-recipe.md §A.3). Each makes an instruction–response sample from a raw image
/// (and, for distractors and objects, crops of other images of the collection) with no annotation needed: every answer is
/// computed from pixels that the generator itself placed or hid. <c>difficulty</c> in [0, 1] turns each task's knob.
/// Formats (documented in src/Apriel.Trainer/README.md, "Synthetic visual tasks"):
/// <list type="bullet">
/// <item>Reconstruction: a grey square hides a region (side 20–50% of the short side); the answer names the hidden colours as
/// a g × g grid (g = 1..3), rows on lines, nearest palette colour names separated by spaces.</item>
/// <item>Matching: an anchor crop, possibly flipped and brightened, and 2–5 lettered candidate crops (the anchor's place and
/// distractors from the same image or others); the answer is the letter.</item>
/// <item>Detection: a patch cut from another image, pasted into this one half of the time (smaller with difficulty); the
/// answer is <c>yes (x0, y0, x1, y1)</c> with the box normalised to [0, 1] by width and height, two decimals, or <c>no</c>.</item>
/// <item>Counting: 0..N copies of a patch (N = 2..6), or of two patches A and B, pasted without overlap; the answer is the
/// count, or <c>A: a, B: b</c>.</item>
/// </list>
/// </summary>
public static class SyntheticTasks
{
    private static readonly (byte, byte, byte) MaskGrey = (128, 128, 128);

    public static SyntheticSample Generate(SyntheticTask task, RgbImage image, Func<RgbImage> otherImage, Rng rng, double difficulty)
    {
        if (difficulty is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(difficulty), "must be in [0, 1]");
        if (image.Width < 8 || image.Height < 8) throw new ArgumentException($"image {image.Width} x {image.Height} is too small for synthetic tasks (8 x 8 at least)");
        return task switch
        {
            SyntheticTask.Reconstruction => Reconstruction(image, rng, difficulty),
            SyntheticTask.Matching => Matching(image, otherImage, rng, difficulty),
            SyntheticTask.Detection => Detection(image, otherImage, rng, difficulty),
            SyntheticTask.Counting => Counting(image, otherImage, rng, difficulty),
            _ => throw new ArgumentOutOfRangeException(nameof(task)),
        };
    }

    public static SyntheticSample Reconstruction(RgbImage image, Rng rng, double difficulty)
    {
        var side = Math.Min(image.Width, image.Height);
        var grid = 1 + (int)Math.Round(2 * difficulty);
        var m = Math.Clamp((int)Math.Round(side * (0.2 + 0.3 * difficulty)), grid, side);
        var box = ImageOps.RandomBox(rng, image.Width, image.Height, m, m);
        var rows = new List<string>();
        for (var r = 0; r < grid; r++)
        {
            var names = new List<string>();
            for (var c = 0; c < grid; c++)
            {
                int x0 = box.X + c * m / grid, x1 = box.X + (c + 1) * m / grid, y0 = box.Y + r * m / grid, y1 = box.Y + (r + 1) * m / grid;
                names.Add(Palette.Nearest(ImageOps.Mean(image, new Box(x0, y0, x1 - x0, y1 - y0))));
            }
            rows.Add(string.Join(' ', names));
        }
        var prompt = $"[IMG]A grey square hides part of the image. Name the colours under it as a {grid}x{grid} grid, row by row.";
        return new SyntheticSample(SyntheticTask.Reconstruction, prompt, string.Join('\n', rows), [ImageOps.Fill(image, box, MaskGrey)]);
    }

    public static SyntheticSample Matching(RgbImage image, Func<RgbImage> otherImage, Rng rng, double difficulty)
    {
        var candidates = 2 + (int)Math.Round(3 * difficulty);
        var c = Math.Max(4, (int)Math.Round(Math.Min(image.Width, image.Height) * 0.3));
        var truth = ImageOps.RandomBox(rng, image.Width, image.Height, c, c);
        var crops = new List<RgbImage> { ImageOps.Crop(image, truth) };
        while (crops.Count < candidates)
        {
            if (rng.Chance(0.5 + 0.5 * difficulty))
            {
                // A distractor from elsewhere in the same image (harder): avoid the anchor's own place.
                var box = ImageOps.RandomBox(rng, image.Width, image.Height, c, c);
                for (var tries = 0; tries < 20 && box.Overlaps(truth); tries++) box = ImageOps.RandomBox(rng, image.Width, image.Height, c, c);
                crops.Add(ImageOps.Crop(image, box));
            }
            else
            {
                crops.Add(RandomCrop(otherImage(), rng, c));
            }
        }
        var anchor = crops[0];
        if (rng.Chance(difficulty)) anchor = ImageOps.FlipHorizontal(anchor);
        anchor = ImageOps.Brightness(anchor, 1 + (2 * rng.NextDouble() - 1) * 0.4 * difficulty);
        var order = rng.Permutation(candidates);
        var letters = Enumerable.Range(0, candidates).Select(i => ((char)('A' + i)).ToString()).ToList();
        var answer = letters[Array.IndexOf(order, 0)];
        var prompt = "Which candidate shows the place of [IMG]? It may be flipped or brightened. " +
            string.Join(' ', letters.Select(l => $"{l}: [IMG]"));
        return new SyntheticSample(SyntheticTask.Matching, prompt, answer, [anchor, .. order.Select(i => crops[i])]);
    }

    public static SyntheticSample Detection(RgbImage image, Func<RgbImage> otherImage, Rng rng, double difficulty)
    {
        var s = Math.Max(4, (int)Math.Round(Math.Min(image.Width, image.Height) * (0.4 - 0.25 * difficulty)));
        var patch = RandomCrop(otherImage(), rng, s);
        var prompt = "[IMG]Is this patch in the image: [IMG]? Answer yes with its box (x0, y0, x1, y1) or no.";
        if (!rng.Chance(0.5)) return new SyntheticSample(SyntheticTask.Detection, prompt, "no", [image, patch]);
        var box = ImageOps.RandomBox(rng, image.Width, image.Height, s, s);
        return new SyntheticSample(SyntheticTask.Detection, prompt, "yes " + box.Normalized(image.Width, image.Height),
            [ImageOps.Paste(image, patch, box.X, box.Y), patch]);
    }

    public static SyntheticSample Counting(RgbImage image, Func<RgbImage> otherImage, Rng rng, double difficulty)
    {
        var most = 2 + (int)Math.Round(4 * difficulty);
        var s = Math.Max(4, (int)Math.Round(Math.Min(image.Width, image.Height) * (0.22 - 0.1 * difficulty)));
        var kinds = rng.Chance(0.5 * difficulty) ? 2 : 1;
        var patches = Enumerable.Range(0, kinds).Select(_ => RandomCrop(otherImage(), rng, s)).ToList();
        var counts = new int[kinds];
        var placed = new List<Box>();
        for (var k = 0; k < kinds; k++)
        {
            var wanted = rng.Next(kinds == 1 ? 0 : 1, most);
            for (var n = 0; n < wanted; n++)
            {
                Box? free = null;
                for (var tries = 0; tries < 50 && free is null; tries++)
                {
                    var box = ImageOps.RandomBox(rng, image.Width, image.Height, s, s);
                    if (!placed.Any(p => p.Overlaps(box))) free = box;
                }
                if (free is not { } f) break;
                placed.Add(f);
                image = ImageOps.Paste(image, patches[k], f.X, f.Y);
                counts[k]++;
            }
        }
        return kinds == 1
            ? new SyntheticSample(SyntheticTask.Counting, "[IMG]How many copies of [IMG] are in the image?", counts[0].ToString(System.Globalization.CultureInfo.InvariantCulture), [image, patches[0]])
            : new SyntheticSample(SyntheticTask.Counting, "[IMG]How many copies of A [IMG] and of B [IMG] are in the image?",
                FormattableString.Invariant($"A: {counts[0]}, B: {counts[1]}"), [image, .. patches]);
    }

    /// <summary>A random square crop of side <paramref name="side"/> (the image is first enlarged if it is smaller).</summary>
    private static RgbImage RandomCrop(RgbImage image, Rng rng, int side)
    {
        if (image.Width < side || image.Height < side) image = ImageOps.Resize(image, Math.Max(side, image.Width), Math.Max(side, image.Height));
        return ImageOps.Crop(image, ImageOps.RandomBox(rng, image.Width, image.Height, side, side));
    }
}
