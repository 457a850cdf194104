using Apriel.Trainer.Vision;

namespace Apriel.Trainer.Data.Synthetic;

/// <summary>A rectangle in pixels: left, top, width, height.</summary>
public readonly record struct Box(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;

    public int Bottom => Y + Height;

    public bool Overlaps(Box other) => X < other.Right && other.X < Right && Y < other.Bottom && other.Y < Bottom;

    /// <summary>"(x0, y0, x1, y1)" normalised by the image size, two decimals: the format of detection answers.</summary>
    public string Normalized(int imageWidth, int imageHeight) =>
        FormattableString.Invariant($"({(double)X / imageWidth:0.00}, {(double)Y / imageHeight:0.00}, {(double)Right / imageWidth:0.00}, {(double)Bottom / imageHeight:0.00})");
}

/// <summary>Small pixel operations on <see cref="RgbImage"/>s for the synthetic tasks; each returns a new image.</summary>
public static class ImageOps
{
    public static RgbImage Crop(RgbImage image, Box box)
    {
        var pixels = new byte[box.Width * box.Height * 3];
        for (var y = 0; y < box.Height; y++)
            Array.Copy(image.Pixels, ((box.Y + y) * image.Width + box.X) * 3, pixels, y * box.Width * 3, box.Width * 3);
        return new RgbImage(box.Width, box.Height, pixels);
    }

    public static RgbImage Paste(RgbImage image, RgbImage patch, int x, int y)
    {
        var pixels = (byte[])image.Pixels.Clone();
        for (var row = 0; row < patch.Height; row++)
            Array.Copy(patch.Pixels, row * patch.Width * 3, pixels, ((y + row) * image.Width + x) * 3, patch.Width * 3);
        return image with { Pixels = pixels };
    }

    public static RgbImage Fill(RgbImage image, Box box, (byte R, byte G, byte B) colour)
    {
        var pixels = (byte[])image.Pixels.Clone();
        for (var y = box.Y; y < box.Bottom; y++)
        {
            for (var x = box.X; x < box.Right; x++)
            {
                var i = (y * image.Width + x) * 3;
                (pixels[i], pixels[i + 1], pixels[i + 2]) = colour;
            }
        }
        return image with { Pixels = pixels };
    }

    public static RgbImage FlipHorizontal(RgbImage image)
    {
        var pixels = new byte[image.Pixels.Length];
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
                Array.Copy(image.Pixels, (y * image.Width + x) * 3, pixels, (y * image.Width + image.Width - 1 - x) * 3, 3);
        }
        return image with { Pixels = pixels };
    }

    /// <summary>Every channel scaled by <paramref name="factor"/>, clipped to 0..255.</summary>
    public static RgbImage Brightness(RgbImage image, double factor) =>
        image with { Pixels = image.Pixels.Select(p => (byte)Math.Clamp((int)Math.Round(p * factor), 0, 255)).ToArray() };

    /// <summary>Nearest-neighbour resize.</summary>
    public static RgbImage Resize(RgbImage image, int width, int height)
    {
        var pixels = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            var sy = y * image.Height / height;
            for (var x = 0; x < width; x++)
                Array.Copy(image.Pixels, (sy * image.Width + x * image.Width / width) * 3, pixels, (y * width + x) * 3, 3);
        }
        return new RgbImage(width, height, pixels);
    }

    /// <summary>Mean colour of a region.</summary>
    public static (byte R, byte G, byte B) Mean(RgbImage image, Box box)
    {
        long r = 0, g = 0, b = 0, n = Math.Max(1, (long)box.Width * box.Height);
        for (var y = box.Y; y < box.Bottom; y++)
        {
            for (var x = box.X; x < box.Right; x++)
            {
                var i = (y * image.Width + x) * 3;
                r += image.Pixels[i];
                g += image.Pixels[i + 1];
                b += image.Pixels[i + 2];
            }
        }
        return ((byte)(r / n), (byte)(g / n), (byte)(b / n));
    }

    /// <summary>A random box of the given size inside the image.</summary>
    public static Box RandomBox(Rng rng, int imageWidth, int imageHeight, int width, int height) =>
        new(rng.Next(0, imageWidth - width), rng.Next(0, imageHeight - height), width, height);
}
