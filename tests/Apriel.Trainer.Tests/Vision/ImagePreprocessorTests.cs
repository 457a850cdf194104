using Apriel.Trainer.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Vision;

public sealed class ImagePreprocessorTests
{
    private static readonly ImagePreprocessor Pixtral = new(LongestEdge: 1024, PatchSize: 16);

    public ImagePreprocessorTests() => torch.set_num_threads(1);

    [Theory]
    [InlineData(1024, 1024, 1024, 1024)]
    [InlineData(2048, 1000, 1024, 512)]   // scaled by 1/2 → 1024 x 500 → 500 rounded up to 512
    [InlineData(17, 33, 32, 48)]          // small images are only rounded up
    [InlineData(1500, 1001, 1024, 688)]   // ratio 1.4648…: 1001 → floor(683.35) = 683 → 688
    [InlineData(1, 1, 16, 16)]
    public void Should_cap_the_long_side_and_round_up_to_the_patch(int height, int width, int outHeight, int outWidth)
    {
        Assert.Equal((outHeight, outWidth), Pixtral.OutputSize(height, width));
    }

    [Fact]
    public void Should_give_a_1024_square_image_4160_tokens()
    {
        var (rows, columns) = Pixtral.PatchGrid(1024, 1024);
        var ids = ImageTokens.Pixtral.Layout(rows, columns);

        Assert.Equal(4160, ImageTokens.Count(rows, columns));
        Assert.Equal(4160, ids.Length);
        Assert.Equal(4096, ids.Count(x => x == 10));
        Assert.Equal(63, ids.Count(x => x == 12));
        Assert.Equal(13, ids[^1]);
    }

    [Fact]
    public void Should_end_each_row_with_a_break_and_the_last_with_an_end()
    {
        Assert.Equal([10, 10, 10, 12, 10, 10, 10, 13], ImageTokens.Pixtral.Layout(2, 3));
        Assert.Equal([10, 13], ImageTokens.Pixtral.Layout(1, 1));
    }

    [Fact]
    public void Should_resize_and_normalise_with_the_clip_statistics()
    {
        using var scope = NewDisposeScope();
        var pixels = new byte[20 * 30 * 3];
        for (var i = 0; i < pixels.Length; i += 3) (pixels[i], pixels[i + 1], pixels[i + 2]) = (200, 100, 0);

        var x = Pixtral.Process(new RgbImage(Width: 30, Height: 20, pixels));

        Assert.Equal(new long[] { 3, 32, 32 }, x.shape); // a constant image stays constant under bicubic resizing
        float Expected(int c, byte v) => (v / 255f - ImagePreprocessor.ClipMean[c]) / ImagePreprocessor.ClipStd[c];
        Assert.True(allclose(x[0], full(32, 32, Expected(0, 200)), atol: 1e-5));
        Assert.True(allclose(x[1], full(32, 32, Expected(1, 100)), atol: 1e-5));
        Assert.True(allclose(x[2], full(32, 32, Expected(2, 0)), atol: 1e-5));
    }

    [Theory]
    [InlineData(37, 45)] // shrinks both sides to 32 x 32 (antialiased)
    [InlineData(10, 13)] // grows both sides to 16 x 16
    public void Should_resize_like_pil_bicubic(int height, int width)
    {
        using var scope = NewDisposeScope();
        var preprocessor = new ImagePreprocessor(LongestEdge: 32, PatchSize: 8);
        var random = new Random(7);
        var pixels = new byte[height * width * 3];
        random.NextBytes(pixels);
        var (outHeight, outWidth) = preprocessor.OutputSize(height, width);

        var x = preprocessor.Process(new RgbImage(width, height, pixels));

        var reference = PilBicubic(pixels, height, width, outHeight, outWidth);
        for (var c = 0; c < 3; c++)
        {
            var values = ((x[c] * ImagePreprocessor.ClipStd[c] + ImagePreprocessor.ClipMean[c]) * 255).data<float>().ToArray();
            for (var i = 0; i < values.Length; i++)
                Assert.True(Math.Abs(values[i] - reference[c][i]) <= 1.01, $"channel {c} pixel {i}: {values[i]} vs PIL {reference[c][i]}");
        }
    }

    [Fact]
    public void Should_agree_with_torch_antialiased_bicubic_on_a_smooth_image()
    {
        using var scope = NewDisposeScope();
        const int height = 50, width = 70;
        var pixels = new byte[height * width * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                pixels[(y * width + x) * 3] = (byte)(x * 3);
                pixels[(y * width + x) * 3 + 1] = (byte)(y * 4);
                pixels[(y * width + x) * 3 + 2] = (byte)(128 + 100 * Math.Sin(x / 9.0 + y / 7.0));
            }
        }

