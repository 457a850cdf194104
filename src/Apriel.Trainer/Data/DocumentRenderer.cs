using System.Text.Json;
using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Tokenization;
using Apriel.Trainer.Vision;

namespace Apriel.Trainer.Data;

/// <summary>
/// Turns records into <see cref="Document"/>s. Record layouts (JSONL, one object per line; other fields are ignored):
/// <list type="bullet">
/// <item><c>Text</c>: <c>{"text": "..."}</c> → <c>&lt;s&gt;text&lt;/s&gt;</c>.</item>
/// <item><c>Chat</c>: <c>{"messages": [{"role": "system|user|assistant|tool", "content": "...", "reasoning": "..."}]}</c>,
/// rendered with the Apriel chat template.</item>
/// <item><c>ImageText</c>: <c>{"images": ["a.png"], "text": "..."}</c> or <c>{"images": [...], "messages": [...]}</c>; each
/// <c>[IMG]</c> spelled in the text (or in user messages) marks where the next image goes; without any, all images come first
/// (before the text, or at the start of the first user message).</item>
/// </list>
/// Loss (<see cref="LossTokens"/>): <c>All</c> puts it on every token but image tokens; <c>Responses</c> puts it on the final
/// assistant response of a conversation (answer, closing marker and EOS; not the prompt, not earlier turns) and keeps every
/// text token of a plain text. Image tokens (<c>[IMG]</c>, <c>[IMG_BREAK]</c>, <c>[IMG_END]</c>) never carry loss.
/// </summary>
public sealed class DocumentRenderer(ITokenizer tokenizer, ImagePreprocessor preprocessor, ImageTokens imageTokens, LossTokens loss)
{
    public const string ImagePlaceholder = "[IMG]";

    private readonly AprielChatTemplate template = new(tokenizer, imageTokens);

    public ITokenizer Tokenizer => tokenizer;

    public ImagePreprocessor Preprocessor => preprocessor;

    public ImageTokens ImageTokens => imageTokens;

    /// <summary>A plain text with images at its placeholders (or first): <c>&lt;s&gt;…&lt;/s&gt;</c>.</summary>
    public Document Text(string text, IReadOnlyList<DocumentImage>? images = null)
    {
        images ??= [];
        var ids = new List<int> { tokenizer.BosId };
        // Without images, "[IMG]" in a text is just text.
        foreach (var part in images.Count == 0 ? [new TextPart(text)] : Interleave(text, images))
        {
            if (part is ImagePart image) ids.AddRange(imageTokens.Layout(image.Rows, image.Columns));
            else ids.AddRange(tokenizer.Encode(((TextPart)part).Text));
        }
        ids.Add(tokenizer.EosId);
        var array = ids.ToArray();
        return new Document(array, array.Select(id => !IsImageToken(id)).ToArray(), images);
    }

    /// <summary>A conversation; <paramref name="images"/> fill the user messages' image parts in order.</summary>
    public Document Chat(IReadOnlyList<ChatMessage> messages, IReadOnlyList<DocumentImage>? images = null)
    {
        var encoding = template.Encode(messages);
        var mask = loss == LossTokens.Responses ? encoding.ResponseMask(finalOnly: true) : Enumerable.Repeat(true, encoding.Ids.Length).ToArray();
        for (var i = 0; i < mask.Length; i++) mask[i] &= !IsImageToken(encoding.Ids[i]);
        return new Document(encoding.Ids, mask, images ?? []);
    }

    /// <summary>A one-turn instruction–response conversation; the prompt's placeholders take <paramref name="images"/>.</summary>
    public Document Instruction(string prompt, string answer, IReadOnlyList<DocumentImage> images) =>
        Chat([new ChatMessage(ChatRole.User, Parts: Interleave(prompt, images)), ChatMessage.Assistant(answer)], images);

