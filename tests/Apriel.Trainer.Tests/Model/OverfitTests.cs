using Apriel.Trainer.Model;
using Apriel.Trainer.Tokenization;
using Xunit.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Model;

public sealed class OverfitTests
{
    private readonly ITestOutputHelper output;

    public OverfitTests(ITestOutputHelper output)
    {
        this.output = output;
        torch.set_num_threads(1);
    }

    [Fact]
    public void Should_overfit_a_small_batch_and_then_generate_it_greedily()
    {
        var tokenizer = new ByteTokenizer();
        string[] documents = ["the cat sat on the mat.", "a dog ran far away!", "7 + 5 = 12, done", "hello tiny pixtral"];
        var rows = documents.Select(d => new[] { tokenizer.BosId }.Concat(tokenizer.Encode(d)).Append(tokenizer.EosId).ToArray()).ToList();
        var length = rows.Max(r => r.Length);
        var ids = rows.SelectMany(r => r.Concat(Enumerable.Repeat(tokenizer.PadId, length - r.Length))).Select(x => (long)x).ToArray();
        var labels = rows.SelectMany(r => r.Select(x => (long)x).Concat(Enumerable.Repeat(-100L, length - r.Length))).ToArray();

        torch.manual_seed(0);
        using var model = new VisionLanguageModel(ModelPresets.Tiny).Initialize(seed: 0);
        using var optimizer = optim.AdamW(model.parameters(), lr: 5e-3, weight_decay: 0);
        var input = tensor(ids, [rows.Count, length]);
        var target = tensor(labels, [rows.Count, length]);
        // The first character after <s> is one of four, so the loss cannot go below about ln(4) / 20 ≈ 0.07.
        var losses = new List<float>();
        for (var step = 0; step < 300 && (losses.Count == 0 || losses[^1] > 0.1f); step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var logits = model.forward(new VlmInput(input));                                                 // [B, T, V]
            var loss = nn.functional.cross_entropy(
                logits[.., ..^1].reshape(-1, ModelPresets.Tiny.Text.VocabSize), target[.., 1..].reshape(-1)); // next token
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }

        output.WriteLine($"{losses.Count} steps: loss {losses[0]} → {losses[^1]}");
        Assert.True(losses[^1] < losses[0] / 50, $"loss {losses[0]} → {losses[^1]} after {losses.Count} steps");
        foreach (var row in rows)
        {
            var generated = Generation.Greedy(model, row[..4], maxNewTokens: row.Length, stopId: tokenizer.EosId);
            Assert.Equal(row[4..], generated);
        }
    }
}
