using System.Text.Json.Nodes;
using Apriel.Trainer.Tokenization;

namespace Apriel.Trainer.Tests.Tokenization;

public sealed class TokenizerTests
{
    private const string Text = "héllo wörld 世界 🙂\n\ttabs  and [IMG] spelled out";

    [Fact]
    public void Should_round_trip_any_text_through_the_byte_tokenizer()
    {
        var tokenizer = new ByteTokenizer();

        var ids = tokenizer.Encode(Text);

        Assert.Equal(Text, tokenizer.Decode(ids));
        Assert.All(ids, id => Assert.InRange(id, ByteTokenizer.NumSpecial, ByteTokenizer.NumSpecial + 255));
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(Text), ids.Length);
    }

    [Fact]
    public void Should_give_special_tokens_single_ids_only_when_asked()
    {
        var tokenizer = new ByteTokenizer();

        Assert.Equal([32 + 'a', 10, 32 + 'b', 2], tokenizer.EncodeWithSpecialTokens("a[IMG]b</s>"));
        Assert.DoesNotContain(10, tokenizer.Encode("[IMG]"));
        Assert.Equal(12, tokenizer.SpecialTokenId("[IMG_BREAK]"));
        Assert.Equal("ab", tokenizer.Decode([1, 32 + 'a', 10, 32 + 'b'], skipSpecialTokens: true));
        Assert.Equal("<s>a[IMG]", tokenizer.Decode([1, 32 + 'a', 10]));
    }

    // A miniature of Pixtral's tokenizer.json: 20 control tokens, the 256 byte-level characters at 1000 + byte, and a few
    // merges, with a Split pre-tokenizer in Tekken's style followed by a ByteLevel step that does not split again.
    internal static string MiniTokenizerJson()
    {
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++) vocab[BpeTokenizer.ByteChar((byte)b).ToString()] = 1000 + b;
        string[] merges = ["h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "Ġwor l", "Ġworl d"];
        var next = 1256;
        foreach (var merge in merges) vocab[merge.Replace(" ", "", StringComparison.Ordinal)] = next++;
        var added = new JsonArray();
        for (var id = 0; id < SpecialTokens.Fixed.Count; id++)
            added.Add(new JsonObject { ["id"] = id, ["content"] = SpecialTokens.Fixed[id], ["special"] = true });
        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = added,
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject
                    {
                        ["type"] = "Split",
                        ["pattern"] = new JsonObject { ["Regex"] = @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+" },
                        ["behavior"] = "Isolated",
                        ["invert"] = false,
                    },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = false }),
            },
            ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = vocab, ["merges"] = new JsonArray(merges.Select(m => (JsonNode)m).ToArray()) },
        };
        return root.ToJsonString();
    }

    [Fact]
    public void Should_apply_bpe_merges_from_tokenizer_json()
    {
        var tokenizer = BpeTokenizer.Parse(MiniTokenizerJson());

        Assert.Equal([1259, 1264], tokenizer.Encode("hello world"));   // "hello", "Ġworld"
        Assert.Equal([1257, 1000 + 'o'], tokenizer.Encode("hello"[2..])); // "ll", "o"
        Assert.Equal(1265, tokenizer.VocabSize);
    }

    [Fact]
    public void Should_round_trip_any_text_through_the_bpe_tokenizer()
    {
        var tokenizer = BpeTokenizer.Parse(MiniTokenizerJson());

        Assert.Equal(Text, tokenizer.Decode(tokenizer.Encode(Text)));
    }

    [Fact]
    public void Should_read_control_tokens_as_single_ids_from_tokenizer_json()
    {
        var tokenizer = BpeTokenizer.Parse(MiniTokenizerJson());

        Assert.Equal([1, 1259, 10, 12, 10, 13, 2], tokenizer.EncodeWithSpecialTokens("<s>hello[IMG][IMG_BREAK][IMG][IMG_END]</s>"));
        Assert.Equal((1, 2, 11), (tokenizer.BosId, tokenizer.EosId, tokenizer.PadId));
        Assert.Equal(10, tokenizer.SpecialTokenId("[IMG]"));
        Assert.Equal("hello world", tokenizer.Decode([1, 1259, 1264, 2], skipSpecialTokens: true));
    }

    [Fact]
    public void Should_load_tokenizer_json_from_a_directory_and_refuse_a_bad_one()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("tokenizer.json"), MiniTokenizerJson());
        Assert.Equal([1259], BpeTokenizer.Load(dir.Path).Encode("hello"));

        File.WriteAllText(dir.File("tokenizer.json"), "{\"model\": {\"type\": \"Unigram\"}}");
        var e = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(dir.Path));
        Assert.Contains("tokenizer.json: not a byte-level BPE tokenizer.json", e.Message);
    }
}