    /// <summary>One JSONL record of a source in <paramref name="format"/>; <paramref name="image"/> resolves an image reference.</summary>
    public Document Record(JsonElement record, DataFormat format, Func<string, DocumentImage> image)
    {
        if (record.ValueKind != JsonValueKind.Object) throw new InvalidDataException("a record must be a JSON object");
        switch (format)
        {
            case DataFormat.Text:
                return Text(RequiredString(record, "text"));
            case DataFormat.Chat:
                return ChatRecord(record, []);
            case DataFormat.ImageText:
                var images = record.TryGetProperty("images", out var list) && list.ValueKind == JsonValueKind.Array
                    ? list.EnumerateArray().Select(x => image(x.GetString() ?? throw new InvalidDataException("images[] must be strings"))).ToList()
                    : throw new InvalidDataException("an ImageText record needs an \"images\" array");
                return record.TryGetProperty("messages", out _) ? ChatRecord(record, images) : Text(RequiredString(record, "text"), images);
            default:
                throw new ArgumentException($"records of format {format} are not read from JSONL", nameof(format));
        }
    }

    private Document ChatRecord(JsonElement record, IReadOnlyList<DocumentImage> images)
    {
        if (!record.TryGetProperty("messages", out var list) || list.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException("a chat record needs a \"messages\" array");
        var messages = new List<ChatMessage>();
        var pending = images.ToList();
        var placeholders = list.EnumerateArray().Where(m => Role(m) == ChatRole.User)
            .Sum(m => CountPlaceholders(RequiredString(m, "content")));
        if (placeholders != 0 && placeholders != images.Count)
            throw new InvalidDataException($"{placeholders} {ImagePlaceholder} placeholders in user messages but {images.Count} images");
        foreach (var m in list.EnumerateArray())
        {
            var role = Role(m);
            var content = RequiredString(m, "content");
            if (role == ChatRole.User && images.Count > 0 && (placeholders > 0 || pending.Count == images.Count))
            {
                var taken = placeholders > 0 ? CountPlaceholders(content) : images.Count;
                var parts = Interleave(content, pending.Take(taken).ToList());
                pending.RemoveRange(0, taken);
                messages.Add(new ChatMessage(role, Parts: parts));
                continue;
            }
            var reasoning = m.TryGetProperty("reasoning", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            messages.Add(new ChatMessage(role, content, reasoning));
        }
        return Chat(messages, images);
    }

    /// <summary>Text and image parts: the images at the placeholders, or all first when there are none.</summary>
    private static List<ChatPart> Interleave(string text, IReadOnlyList<DocumentImage> images)
    {
        var placeholders = CountPlaceholders(text);
        var parts = new List<ChatPart>();
        if (placeholders == 0)
        {
            parts.AddRange(images.Select(i => (ChatPart)new ImagePart(i.Rows, i.Columns)));
            if (text.Length > 0) parts.Add(new TextPart(text));
            return parts;
        }
        if (placeholders != images.Count) throw new InvalidDataException($"{placeholders} {ImagePlaceholder} placeholders but {images.Count} images");
        var pieces = text.Split(ImagePlaceholder);
        for (var i = 0; i < pieces.Length; i++)
        {
            if (pieces[i].Length > 0) parts.Add(new TextPart(pieces[i]));
            if (i < images.Count) parts.Add(new ImagePart(images[i].Rows, images[i].Columns));
        }
        return parts;
    }

    private static int CountPlaceholders(string text)
    {
        var count = 0;
        for (var at = text.IndexOf(ImagePlaceholder, StringComparison.Ordinal); at >= 0; at = text.IndexOf(ImagePlaceholder, at + 1, StringComparison.Ordinal)) count++;
        return count;
    }

    private bool IsImageToken(int id) => id == imageTokens.ImageId || id == imageTokens.BreakId || id == imageTokens.EndId;

    private static ChatRole Role(JsonElement message) => RequiredString(message, "role") switch
    {
        "system" => ChatRole.System,
        "user" => ChatRole.User,
        "assistant" => ChatRole.Assistant,
        "tool" => ChatRole.Tool,
        var other => throw new InvalidDataException($"unknown role \"{other}\" (system, user, assistant or tool)"),
    };

    private static string RequiredString(JsonElement record, string field) =>
        record.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InvalidDataException($"the record needs a string \"{field}\"");
}
