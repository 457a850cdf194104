using StbImageSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Vision;

/// <summary>An image as decoded: interleaved 8-bit RGB, row-major.</summary>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    /// <summary>
    /// Decodes PNG, JPEG, BMP, GIF (first frame), … with StbImageSharp. Transparency is composited onto white, as
    /// mistral-common does.
    /// </summary>
    public static RgbImage Decode(byte[] encoded)
    {
        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(encoded, ColorComponents.RedGreenBlueAlpha);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"not a decodable image: {e.Message}", e);
        }
        var rgb = new byte[image.Width * image.Height * 3];
        for (int i = 0, j = 0; i < image.Data.Length; i += 4, j += 3)
        {
            int alpha = image.Data[i + 3];
            for (var c = 0; c < 3; c++) rgb[j + c] = (byte)((image.Data[i + c] * alpha + 255 * (255 - alpha) + 127) / 255);
        }
        return new RgbImage(image.Width, image.Height, rgb);
    }
}

/// <summary>
/// Pixtral's image preprocessing (transformers' <c>PixtralImageProcessor</c>): if the longer side is over the limit,
/// both sides are scaled by limit / longer side (floored, as transformers does; mistral-common rounds); each side is
/// then rounded up to a multiple of the patch size; the image is resized bicubically to that size exactly as Pillow does
/// (<see cref="BicubicResampler"/>), scaled by 1/255 and normalised with the CLIP mean and standard deviation.
/// </summary>
public sealed record ImagePreprocessor(int LongestEdge, int PatchSize)
{
    public static readonly float[] ClipMean = [0.48145466f, 0.4578275f, 0.40821073f];
    public static readonly float[] ClipStd = [0.26862954f, 0.26130258f, 0.27577711f];

    /// <summary>The output size (height, width) for an input of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public (int Height, int Width) OutputSize(int height, int width)
    {
        if (height <= 0 || width <= 0) throw new ArgumentException($"image is {width} x {height}");
        var ratio = Math.Max((double)height / LongestEdge, (double)width / LongestEdge);
        if (ratio > 1)
        {
            height = (int)Math.Floor(height / ratio);
            width = (int)Math.Floor(width / ratio);
        }
        var (rows, columns) = ((Math.Max(height, 1) - 1) / PatchSize + 1, (Math.Max(width, 1) - 1) / PatchSize + 1);
        return (rows * PatchSize, columns * PatchSize);
    }

    /// <summary>The patch grid (rows, columns) an input of that size becomes.</summary>
    public (int Rows, int Columns) PatchGrid(int height, int width)
    {
        var (h, w) = OutputSize(height, width);
        return (h / PatchSize, w / PatchSize);
    }

    /// <summary>The model input for an image: [3, H', W'] float32.</summary>
    public Tensor Process(RgbImage image)
    {
        var (height, width) = OutputSize(image.Height, image.Width);
        var resized = BicubicResampler.Resize(image.Pixels, image.Width, image.Height, 3, width, height);
        using var scope = NewDisposeScope();
        var pixels = tensor(resized, [height, width, 3]).permute(2, 0, 1).to(ScalarType.Float32); // [3, H', W'], 0..255
        var mean = tensor(ClipMean).view(3, 1, 1);
        var std = tensor(ClipStd).view(3, 1, 1);
        return ((pixels / 255.0 - mean) / std).MoveToOuterDisposeScope();                       // [3, H', W']
    }
}
