using Apriel.Trainer.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Model;

public sealed class DecoderTests
{
    public DecoderTests() => torch.set_num_threads(1);

    private static VisionLanguageModel Tiny(ModelConfig? config = null) => new VisionLanguageModel(config ?? ModelPresets.Tiny).Initialize(seed: 3);

    private static Tensor Ids(params long[] ids) => tensor(ids, [1, ids.Length]);

    private static Tensor Logits(VisionLanguageModel model, Tensor ids, Tensor? documentIds = null)
    {
        using var _ = no_grad();
        return model.forward(new VlmInput(ids, DocumentIds: documentIds));
    }

    [Fact]
    public void Should_have_exactly_the_checkpoint_tensors_of_its_config()
    {
        foreach (var config in new[] { ModelPresets.Tiny, ModelPresets.Tiny with { Text = ModelPresets.Tiny.Text with { TieWordEmbeddings = true } } })
        {
            using var model = new VisionLanguageModel(config);

            var actual = model.state_dict().Select(kv => (kv.Key, string.Join(",", kv.Value.shape))).Order().ToList();
            var expected = TensorTable.For(config).Select(x => (x.Name, string.Join(",", x.Shape))).Order().ToList();

            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Should_leave_no_tensor_alive_after_a_forward_and_backward_in_a_dispose_scope()
    {
        using var model = Tiny();
        long Live() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        void Step()
        {
            using var scope = NewDisposeScope();
            var logits = model.forward(new VlmInput(Ids(1, 40, 41, 42), [randn(3, 8, 16)]) with { InputIds = Ids(1, 10, 10, 13, 40) });
            logits.sum().backward();
        }
        Step(); // the first step creates the gradients, which live with the parameters
        var before = Live();

        Step();
        Step();

        Assert.Equal(before, Live());
    }

    [Fact]
    public void Should_not_let_a_position_see_later_tokens()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        var a = Ids(1, 40, 41, 42, 43, 44, 45, 46);
        var b = Ids(1, 40, 41, 42, 99, 98, 97, 96);

        var la = Logits(model, a);
        var lb = Logits(model, b);

        Assert.True(allclose(la[.., ..4], lb[.., ..4], rtol: 0, atol: 1e-6));
        Assert.False(allclose(la[.., 4..], lb[.., 4..], rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void Should_give_packed_documents_the_logits_they_have_alone()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        long[] first = [1, 50, 51, 52, 53], second = [1, 60, 61, 62, 63, 64, 65], third = [1, 70, 71];
        var packed = Ids([.. first, .. second, .. third]);
        var documents = tensor(Enumerable.Repeat(0L, first.Length).Concat(Enumerable.Repeat(1L, second.Length)).Concat(Enumerable.Repeat(2L, third.Length)).ToArray(), [1, packed.shape[1]]);

        var together = Logits(model, packed, documents);
        var alone = cat([Logits(model, Ids(first)), Logits(model, Ids(second)), Logits(model, Ids(third))], 1);

        Assert.True(allclose(together, alone, rtol: 1e-4, atol: 1e-5), $"max diff {(together - alone).abs().max().item<float>()}");
        // Without the document ids the second document would see the first one.
        Assert.False(allclose(Logits(model, packed)[.., first.Length..], alone[.., first.Length..], rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void Should_restart_positions_at_each_document()
    {
        using var scope = NewDisposeScope();
        var documents = tensor(new long[] { 0, 0, 0, 1, 1, 2, 2, 2, 2, 7, 7, 7 }, [2, 6]);

        var positions = PackedSequences.Positions(documents);

        Assert.Equal(new long[] { 0, 1, 2, 0, 1, 0, 0, 1, 2, 0, 1, 2 }, positions.data<long>().ToArray());
    }

    [Fact]
    public void Should_make_grouped_query_attention_equal_multi_head_attention_with_repeated_key_value_weights()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(5);
        const int hidden = 32, heads = 4, kvHeads = 2, headDim = 8;
        using var gqa = new Attention(hidden, heads, kvHeads, headDim);
        using var mha = new Attention(hidden, heads, heads, headDim);
        using (no_grad())
        {
            var g = gqa.state_dict();
            var m = mha.state_dict();
            m["q_proj.weight"].copy_(g["q_proj.weight"]);
            m["o_proj.weight"].copy_(g["o_proj.weight"]);
            foreach (var name in new[] { "k_proj.weight", "v_proj.weight" })
                m[name].copy_(g[name].view(kvHeads, headDim, hidden).repeat_interleave(heads / kvHeads, dim: 0).reshape(heads * headDim, hidden));
        }
        var x = randn(2, 6, hidden);
        var (cos, sin) = Rope.Tables(arange(6).expand(2, 6), Rope.InverseFrequencies(headDim, 10000), ScalarType.Float32);
        var context = new AttentionContext(cos, sin, null, Causal: true);

        using var _ = no_grad();
        Assert.True(allclose(gqa.forward(x, context), mha.forward(x, context), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Should_make_rotary_attention_depend_only_on_relative_positions()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(6);
        const int headDim = 16;
        var f = Rope.InverseFrequencies(headDim, 10000);
        var q = randn(1, 1, 1, headDim);
        var k = randn(1, 1, 1, headDim);
        float Score(long m, long n)
        {
            var (cm, sm) = Rope.Tables(tensor(new[] { m }, [1, 1]), f, ScalarType.Float32);
            var (cn, sn) = Rope.Tables(tensor(new[] { n }, [1, 1]), f, ScalarType.Float32);
            return (Rope.Apply(q, cm, sm) * Rope.Apply(k, cn, sn)).sum().item<float>();
        }

        Assert.Equal(Score(7, 3), Score(107, 103), 3);
        Assert.Equal(Score(0, 0), Score(50, 50), 3);
        Assert.NotEqual(Score(7, 3), Score(7, 5), 3);

        // A whole attention layer gives the same output when every position is shifted by the same amount.
        using var attention = new Attention(32, 4, 2, 8);
        var x = randn(1, 5, 32);
        var f8 = Rope.InverseFrequencies(8, 10000);
        var (c0, s0) = Rope.Tables(arange(5).unsqueeze(0), f8, ScalarType.Float32);
        var (c1, s1) = Rope.Tables((arange(5) + 1000).unsqueeze(0), f8, ScalarType.Float32);
        using var _ = no_grad();
        Assert.True(allclose(attention.forward(x, new AttentionContext(c0, s0, null, true)), attention.forward(x, new AttentionContext(c1, s1, null, true)), rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Should_rotate_half_the_hugging_face_way()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3, 4 }, [1, 1, 1, 4]);

        Assert.Equal(new float[] { -3, -4, 1, 2 }, Rope.RotateHalf(x).data<float>().ToArray());
        // Position 1 rotates pair (x[0], x[2]) by f0 = 1 rad and pair (x[1], x[3]) by f1 = θ^(-1/2).
        var (cos, sin) = Rope.Tables(tensor(new long[] { 1 }, [1, 1]), Rope.InverseFrequencies(4, 100), ScalarType.Float32);
        var y = Rope.Apply(x, cos, sin).data<float>().ToArray();
        Assert.Equal(1 * Math.Cos(1) - 3 * Math.Sin(1), y[0], 5);
        Assert.Equal(3 * Math.Cos(1) + 1 * Math.Sin(1), y[2], 5);
        Assert.Equal(2 * Math.Cos(0.1) - 4 * Math.Sin(0.1), y[1], 5);
    }

    [Fact]
    public void Should_compute_rms_norm_in_float32()
    {
        using var scope = NewDisposeScope();
        using var norm = new RmsNorm(4, 1e-5);
        var x = tensor(new float[] { 1, 2, 3, 4 });

        var y = norm.forward(x).data<float>().ToArray();
        var rms = Math.Sqrt((1 + 4 + 9 + 16) / 4.0 + 1e-5);
        Assert.Equal(1 / rms, y[0], 5);
        Assert.Equal(4 / rms, y[3], 5);
    }

    [Fact]
    public void Should_reuse_the_embeddings_as_output_projection_when_tied()
    {
        using var scope = NewDisposeScope();
        var config = ModelPresets.Tiny with { Text = ModelPresets.Tiny.Text with { TieWordEmbeddings = true } };
        using var model = Tiny(config);

        var logits = Logits(model, Ids(1, 2, 3));

        Assert.Equal(new long[] { 1, 3, config.Text.VocabSize }, logits.shape);
    }

    [Fact]
    public void Should_refuse_token_ids_outside_the_vocabulary_before_any_native_call()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();

        var e = Assert.Throws<ArgumentException>(() => Logits(model, Ids(1, 600)));
        Assert.Contains("[0, 512)", e.Message);
    }
}
