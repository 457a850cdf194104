using Apriel.Trainer.Model;
using Apriel.Trainer.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Vision;

public sealed class VisionEncoderTests
{
    public VisionEncoderTests() => torch.set_num_threads(1);

    private static VisionLanguageModel Tiny() => new VisionLanguageModel(ModelPresets.Tiny).Initialize(seed: 4);

    [Fact]
    public void Should_lay_patches_out_row_major_image_after_image()
    {
        using var scope = NewDisposeScope();

        var (rows, columns) = VisionRope.Grid([(2, 3), (1, 2)]);

        Assert.Equal(new long[] { 0, 0, 0, 1, 1, 1, 0, 0 }, rows.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 }, columns.data<long>().ToArray());
    }

    [Fact]
    public void Should_build_the_same_2d_rope_table_as_transformers()
    {
        using var scope = NewDisposeScope();
        const int headDim = 16, maxSide = 8;
        const double theta = 10000;
        // transformers' PixtralRotaryEmbedding, written out: freqs = 1/θ^(arange(0, D, 2)/D); rows take freqs[::2],
        // columns freqs[1::2]; table[h * max_width + w] = cat(h * freqs[::2], w * freqs[1::2]); then cat(table, table).
        var freqs = Enumerable.Range(0, headDim / 2).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / headDim)).ToArray();
        double[] Row(long h, long w)
        {
            var half = freqs.Where((_, i) => i % 2 == 0).Select(f => h * f).Concat(freqs.Where((_, i) => i % 2 == 1).Select(f => w * f)).ToArray();
            return [.. half, .. half];
        }
        var (rows, columns) = VisionRope.Grid([(3, 5)]);

        var (cos, sin) = VisionRope.Tables(rows, columns, headDim, theta, ScalarType.Float32);

        Assert.Equal(new long[] { 1, 15, headDim }, cos.shape);
        for (var p = 0; p < 15; p++)
        {
            var expected = Row(p / 5, p % 5);
            var c = cos[0, p].data<float>().ToArray();
            var s = sin[0, p].data<float>().ToArray();
            for (var d = 0; d < headDim; d++)
            {
                Assert.True(Math.Abs(Math.Cos(expected[d]) - c[d]) < 1e-5, $"cos patch {p} dim {d}");
                Assert.True(Math.Abs(Math.Sin(expected[d]) - s[d]) < 1e-5, $"sin patch {p} dim {d}");
            }
        }
        Assert.True(maxSide * maxSide > 15);
    }

    [Fact]
    public void Should_make_2d_rope_depend_only_on_the_row_and_column_offsets()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        var q = randn(1, 1, 1, 16);
        var k = randn(1, 1, 1, 16);
        float Score(long h1, long w1, long h2, long w2)
        {
            var (cq, sq) = VisionRope.Tables(tensor(new[] { h1 }), tensor(new[] { w1 }), 16, 10000, ScalarType.Float32);
            var (ck, sk) = VisionRope.Tables(tensor(new[] { h2 }), tensor(new[] { w2 }), 16, 10000, ScalarType.Float32);
            return (Rope.Apply(q, cq, sq) * Rope.Apply(k, ck, sk)).sum().item<float>();
        }

        Assert.Equal(Score(1, 2, 3, 5), Score(11, 7, 13, 10), 3);
        Assert.NotEqual(Score(1, 2, 3, 5), Score(1, 2, 5, 3), 3); // rows and columns are told apart
    }

    [Fact]
    public void Should_keep_each_image_to_itself()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        torch.manual_seed(8);
        var first = randn(3, 16, 24);
        var second = randn(3, 32, 8);
        var other = randn(3, 32, 8);
        using var _ = no_grad();

        var alone = model.VisionTower.forward([first]);                 // [6, 32]
        var together = model.VisionTower.forward([first, second]);      // [6 + 4, 32]
        var changed = model.VisionTower.forward([first, other]);

        Assert.Equal(new long[] { 10, 32 }, together.shape);
        Assert.True(allclose(alone, together[..6], rtol: 1e-4, atol: 1e-5));
        Assert.True(allclose(together[..6], changed[..6], rtol: 1e-4, atol: 1e-5));
        Assert.True(allclose(model.VisionTower.forward([second]), together[6..], rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Should_refuse_an_image_the_encoder_cannot_take()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();

        Assert.Contains("multiples of 8 up to 64", Assert.Throws<ArgumentException>(() => model.VisionTower.forward([zeros(3, 12, 8)])).Message);
        Assert.Contains("must be [3, H, W]", Assert.Throws<ArgumentException>(() => model.VisionTower.forward([zeros(1, 8, 8)])).Message);
    }

    [Fact]
    public void Should_put_image_features_at_the_img_positions_in_order()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        torch.manual_seed(3);
        var images = new List<Tensor> { randn(3, 16, 8), randn(3, 8, 16) };       // grids 2 x 1 and 1 x 2
        var layout = ImageTokens.Pixtral;
        long[] ids = [1, 40, .. layout.Layout(2, 1).Select(x => (long)x), 41, .. layout.Layout(1, 2).Select(x => (long)x), 42];
        var input = new VlmInput(tensor(ids, [1, ids.Length]), images);
        using var _ = no_grad();

        var embeddings = model.InputEmbeddings(input)[0];                           // [T, C]
        var features = model.ImageFeatures(images);                                 // [4, C]
        var plain = model.LanguageModel.Embed(tensor(ids, [1, ids.Length]))[0];

        var imagePositions = ids.Select((id, i) => (id, i)).Where(x => x.id == layout.ImageId).Select(x => (long)x.i).ToArray();
        Assert.Equal(new long[] { 2, 4, 7, 8 }, imagePositions);
        for (var n = 0; n < imagePositions.Length; n++)
            Assert.True(allclose(embeddings[imagePositions[n]], features[n]), $"patch {n}");
        foreach (var i in Enumerable.Range(0, ids.Length).Where(i => !imagePositions.Contains(i)))
            Assert.True(allclose(embeddings[i], plain[i]), $"token {i} ({ids[i]}) keeps its embedding");
        Assert.Equal(new long[] { 1, ids.Length, 512 }, model.forward(input).shape);
    }

    [Fact]
    public void Should_refuse_a_mismatch_between_img_tokens_and_patches()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        var ids = tensor(new long[] { 1, 10, 10, 13 }, [1, 4]);

        var e = Assert.Throws<ArgumentException>(() => model.forward(new VlmInput(ids, [zeros(3, 8, 8)])));

        Assert.Equal("2 [IMG] tokens but the 1 image(s) have 1 patches", e.Message);
    }
}