        var ours = BicubicResampler.Resize(pixels, width, height, 3, 40, 24);
        var torchResized = nn.functional.interpolate(tensor(pixels, [height, width, 3]).permute(2, 0, 1).unsqueeze(0).to(ScalarType.Float32),
            [24, 40], mode: InterpolationMode.Bicubic, align_corners: false, antialias: true).squeeze(0).permute(1, 2, 0).round().clamp(0, 255);

        var theirs = torchResized.to(ScalarType.Byte).contiguous().data<byte>().ToArray();
        Assert.All(ours.Zip(theirs), pair => Assert.InRange(pair.First - pair.Second, -1, 1));
    }

    // PIL's ImagingResample for 8-bit images, written out independently: separable, horizontal pass first, each pass
    // rounded and clipped to 8 bits; bicubic kernel a = -0.5 stretched by the scale when shrinking (antialiasing).
    private static double[][] PilBicubic(byte[] rgb, int height, int width, int outHeight, int outWidth)
    {
        static double Cubic(double x)
        {
            const double a = -0.5;
            x = Math.Abs(x);
            return x < 1 ? ((a + 2) * x - (a + 3)) * x * x + 1 : x < 2 ? (((x - 5) * x + 8) * x - 4) * a : 0;
        }
        static double[] Resample(double[] input, int inSize, int outSize)
        {
            var scale = (double)inSize / outSize;
            var filterScale = Math.Max(scale, 1);
            var support = 2 * filterScale;
            var output = new double[outSize];
            for (var o = 0; o < outSize; o++)
            {
                var center = (o + 0.5) * scale;
                var min = Math.Max((int)(center - support + 0.5), 0);
                var max = Math.Min((int)(center + support + 0.5), inSize);
                double sum = 0, total = 0;
                for (var i = min; i < max; i++)
                {
                    var w = Cubic((i - center + 0.5) / filterScale);
                    sum += w * input[i];
                    total += w;
                }
                output[o] = Math.Clamp(Math.Round(sum / total), 0, 255);
            }
            return output;
        }
        var result = new double[3][];
        for (var c = 0; c < 3; c++)
        {
            var rows = new double[height][];
            for (var y = 0; y < height; y++)
                rows[y] = Resample(Enumerable.Range(0, width).Select(x => (double)rgb[(y * width + x) * 3 + c]).ToArray(), width, outWidth);
            result[c] = new double[outHeight * outWidth];
            for (var x = 0; x < outWidth; x++)
            {
                var column = Resample(Enumerable.Range(0, height).Select(y => rows[y][x]).ToArray(), height, outHeight);
                for (var y = 0; y < outHeight; y++) result[c][y * outWidth + x] = column[y];
            }
        }
        return result;
    }

    [Fact]
    public void Should_decode_an_image_file_and_put_transparency_on_white()
    {
        // A 2 x 1 32-bit BMP: one opaque red pixel, one fully transparent pixel.
        var bmp = Bmp32(2, 1, [(255, 0, 0, 255), (0, 0, 255, 0)]);

        var image = RgbImage.Decode(bmp);

        Assert.Equal((2, 1), (image.Width, image.Height));
        Assert.Equal(new byte[] { 255, 0, 0, 255, 255, 255 }, image.Pixels);
        Assert.Throws<InvalidDataException>(() => RgbImage.Decode([1, 2, 3, 4]));
    }

    private static byte[] Bmp32(int width, int height, (byte R, byte G, byte B, byte A)[] pixels)
    {
        // BITMAPV4 header so that the alpha channel mask is explicit.
        const int headerSize = 14 + 108;
        var data = new byte[headerSize + width * height * 4];
        void U32(int at, uint v) => BitConverter.TryWriteBytes(data.AsSpan(at, 4), v);
        void U16(int at, ushort v) => BitConverter.TryWriteBytes(data.AsSpan(at, 2), v);
        data[0] = (byte)'B';
        data[1] = (byte)'M';
        U32(2, (uint)data.Length);
        U32(10, headerSize);
        U32(14, 108);
        U32(18, (uint)width);
        U32(22, (uint)height);
        U16(26, 1);
        U16(28, 32);
        U32(30, 3); // BI_BITFIELDS
        U32(34, (uint)(width * height * 4));
        U32(54, 0x00FF0000); // red mask
        U32(58, 0x0000FF00); // green
        U32(62, 0x000000FF); // blue
        U32(66, 0xFF000000); // alpha
        for (var i = 0; i < pixels.Length; i++)
        {
            var at = headerSize + i * 4;
            (data[at], data[at + 1], data[at + 2], data[at + 3]) = (pixels[i].B, pixels[i].G, pixels[i].R, pixels[i].A);
        }
        return data;
    }
}
