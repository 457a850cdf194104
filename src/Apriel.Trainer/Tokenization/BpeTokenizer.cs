using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Apriel.Trainer.Tokenization;

/// <summary>
/// A byte-level BPE tokenizer read from a Hugging Face <c>tokenizer.json</c> (Pixtral's Tekken conversion has this
/// shape): a <c>Split</c> pre-tokenizer regex (taken from the file, never hard-coded), GPT-2's byte-to-character map,
/// BPE merges by rank, and <c>added_tokens</c> (the control tokens, [IMG] among them) as single ids.
/// </summary>
public sealed class BpeTokenizer : ITokenizer
{
    /// <summary>GPT-2's regex, used when the file asks the ByteLevel pre-tokenizer to split (use_regex).</summary>
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly Dictionary<string, int> vocab;
    private readonly string[] idToToken;
    private readonly Dictionary<(string, string), int> mergeRanks;
    private readonly Dictionary<string, int> added;
    private readonly HashSet<int> specialIds;
    private readonly Regex? split;
    private readonly bool ignoreMerges;
    private readonly ConcurrentDictionary<string, int[]> cache = new(StringComparer.Ordinal);

    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, b) => (c, b)).ToDictionary(x => x.c, x => (byte)x.b);

    private BpeTokenizer(Dictionary<string, int> vocab, Dictionary<(string, string), int> mergeRanks, Dictionary<string, int> added,
        HashSet<int> specialIds, Regex? split, bool ignoreMerges)
    {
        this.vocab = vocab;
        this.mergeRanks = mergeRanks;
        this.added = added;
        this.specialIds = specialIds;
        this.split = split;
        this.ignoreMerges = ignoreMerges;
        VocabSize = Math.Max(vocab.Values.DefaultIfEmpty(-1).Max(), added.Values.DefaultIfEmpty(-1).Max()) + 1;
        idToToken = new string[VocabSize];
        foreach (var (token, id) in vocab) idToToken[id] = token;
        foreach (var (token, id) in added) idToToken[id] = token;
        BosId = added.GetValueOrDefault("<s>", SpecialTokens.Bos);
        EosId = added.GetValueOrDefault("</s>", SpecialTokens.Eos);
        PadId = added.GetValueOrDefault("<pad>", SpecialTokens.Pad);
    }

    public int VocabSize { get; }

    public int BosId { get; }

    public int EosId { get; }

    public int PadId { get; }

    /// <summary>Reads <c>tokenizer.json</c> (a file, or a directory holding one).</summary>
    public static BpeTokenizer Load(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "tokenizer.json") : path;
        try
        {
            return Parse(File.ReadAllText(file));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{file}: not a byte-level BPE tokenizer.json ({e.Message})", e);
        }
    }

    public static BpeTokenizer Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var model = root.GetProperty("model");
        if (model.TryGetProperty("type", out var type) && type.GetString() != "BPE") throw new FormatException($"model type {type.GetString()}, not BPE");

        var vocab = model.GetProperty("vocab").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32(), StringComparer.Ordinal);
        var ranks = new Dictionary<(string, string), int>();
        var rank = 0;
        foreach (var merge in model.GetProperty("merges").EnumerateArray())
        {
            (string, string) pair;
            if (merge.ValueKind == JsonValueKind.String)
            {
                var parts = merge.GetString()!.Split(' ', 2);
                if (parts.Length != 2) throw new FormatException($"merge \"{merge.GetString()}\" is not two tokens");
                pair = (parts[0], parts[1]);
            }
            else
            {
                pair = (merge[0].GetString()!, merge[1].GetString()!);
            }
            ranks.TryAdd(pair, rank++);
        }
        var ignoreMerges = model.TryGetProperty("ignore_merges", out var im) && im.ValueKind == JsonValueKind.True;

        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        var specialIds = new HashSet<int>();
        if (root.TryGetProperty("added_tokens", out var addedTokens))
        {
            foreach (var token in addedTokens.EnumerateArray())
            {
                var id = token.GetProperty("id").GetInt32();
                added[token.GetProperty("content").GetString()!] = id;
                if (!token.TryGetProperty("special", out var special) || special.ValueKind == JsonValueKind.True) specialIds.Add(id);
            }
        }
        return new BpeTokenizer(vocab, ranks, added, specialIds, SplitRegex(root), ignoreMerges);
    }

    private static Regex? SplitRegex(JsonElement root)
    {
        if (!root.TryGetProperty("pre_tokenizer", out var pre) || pre.ValueKind != JsonValueKind.Object) return null;
        var steps = pre.GetProperty("type").GetString() == "Sequence" ? pre.GetProperty("pretokenizers").EnumerateArray().ToList() : [pre];
        foreach (var step in steps)
        {
            var kind = step.GetProperty("type").GetString();
            if (kind == "Split")
            {
                var pattern = step.GetProperty("pattern");
                var text = pattern.TryGetProperty("Regex", out var regex) ? regex.GetString()! : Regex.Escape(pattern.GetProperty("String").GetString()!);
                return new Regex(text, RegexOptions.Compiled | RegexOptions.CultureInvariant);
            }
            if (kind == "ByteLevel" && (!step.TryGetProperty("use_regex", out var useRegex) || useRegex.ValueKind == JsonValueKind.True))
                return new Regex(Gpt2Pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
        }
        return null;
    }

    public int[] Encode(string text)
    {
        var ids = new List<int>();
        foreach (var piece in PreTokenize(text)) ids.AddRange(cache.GetOrAdd(piece, EncodeWord));
        return [.. ids];
    }

    public int[] EncodeWithSpecialTokens(string text) => SpecialTokenSplitter.Encode(text, added, Encode);

    /// <summary>The pre-tokenizer's pieces ("Isolated": matches and the text between them).</summary>
    private IEnumerable<string> PreTokenize(string text)
    {
        if (split is null)
        {
            if (text.Length > 0) yield return text;
            yield break;
        }
        var at = 0;
        foreach (Match m in split.Matches(text))
        {
            if (m.Length == 0) continue;
            if (m.Index > at) yield return text[at..m.Index];
            yield return m.Value;
            at = m.Index + m.Length;
        }
        if (at < text.Length) yield return text[at..];
    }

    private int[] EncodeWord(string piece)
    {
        var chars = Encoding.UTF8.GetBytes(piece).Select(b => ByteToChar[b].ToString()).ToList();
        var whole = string.Concat(chars);
        if (ignoreMerges && vocab.TryGetValue(whole, out var direct)) return [direct];
        while (chars.Count > 1)
        {
            var best = -1;
            var bestRank = int.MaxValue;
            for (var i = 0; i < chars.Count - 1; i++)
            {
                if (mergeRanks.TryGetValue((chars[i], chars[i + 1]), out var r) && r < bestRank) (best, bestRank) = (i, r);
            }
            if (best < 0) break;
            chars[best] += chars[best + 1];
            chars.RemoveAt(best + 1);
        }
        return chars.Select(c => vocab.TryGetValue(c, out var id) ? id
            : throw new InvalidOperationException($"token \"{c}\" is not in the vocabulary (incomplete byte-level vocab?)")).ToArray();
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var text = new Utf8TextBuilder();
        foreach (var id in ids)
        {
            var token = id >= 0 && id < idToToken.Length ? idToToken[id] : null;
            if (token is null || added.ContainsKey(token))
            {
                if (!(skipSpecialTokens && specialIds.Contains(id))) text.AppendText(token ?? $"<UNKNOWN_{id}>");
                continue;
            }
            foreach (var c in token)
            {
                if (CharToByte.TryGetValue(c, out var b)) text.AppendByte(b);
            }
        }
        return text.ToString();
    }

    public int? SpecialTokenId(string token) => added.TryGetValue(token, out var id) ? id : null;

    /// <summary>GPT-2's reversible map from bytes to printable characters.</summary>
    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        var next = 256;
        for (var b = 0; b < 256; b++) map[b] = printable.Contains(b) ? (char)b : (char)next++;
        return map;
    }

    /// <summary>The byte-level character for a byte (for building vocabularies in tests and tools).</summary>
    public static char ByteChar(byte b) => ByteToChar[b];
}
