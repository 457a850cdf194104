using Apriel.Trainer.Data.Synthetic;
using Apriel.Trainer.Vision;

namespace Apriel.Trainer.Data.Tiny;

/// <summary>A shape drawn on a tiny image: its kind, colour name and bounding box.</summary>
public sealed record Shape(string Kind, string Colour, Box Box)
{
    /// <summary>Where the shape's centre is on a 3 x 3 grid: "top left", …, "centre", …, "bottom right".</summary>
    public string Place(int width, int height)
    {
        var column = Math.Min(2, (Box.X + Box.Width / 2) * 3 / width);
        var row = Math.Min(2, (Box.Y + Box.Height / 2) * 3 / height);
        string[] rows = ["top", "", "bottom"], columns = ["left", "", "right"];
        var place = $"{rows[row]} {columns[column]}".Trim();
        return place.Length == 0 ? "centre" : place;
    }
}

/// <summary>Images of simple shapes (circles, squares, triangles) in named colours on white, at random places without overlap.</summary>
public static class ShapeImages
{
    public static readonly IReadOnlyList<string> Kinds = ["circle", "square", "triangle"];
    public static readonly IReadOnlyList<string> Colours = ["red", "green", "blue", "yellow", "purple", "orange"];

    public static (RgbImage Image, IReadOnlyList<Shape> Shapes) Draw(Rng rng, int size, int maxShapes)
    {
        var pixels = Enumerable.Repeat((byte)255, size * size * 3).ToArray();
        var shapes = new List<Shape>();
        var wanted = rng.Next(1, maxShapes);
        for (var tries = 0; shapes.Count < wanted && tries < 100; tries++)
        {
            var side = rng.Next(size / 5, size / 3);
            var box = ImageOps.RandomBox(rng, size, size, side, side);
            var margin = box with { X = box.X - 2, Y = box.Y - 2, Width = box.Width + 4, Height = box.Height + 4 };
            if (shapes.Any(s => s.Box.Overlaps(margin))) continue;
            var shape = new Shape(rng.Pick(Kinds), rng.Pick(Colours), box);
            Paint(pixels, size, shape);
            shapes.Add(shape);
        }
        return (new RgbImage(size, size, pixels), shapes);
    }

    private static void Paint(byte[] pixels, int size, Shape shape)
    {
        var (r, g, b) = Palette.Of(shape.Colour);
        var box = shape.Box;
        double cx = box.X + (box.Width - 1) / 2.0, cy = box.Y + (box.Height - 1) / 2.0, radius = box.Width / 2.0;
        for (var y = box.Y; y < box.Bottom; y++)
        {
            for (var x = box.X; x < box.Right; x++)
            {
                var inside = shape.Kind switch
                {
                    "circle" => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius,
                    "triangle" => Math.Abs(x - cx) <= (y - box.Y + 1) * box.Width / (2.0 * box.Height),
                    _ => true,
                };
                if (!inside) continue;
                var i = (y * size + x) * 3;
                (pixels[i], pixels[i + 1], pixels[i + 2]) = (r, g, b);
            }
        }
    }

    /// <summary>What identifies an image's content: its shapes' kinds, colours and boxes, in drawing order.</summary>
    public static string Key(IReadOnlyList<Shape> shapes) => string.Join("; ", shapes);

    /// <summary>"2 shapes: a red circle at the top left and a blue square in the centre."</summary>
    public static string Caption(IReadOnlyList<Shape> shapes, int size)
    {
        var parts = shapes.Select(s =>
        {
            var place = s.Place(size, size);
            return $"a {s.Colour} {s.Kind} {(place == "centre" ? "in the" : "at the")} {place}";
        }).ToList();
        var list = parts.Count == 1 ? parts[0] : string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[^1];
        return $"{shapes.Count} shape{(shapes.Count == 1 ? "" : "s")}: {list}.";
    }
}
