using Apriel.Trainer.Evaluation;
using Apriel.Trainer.Model;
using Apriel.Trainer.Tests.Data;
using Apriel.Trainer.Tokenization;

namespace Apriel.Trainer.Tests.Evaluation;

public sealed class EvalSampleTests
{
    private static readonly ByteTokenizer Tokenizer = ByteTokenizer.ForChat();

    private static IReadOnlyList<EvalSample> Read(string file, int? limit = null) =>
        EvalSamples.Read(TestData.Path(file), limit, TestData.Inputs, Evaluator.Renderer(Tokenizer, ModelPresets.Tiny));

    [Fact]
    public void Should_prompt_with_the_conversation_up_to_the_reasoning_when_the_answer_has_reasoning()
    {
        var sample = Read("eval-arithmetic.jsonl", limit: 2)[0];

        var prompt = Tokenizer.Decode(sample.PromptIds);

        Assert.EndsWith($"{sample.Question}\n<|end|>\n<|assistant|>\n{AprielChatTemplate.ReasoningPrefix}", prompt, StringComparison.Ordinal);
        Assert.Matches("^[0-9]+$", sample.Expected);
        Assert.Empty(sample.Images);
    }

    [Fact]
    public void Should_prompt_with_the_image_and_stop_at_the_assistant_header_when_the_answer_has_no_reasoning()
    {
        var samples = Read("eval-counting.jsonl", limit: 5);

        Assert.Equal(5, samples.Count);
        var sample = samples.First(s => s.Images.Count == 2);
        Assert.Equal("[IMG]How many copies of [IMG] are in the image?", sample.Question);
        Assert.Contains(TestData.Renderer().ImageTokens.ImageId, sample.PromptIds);
        Assert.EndsWith(" are in the image?\n<|end|>\n<|assistant|>\n", Tokenizer.Decode(sample.PromptIds), StringComparison.Ordinal);
        Assert.InRange(int.Parse(sample.Expected, System.Globalization.CultureInfo.InvariantCulture), 0, 3);
    }

    [Fact]
    public void Should_refuse_a_record_that_does_not_end_with_the_expected_answer()
    {
        using var dir = new TempDir();
        var file = dir.File("bad.jsonl");
        File.WriteAllLines(file, [
            """{"messages": [{"role": "user", "content": "1 + 1?"}, {"role": "assistant", "content": "2"}]}""",
            """{"messages": [{"role": "user", "content": "2 + 2?"}]}""",
        ]);

        var error = Assert.Throws<InvalidDataException>(() => EvalSamples.Read(file, null, TestData.Inputs, Evaluator.Renderer(Tokenizer, ModelPresets.Tiny)));

        Assert.Contains("bad.jsonl:2", error.Message, StringComparison.Ordinal);
        Assert.Contains("the last message must be the assistant's", error.Message, StringComparison.Ordinal);
    }
}
