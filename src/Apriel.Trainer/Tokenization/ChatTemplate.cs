using System.Text;
using Apriel.Trainer.Vision;

namespace Apriel.Trainer.Tokenization;

public enum ChatRole
{
    System,
    User,
    Assistant,
    Tool,
}

/// <summary>A piece of a user message: text, or an image given by its patch grid (rows x columns).</summary>
public abstract record ChatPart;

public sealed record TextPart(string Text) : ChatPart;

public sealed record ImagePart(int Rows, int Columns) : ChatPart;

/// <summary>
/// One message. An assistant message has its final answer in <see cref="Content"/> and, optionally, the reasoning that
/// led to it in <see cref="Reasoning"/>. A user message may instead carry <see cref="Parts"/> (text and images).
/// </summary>
public sealed record ChatMessage(ChatRole Role, string Content = "", string? Reasoning = null, IReadOnlyList<ChatPart>? Parts = null)
{
    public static ChatMessage System(string content) => new(ChatRole.System, content);

    public static ChatMessage User(string content) => new(ChatRole.User, content);

    public static ChatMessage User(params ChatPart[] parts) => new(ChatRole.User, Parts: parts);

    public static ChatMessage Assistant(string answer, string? reasoning = null) => new(ChatRole.Assistant, answer, reasoning);

    public static ChatMessage Tool(string content) => new(ChatRole.Tool, content);
}

/// <summary>Tokens [Start, End) of one assistant response; <see cref="Final"/> for the conversation's last assistant turn.</summary>
public sealed record TokenSpan(int Start, int End, bool Final)
{
    public int Length => End - Start;
}

/// <summary>A rendered conversation: its token ids, its text, and where the assistant's responses are.</summary>
public sealed record ChatEncoding(int[] Ids, string Text, IReadOnlyList<TokenSpan> Responses)
{
    /// <summary>Per token: true where the loss applies (response tokens; only the final response's when <paramref name="finalOnly"/>).</summary>
    public bool[] ResponseMask(bool finalOnly = true)
    {
        var mask = new bool[Ids.Length];
        foreach (var span in Responses.Where(s => s.Final || !finalOnly))
        {
            for (var i = span.Start; i < span.End; i++) mask[i] = true;
        }
        return mask;
    }
}

/// <summary>
/// The Apriel-1.5 chat format (apriel-recipe.md §C; the Unsloth-fixed template in llama.cpp and the model card):
/// <code>
/// &lt;s&gt;&lt;|system|&gt;\n{default system prompt}{system text}\n&lt;|end|&gt;\n
/// &lt;|user|&gt;\n{text, one image's tokens per image}\n&lt;|end|&gt;\n
/// &lt;|assistant|&gt;\n{earlier answer only}\n&lt;|end|&gt;\n&lt;/s&gt;
/// &lt;|user|&gt;\n…\n&lt;|end|&gt;\n
/// &lt;|assistant|&gt;\nHere are my reasoning steps:\n{reasoning}\n[BEGIN FINAL RESPONSE]\n{answer}\n[END FINAL RESPONSE]\n&lt;|end|&gt;\n&lt;/s&gt;
/// </code>
/// The role markers are ordinary text; BOS, EOS and the image tokens are single control ids. The last assistant turn
/// keeps its reasoning; earlier ones keep only the final answer (the model card's rule). "Here are my reasoning
/// steps:\n" is part of the prompt (the template adds it before generation), so a response span starts after it and
/// ends after the closing EOS, which the model must learn to emit. Our choices where the sources are silent: one
/// newline between the reasoning, the markers and the answer; history answers without the markers.
/// </summary>
public sealed class AprielChatTemplate(ITokenizer tokenizer, ImageTokens imageTokens)
{
    public const string DefaultSystemPrompt =
        "You are a thoughtful and systematic AI assistant built by ServiceNow Language Models (SLAM) lab. Before providing an answer, " +
        "analyze the problem carefully and present your reasoning step by step. After explaining your thought process, provide the final " +
        "solution in the following format: [BEGIN FINAL RESPONSE] ... [END FINAL RESPONSE].";

