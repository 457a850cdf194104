namespace Apriel.Trainer.Vision;

/// <summary>
/// Bicubic resizing of 8-bit images exactly as Pillow's <c>Image.resize(..., BICUBIC)</c> does it, which is what
/// transformers' image processors call: separable, horizontal pass first; the cubic kernel with a = -0.5, stretched by the
/// scale when shrinking (antialiasing); coefficients in 22-bit fixed point; each pass rounded and clipped to 8 bits.
/// (torch's antialiased bicubic uses the same kernel but no intermediate rounding or clipping, which differs by a few
/// levels on high-frequency content.)
/// </summary>
public static class BicubicResampler
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Resizes interleaved 8-bit pixels (<paramref name="channels"/> per pixel, row-major).</summary>
    public static byte[] Resize(byte[] pixels, int width, int height, int channels, int outWidth, int outHeight)
    {
        if (pixels.Length != width * height * channels) throw new ArgumentException($"{pixels.Length} bytes for a {width} x {height} x {channels} image");
        if (outWidth <= 0 || outHeight <= 0) throw new ArgumentException($"output size {outWidth} x {outHeight}");
        var current = pixels;
        if (outWidth != width)
        {
            current = Horizontal(current, width, height, channels, outWidth);
            width = outWidth;
        }
        if (outHeight != height) current = Vertical(current, width, height, channels, outHeight);
        return ReferenceEquals(current, pixels) ? (byte[])pixels.Clone() : current;
    }

    private static double Cubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    /// <summary>Per output index: the first input index and the fixed-point weights (Pillow's precompute_coeffs).</summary>
    private static (int[] Start, int[][] Weights) Coefficients(int inSize, int outSize)
    {
        var scale = (double)inSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = 2.0 * filterScale;
        var starts = new int[outSize];
        var weights = new int[outSize][];
        for (var o = 0; o < outSize; o++)
        {
            var center = (o + 0.5) * scale;
            var min = Math.Max((int)(center - support + 0.5), 0);
            var max = Math.Min((int)(center + support + 0.5), inSize) - min;
            var k = new double[max];
            double total = 0;
            for (var i = 0; i < max; i++)
            {
                k[i] = Cubic((i + min - center + 0.5) / filterScale);
                total += k[i];
            }
            var fixedPoint = new int[max];
            for (var i = 0; i < max; i++)
            {
                var w = total != 0 ? k[i] / total : k[i];
                fixedPoint[i] = (int)(w < 0 ? -0.5 + w * (1 << PrecisionBits) : 0.5 + w * (1 << PrecisionBits));
            }
            starts[o] = min;
            weights[o] = fixedPoint;
        }
        return (starts, weights);
    }

    private static byte Clip8(long value)
    {
        var v = value >> PrecisionBits;
        return (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
    }

    private static byte[] Horizontal(byte[] input, int width, int height, int channels, int outWidth)
    {
        var (start, weights) = Coefficients(width, outWidth);
        var output = new byte[outWidth * height * channels];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < outWidth; x++)
            {
                var k = weights[x];
                for (var c = 0; c < channels; c++)
                {
                    long sum = 1L << (PrecisionBits - 1);
                    for (var i = 0; i < k.Length; i++) sum += input[(y * width + start[x] + i) * channels + c] * (long)k[i];
                    output[(y * outWidth + x) * channels + c] = Clip8(sum);
                }
            }
        }
        return output;
    }

    private static byte[] Vertical(byte[] input, int width, int height, int channels, int outHeight)
    {
        var (start, weights) = Coefficients(height, outHeight);
        var output = new byte[width * outHeight * channels];
        for (var y = 0; y < outHeight; y++)
        {
            var k = weights[y];
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < channels; c++)
                {
                    long sum = 1L << (PrecisionBits - 1);
                    for (var i = 0; i < k.Length; i++) sum += input[((start[y] + i) * width + x) * channels + c] * (long)k[i];
                    output[(y * width + x) * channels + c] = Clip8(sum);
                }
            }
        }
        return output;
    }
}
