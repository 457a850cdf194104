using Apriel.Trainer.Tokenization;
using Apriel.Trainer.Vision;

namespace Apriel.Trainer.Tests.Tokenization;

public sealed class ChatTemplateTests
{
    private static readonly ByteTokenizer Tokenizer = new();
    private static readonly AprielChatTemplate Template = new(Tokenizer, ImageTokens.Pixtral);

    private static readonly ChatMessage[] Conversation =
    [
        ChatMessage.System("Be brief."),
        ChatMessage.User("What is 2+2?"),
        ChatMessage.Assistant("4", reasoning: "2+2 is 4."),
        ChatMessage.User("And 3+3?"),
        ChatMessage.Assistant("6", reasoning: "3+3=6."),
    ];

    [Fact]
    public void Should_render_the_apriel_format_and_drop_reasoning_from_earlier_turns()
    {
        var encoding = Template.Encode(Conversation);

        Assert.Equal(
            "<s><|system|>\n" + AprielChatTemplate.DefaultSystemPrompt + "Be brief.\n<|end|>\n" +
            "<|user|>\nWhat is 2+2?\n<|end|>\n" +
            "<|assistant|>\n4\n<|end|>\n</s>" +
            "<|user|>\nAnd 3+3?\n<|end|>\n" +
            "<|assistant|>\nHere are my reasoning steps:\n3+3=6.\n[BEGIN FINAL RESPONSE]\n6\n[END FINAL RESPONSE]\n<|end|>\n</s>",
            encoding.Text);
        Assert.Equal(encoding.Text, Tokenizer.Decode(encoding.Ids));
        Assert.Equal(1, encoding.Ids[0]);
        Assert.Equal(2, encoding.Ids[^1]);
        Assert.DoesNotContain("2+2 is 4.", encoding.Text);
    }

    [Fact]
    public void Should_report_the_exact_token_spans_of_the_responses()
    {
        var encoding = Template.Encode(Conversation);

        Assert.Equal(2, encoding.Responses.Count);
        var (history, final) = (encoding.Responses[0], encoding.Responses[1]);
        Assert.False(history.Final);
        Assert.True(final.Final);
        Assert.Equal("4\n<|end|>\n</s>", Tokenizer.Decode(encoding.Ids[history.Start..history.End]));
        Assert.Equal("3+3=6.\n[BEGIN FINAL RESPONSE]\n6\n[END FINAL RESPONSE]\n<|end|>\n</s>", Tokenizer.Decode(encoding.Ids[final.Start..final.End]));
        Assert.EndsWith("<|assistant|>\nHere are my reasoning steps:\n", Tokenizer.Decode(encoding.Ids[..final.Start]));
        Assert.Equal(encoding.Ids.Length, final.End);

        var mask = encoding.ResponseMask();
        Assert.Equal(final.Length, mask.Count(x => x));
        Assert.True(mask[final.Start] && !mask[final.Start - 1]);
        Assert.Equal(final.Length + history.Length, encoding.ResponseMask(finalOnly: false).Count(x => x));
    }

    [Fact]
    public void Should_use_the_default_system_prompt_alone_without_a_system_message()
    {
        var encoding = Template.Encode([ChatMessage.User("Hi")], addGenerationPrompt: true);

        Assert.Equal("<s><|system|>\n" + AprielChatTemplate.DefaultSystemPrompt + "\n<|end|>\n<|user|>\nHi\n<|end|>\n<|assistant|>\nHere are my reasoning steps:\n", encoding.Text);
        Assert.Empty(encoding.Responses);
    }

    [Fact]
    public void Should_expand_each_image_into_its_token_layout()
    {
        var encoding = Template.Encode([ChatMessage.User(new TextPart("Look: "), new ImagePart(2, 3), new TextPart(" ok?"))]);

        var at = Array.IndexOf(encoding.Ids, 10);
        Assert.Equal([10, 10, 10, 12, 10, 10, 10, 13], encoding.Ids[at..(at + 8)]);
        Assert.Contains("Look: [IMG][IMG][IMG][IMG_BREAK][IMG][IMG][IMG][IMG_END] ok?", encoding.Text);
        Assert.Equal(encoding.Text, Tokenizer.Decode(encoding.Ids));
    }

    [Fact]
    public void Should_extract_the_final_answer()
    {
        Assert.Equal("6", AprielChatTemplate.FinalAnswer("3+3=6.\n[BEGIN FINAL RESPONSE]\n6\n[END FINAL RESPONSE]\n<|end|>"));
        Assert.Equal("plain", AprielChatTemplate.FinalAnswer(" plain "));
    }
}
