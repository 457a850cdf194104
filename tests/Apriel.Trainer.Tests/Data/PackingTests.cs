using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Data;
using Apriel.Trainer.Model;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Data;

public sealed class PackingTests
{
    /// <summary>A source of fixed documents (draw d → documents[d % n]).</summary>
    private sealed class FixedSource(params Document[] documents) : IDocumentSource
    {
        public string Name => "fixed";

        public int Count => documents.Length;

        public Document Get(long draw) => documents[draw % documents.Length];
    }

    private static Document Doc(int length, int first, bool withImage = false) =>
        new(Enumerable.Range(first, length).ToArray(), Enumerable.Repeat(true, length).ToArray(),
            withImage ? [new DocumentImage(1, 1, () => throw new InvalidOperationException())] : []);

    private static Packer PackerOf(int length, bool packing, params Document[] docs) =>
        new(new DocumentStream([new FixedSource(docs)], [1.0]), length, packing, padId: 11);

    [Fact]
    public void Should_pack_whole_documents_and_pad_the_rest_of_the_row()
    {
        var packer = PackerOf(10, packing: true, Doc(4, 100), Doc(5, 200), Doc(3, 300));

        var first = packer.Next();
        var second = packer.Next();

        Assert.Equal([100, 101, 102, 103, 200, 201, 202, 203, 204, 11], first.Ids);
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1, 1, 2], first.DocumentIds);
        Assert.False(first.Loss[9]);
        Assert.Equal([300, 301, 302, 100, 101, 102, 103, 11, 11, 11], second.Ids);
        Assert.Equal([0, 0, 0, 1, 1, 1, 1, 2, 2, 2], second.DocumentIds);
    }

    [Fact]
    public void Should_never_predict_across_a_document_boundary()
    {
        var row = PackerOf(10, packing: true, Doc(4, 100), Doc(5, 200)).Next();

        var labels = row.Labels();

        Assert.Equal([101, 102, 103, -100, 201, 202, 203, 204, -100, -100], labels);
    }

    [Fact]
    public void Should_restart_positions_and_isolate_attention_per_document()
    {
        var row = PackerOf(10, packing: true, Doc(4, 100), Doc(5, 200)).Next();
        using var documents = tensor(row.DocumentIds.Select(x => (long)x).ToArray(), [1, 10]);

        var positions = PackedSequences.Positions(documents)[0].data<long>().ToArray();
        var mask = PackedSequences.CausalMask(documents);

        Assert.Equal([0L, 1, 2, 3, 0, 1, 2, 3, 4, 0], positions);
        Assert.False(mask[0, 0, 4, 3].item<bool>());
        Assert.True(mask[0, 0, 5, 4].item<bool>());
    }

    [Fact]
    public void Should_cut_a_long_text_into_row_sized_pieces_but_skip_a_long_document_with_images()
    {
        var packer = PackerOf(4, packing: true, Doc(10, 0), Doc(6, 50, withImage: true), Doc(2, 90));

        var rows = Enumerable.Range(0, 4).Select(_ => packer.Next()).ToList();

        Assert.Equal([0, 1, 2, 3], rows[0].Ids);
        Assert.Equal([4, 5, 6, 7], rows[1].Ids);
        Assert.Equal([8, 9, 90, 91], rows[2].Ids);
        Assert.Equal([0, 0, 1, 1], rows[2].DocumentIds);
        Assert.Equal(1, packer.Skipped);
    }

    [Fact]
    public void Should_give_each_document_its_own_row_without_packing()
    {
        var packer = PackerOf(6, packing: false, Doc(2, 0), Doc(3, 10));

        Assert.Equal([0, 1, 11, 11, 11, 11], packer.Next().Ids);
        Assert.Equal([10, 11, 12, 11, 11, 11], packer.Next().Ids);
    }

    [Fact]
    public void Should_continue_from_a_saved_position_with_the_same_rows()
    {
        var spec = new DataSpec
        {
            SequenceLength = 64, // short rows: text documents are cut into pieces, so positions fall inside documents too
            Sources = [TestData.Source("text", "text.jsonl", DataFormat.Text), TestData.Source("chat", "reasoning-chat.jsonl", DataFormat.Chat, 2)],
        };
        var straight = new DataPipeline(spec, TestData.Inputs, TestData.Renderer(), seed: 5);
        var expected = Enumerable.Range(0, 12).Select(_ => straight.NextRows(3)).ToList();

        var resumed = new DataPipeline(spec, TestData.Inputs, TestData.Renderer(), seed: 5);
        var positions = new List<DataPosition>();
        for (var i = 0; i < 12; i++)
        {
            resumed.NextRows(3);
            positions.Add(resumed.Position);
        }

        Assert.Contains(positions, p => p.Piece > 0);
        foreach (var at in new[] { 0, 4, 7, 10 })
        {
            var fresh = new DataPipeline(spec, TestData.Inputs, TestData.Renderer(), seed: 5, positions[at]);
            for (var i = at + 1; i < 12; i++)
            {
                var rows = fresh.NextRows(3);
                Assert.Equal(expected[i].Select(r => r.Ids), rows.Select(r => r.Ids));
                Assert.Equal(expected[i].Select(r => r.Loss), rows.Select(r => r.Loss));
            }
        }
    }

    [Fact]
    public void Should_build_batch_tensors_with_ignored_labels_where_there_is_no_loss()
    {
        using var scope = NewDisposeScope();
        var spec = new DataSpec { SequenceLength = 256, Loss = LossTokens.All, Sources = [TestData.Source("captions", "captions.jsonl", DataFormat.ImageText)] };
        var rows = new DataPipeline(spec, TestData.Inputs, TestData.Renderer(), seed: 1).NextRows(2);

        var batch = Batch.From(rows, TestData.Preprocessor);

        Assert.Equal([2L, 256], batch.Input.InputIds.shape);
        Assert.Equal(rows.Sum(r => r.Images.Count), batch.Input.Images!.Count);
        var labels = batch.Labels.data<long>().ToArray();
        var ids = batch.Input.InputIds.data<long>().ToArray();
        Assert.DoesNotContain(labels, l => l is 10 or 12 or 13);
        Assert.Equal(labels.Count(l => l != -100), batch.LossTokens);
        Assert.Contains(ids, id => id == 10);
    }
}
