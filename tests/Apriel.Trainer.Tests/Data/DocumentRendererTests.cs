using System.Text.Json;
using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Data;
using Apriel.Trainer.Tokenization;

namespace Apriel.Trainer.Tests.Data;

public sealed class DocumentRendererTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public void Should_render_a_text_record_between_bos_and_eos_with_loss_on_every_token()
    {
        var renderer = TestData.Renderer();

        var doc = renderer.Record(Json("""{"text": "two shapes"}"""), DataFormat.Text, _ => throw new InvalidOperationException());

        Assert.Equal(renderer.Tokenizer.BosId, doc.Ids[0]);
        Assert.Equal(renderer.Tokenizer.EosId, doc.Ids[^1]);
        Assert.Equal("two shapes", renderer.Tokenizer.Decode(doc.Ids, skipSpecialTokens: true));
        Assert.All(doc.Loss, Assert.True);
    }

    [Fact]
    public void Should_put_loss_only_on_the_final_response_of_a_chat_when_asked_for_responses()
    {
        var record = Json("""{"messages": [{"role": "user", "content": "What is 2 + 3?"}, {"role": "assistant", "reasoning": "2 + 3 = 5.", "content": "5"}]}""");
        var responses = TestData.Renderer(LossTokens.Responses).Record(record, DataFormat.Chat, _ => throw new InvalidOperationException());
        var all = TestData.Renderer(LossTokens.All).Record(record, DataFormat.Chat, _ => throw new InvalidOperationException());
        var tokenizer = ByteTokenizer.ForChat();

        var trained = tokenizer.Decode(responses.Ids.Where((_, i) => responses.Loss[i]));
        Assert.Equal("2 + 3 = 5.\n[BEGIN FINAL RESPONSE]\n5\n[END FINAL RESPONSE]\n<|end|>\n</s>", trained);
        Assert.Equal(responses.Ids, all.Ids);
        Assert.All(all.Loss, Assert.True);
        Assert.DoesNotContain("What is", trained);
    }

    [Fact]
    public void Should_lay_out_image_tokens_without_loss_and_keep_loss_on_the_caption()
    {
        var renderer = TestData.Renderer(LossTokens.All);
        var record = Json("""{"images": ["shapes/shape-0000.png"], "text": "a caption"}""");

        var doc = renderer.Record(record, DataFormat.ImageText, path => ImageFiles.Reference(TestData.Path(path), TestData.Preprocessor));

        var image = Assert.Single(doc.Images);
        Assert.Equal((8, 8), (image.Rows, image.Columns));
        var imageTokens = doc.Ids.Select((id, i) => (id, i)).Where(x => x.id is 10 or 12 or 13).ToList();
        Assert.Equal(9 * 8, imageTokens.Count);
        Assert.Equal(64, doc.Ids.Count(id => id == 10));
        Assert.All(imageTokens, x => Assert.False(doc.Loss[x.i]));
        Assert.Equal(doc.Length - imageTokens.Count, doc.LossTokens);
        Assert.Equal(10, doc.Ids[1]); // images first when the text has no [IMG] placeholder
    }

    [Fact]
    public void Should_place_images_at_the_placeholders_of_user_messages()
    {
        var renderer = TestData.Renderer(LossTokens.Responses);
        var record = Json("""{"images": ["shapes/shape-0000.png", "shapes/shape-0001.png"], "messages": [{"role": "user", "content": "Compare [IMG] with [IMG]."}, {"role": "assistant", "content": "same"}]}""");

        var doc = renderer.Record(record, DataFormat.ImageText, path => ImageFiles.Reference(TestData.Path(path), TestData.Preprocessor));

        Assert.Equal(2, doc.Images.Count);
        Assert.Equal(2, doc.Ids.Count(id => id == 13));
        var text = renderer.Tokenizer.Decode(doc.Ids);
        Assert.Contains("Compare [IMG]", text, StringComparison.Ordinal);
        Assert.Contains("[IMG_END] with [IMG]", text, StringComparison.Ordinal);
        Assert.Equal("same\n<|end|>\n</s>", renderer.Tokenizer.Decode(doc.Ids.Where((_, i) => doc.Loss[i])));
    }

    [Fact]
    public void Should_read_an_image_placeholder_in_a_plain_text_as_text()
    {
        var renderer = TestData.Renderer();

        var doc = renderer.Record(Json("""{"text": "Pixtral marks images with [IMG]."}"""), DataFormat.Text, _ => throw new InvalidOperationException());

        Assert.DoesNotContain(10, doc.Ids);
        Assert.All(doc.Loss, Assert.True);
    }

    [Fact]
    public void Should_refuse_a_record_whose_placeholders_do_not_match_its_images()
    {
        var renderer = TestData.Renderer();
        var record = Json("""{"images": ["shapes/shape-0000.png"], "text": "[IMG] and [IMG]"}""");

        var e = Assert.Throws<InvalidDataException>(() =>
            renderer.Record(record, DataFormat.ImageText, path => ImageFiles.Reference(TestData.Path(path), TestData.Preprocessor)));
        Assert.Contains("2 [IMG] placeholders but 1 images", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_make_the_template_cheap_with_the_tiny_vocabulary_yet_render_the_same_text()
    {
        var messages = new[] { ChatMessage.User("What is 2 + 3?"), ChatMessage.Assistant("5", "2 + 3 = 5.") };
        var images = Trainer.Vision.ImageTokens.Pixtral;
        var bytes = new AprielChatTemplate(new ByteTokenizer(), images).Encode(messages);
        var words = new AprielChatTemplate(ByteTokenizer.ForChat(), images).Encode(messages);

        Assert.Equal(bytes.Text, words.Text);
        Assert.Equal(bytes.Text, ByteTokenizer.ForChat().Decode(words.Ids));
        Assert.True(words.Ids.Length < 60, $"{words.Ids.Length} tokens");
        Assert.True(bytes.Ids.Length > 400, $"{bytes.Ids.Length} tokens");
    }
}
