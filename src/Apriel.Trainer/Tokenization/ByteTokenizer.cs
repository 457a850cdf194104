using System.Text;

namespace Apriel.Trainer.Tokenization;

/// <summary>
/// The tiny models' tokenizer: <see cref="NumSpecial"/> control ids laid out as in Tekken (so [IMG] is 10, BOS 1, EOS 2),
/// then one id per UTF-8 byte. Every text round-trips; no file is needed.
/// </summary>
public sealed class ByteTokenizer : ITokenizer
{
    public const int NumSpecial = 32;

    private readonly Dictionary<string, int> specials;

    public ByteTokenizer(int vocabSize = 512)
    {
        if (vocabSize < NumSpecial + 256) throw new ArgumentOutOfRangeException(nameof(vocabSize), $"needs at least {NumSpecial + 256} ids");
        VocabSize = vocabSize;
        specials = Enumerable.Range(0, NumSpecial).ToDictionary(SpecialTokens.Name, id => id, StringComparer.Ordinal);
    }

    public int VocabSize { get; }

    public int BosId => SpecialTokens.Bos;

    public int EosId => SpecialTokens.Eos;

    public int PadId => SpecialTokens.Pad;

    public int[] Encode(string text) => Encoding.UTF8.GetBytes(text).Select(b => NumSpecial + b).ToArray();

    public int[] EncodeWithSpecialTokens(string text) => SpecialTokenSplitter.Encode(text, specials, Encode);

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var text = new StringBuilder();
        var bytes = new List<byte>();
        void Flush()
        {
            text.Append(Encoding.UTF8.GetString(bytes.ToArray()));
            bytes.Clear();
        }
        foreach (var id in ids)
        {
            if (id is >= NumSpecial and < NumSpecial + 256)
            {
                bytes.Add((byte)(id - NumSpecial));
                continue;
            }
            Flush();
            if (!skipSpecialTokens) text.Append(id < NumSpecial ? SpecialTokens.Name(id) : $"<UNUSED_{id}>");
        }
        Flush();
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
