using System.Text;

namespace Apriel.Trainer.Tokenization;

/// <summary>
/// The tiny models' tokenizer: <see cref="NumSpecial"/> control ids laid out as in Tekken (so [IMG] is 10, BOS 1, EOS 2),
/// then one id per UTF-8 byte, then optional whole <see cref="Words"/> (ids from <see cref="FirstWordId"/>), which ordinary
/// text matches longest first, as Hugging Face's non-special added tokens are. Every text round-trips; no file is needed.
/// </summary>
public sealed class ByteTokenizer : ITokenizer
{
    public const int NumSpecial = 32;

    /// <summary>The id of the first word: after the control ids and the 256 bytes.</summary>
    public const int FirstWordId = NumSpecial + 256;

    private readonly Dictionary<string, int> specials;
    private readonly Dictionary<string, int> words;

    public ByteTokenizer(int vocabSize = 512, IReadOnlyList<string>? words = null)
    {
        words ??= [];
        if (vocabSize < FirstWordId + words.Count) throw new ArgumentOutOfRangeException(nameof(vocabSize), $"needs at least {FirstWordId + words.Count} ids");
        if (words.Any(w => w.Length == 0) || words.Distinct(StringComparer.Ordinal).Count() != words.Count)
            throw new ArgumentException("words must be distinct and non-empty", nameof(words));
        VocabSize = vocabSize;
        Words = words;
        specials = Enumerable.Range(0, NumSpecial).ToDictionary(SpecialTokens.Name, id => id, StringComparer.Ordinal);
        this.words = words.Select((w, i) => (w, i)).ToDictionary(x => x.w, x => FirstWordId + x.i, StringComparer.Ordinal);
    }

    /// <summary>
    /// The tiny preset's tokenizer: bytes plus the fixed strings of the Apriel chat template as single tokens (role markers,
    /// the reasoning prefix, the final-response markers and the default system prompt), so that a rendered conversation
    /// costs about 25 tokens of template instead of about 480 bytes and fits the tiny chain's sequence lengths. The text
    /// the template renders is unchanged.
    /// </summary>
    public static ByteTokenizer ForChat(int vocabSize = 512) => new(vocabSize, AprielChatTemplate.FixedStrings);

    public int VocabSize { get; }

    /// <summary>Multi-byte tokens, in id order.</summary>
    public IReadOnlyList<string> Words { get; }

    public int BosId => SpecialTokens.Bos;

    public int EosId => SpecialTokens.Eos;

    public int PadId => SpecialTokens.Pad;

    public int[] Encode(string text) => words.Count == 0 ? EncodeBytes(text) : SpecialTokenSplitter.Encode(text, words, EncodeBytes);

    public int[] EncodeWithSpecialTokens(string text) => SpecialTokenSplitter.Encode(text, specials, Encode);

    private static int[] EncodeBytes(string text) => Encoding.UTF8.GetBytes(text).Select(b => NumSpecial + b).ToArray();

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var text = new Utf8TextBuilder();
        foreach (var id in ids)
        {
            if (id is >= NumSpecial and < NumSpecial + 256) text.AppendByte((byte)(id - NumSpecial));
            else if (id >= FirstWordId && id < FirstWordId + Words.Count) text.AppendText(Words[id - FirstWordId]);
            else if (!skipSpecialTokens) text.AppendText(id < NumSpecial ? SpecialTokens.Name(id) : $"<UNUSED_{id}>");
        }
        return text.ToString();
    }

    public int? SpecialTokenId(string token) => specials.TryGetValue(token, out var id) ? id : null;
}

/// <summary>Splits text on special-token spellings (longest first), encoding the pieces between them as ordinary text.</summary>
internal static class SpecialTokenSplitter
{
    public static int[] Encode(string text, IReadOnlyDictionary<string, int> specials, Func<string, int[]> encodeOrdinary)
    {
        var ordered = specials.Keys.Where(k => k.Length > 0).OrderByDescending(k => k.Length).ToArray();
        var ids = new List<int>();
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            var match = ordered.FirstOrDefault(token => string.CompareOrdinal(text, i, token, 0, token.Length) == 0);
            if (match is null)
            {
                i++;
                continue;
            }
            if (i > start) ids.AddRange(encodeOrdinary(text[start..i]));
            ids.Add(specials[match]);
            i += match.Length;
            start = i;
        }
        if (start < text.Length) ids.AddRange(encodeOrdinary(text[start..]));
        return [.. ids];
    }
}