    public const string ReasoningPrefix = "Here are my reasoning steps:\n";
    public const string BeginFinal = "[BEGIN FINAL RESPONSE]";
    public const string EndFinal = "[END FINAL RESPONSE]";
    private const string End = "\n<|end|>\n";

    /// <summary>The strings every rendering repeats; a small vocabulary may give each a single id (<see cref="ByteTokenizer.ForChat"/>).</summary>
    public static IReadOnlyList<string> FixedStrings { get; } =
        ["<|system|>", "<|user|>", "<|assistant|>", "<|end|>", "<|content|>", "<|tool_result|>", ReasoningPrefix, BeginFinal, EndFinal, DefaultSystemPrompt];

    /// <summary>
    /// Renders and tokenizes <paramref name="messages"/>. With <paramref name="addGenerationPrompt"/> (the last message
    /// must not be the assistant's) it ends with the assistant header and the reasoning prefix, ready for generation.
    /// </summary>
    public ChatEncoding Encode(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false)
    {
        var builder = new Builder(tokenizer, imageTokens);
        builder.Special(tokenizer.BosId, "<s>");
        var systemText = messages.FirstOrDefault(m => m.Role == ChatRole.System)?.Content ?? "";
        builder.Text("<|system|>\n" + DefaultSystemPrompt + systemText + End);

        var lastAssistant = -1;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Role == ChatRole.Assistant) lastAssistant = i;
        }
        if (addGenerationPrompt && messages.Count > 0 && messages[^1].Role == ChatRole.Assistant)
            throw new ArgumentException("a generation prompt follows a user or tool message, not an assistant's");

        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            switch (m.Role)
            {
                case ChatRole.System:
                    break;
                case ChatRole.User:
                    builder.Text("<|user|>\n");
                    foreach (var part in m.Parts ?? [new TextPart(m.Content)])
                    {
                        if (part is ImagePart image) builder.Image(image.Rows, image.Columns);
                        else builder.Text(((TextPart)part).Text);
                    }
                    builder.Text(End);
                    break;
                case ChatRole.Tool:
                    builder.Text("<|tool_result|>\n" + m.Content + End);
                    break;
                case ChatRole.Assistant:
                    var final = i == lastAssistant;
                    builder.Text("<|assistant|>\n");
                    if (final && m.Reasoning is not null) builder.Text(ReasoningPrefix);
                    var start = builder.Count;
                    builder.Text(final && m.Reasoning is not null
                        ? $"{m.Reasoning}\n{BeginFinal}\n{m.Content}\n{EndFinal}{End}"
                        : m.Content + End);
                    builder.Special(tokenizer.EosId, "</s>");
                    builder.Span(start, final);
                    break;
            }
        }
        if (addGenerationPrompt) builder.Text("<|assistant|>\n" + ReasoningPrefix);
        return builder.Build();
    }

    /// <summary>The final answer in a generated response: the text between the final-response markers, else all of it.</summary>
    public static string FinalAnswer(string response)
    {
        var begin = response.IndexOf(BeginFinal, StringComparison.Ordinal);
        if (begin < 0) return response.Trim();
        begin += BeginFinal.Length;
        var end = response.IndexOf(EndFinal, begin, StringComparison.Ordinal);
        return (end < 0 ? response[begin..] : response[begin..end]).Trim();
    }

    private sealed class Builder(ITokenizer tokenizer, ImageTokens imageTokens)
    {
        private readonly List<int> ids = [];
        private readonly StringBuilder text = new();
        private readonly List<TokenSpan> spans = [];

        public int Count => ids.Count;

        public void Text(string s)
        {
            ids.AddRange(tokenizer.Encode(s));
            text.Append(s);
        }

        public void Special(int id, string spelling)
        {
            ids.Add(id);
            text.Append(spelling);
        }

        public void Image(int rows, int columns)
        {
            foreach (var id in imageTokens.Layout(rows, columns))
                Special(id, id == imageTokens.ImageId ? "[IMG]" : id == imageTokens.BreakId ? "[IMG_BREAK]" : "[IMG_END]");
        }

        public void Span(int start, bool final) => spans.Add(new TokenSpan(start, ids.Count, final));

        public ChatEncoding Build() => new([.. ids], text.ToString(), spans);
    }
}
