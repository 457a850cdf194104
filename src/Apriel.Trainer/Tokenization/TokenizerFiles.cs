using System.Text.Json;
using System.Text.Json.Nodes;
using Apriel.Trainer.Model;

namespace Apriel.Trainer.Tokenization;

/// <summary>
/// The tokenizer files of a model directory. A Hugging Face <c>tokenizer.json</c> (with its companions) is read as a
/// <see cref="BpeTokenizer"/> and copied along unchanged; a <see cref="ByteTokenizer"/> is described by a
/// <c>tokenizer_config.json</c> of class <c>AprielByteTokenizer</c> (vocabulary size and words). A directory without
/// either gets the tiny preset's tokenizer when its vocabulary is small enough to be byte-level (≤ 512 ids).
/// </summary>
public static class TokenizerFiles
{
    public const string TokenizerJson = "tokenizer.json";
    public const string ConfigJson = "tokenizer_config.json";
    public const string ByteTokenizerClass = "AprielByteTokenizer";

    /// <summary>The files that travel with a model when it is copied.</summary>
    public static readonly IReadOnlyList<string> Names =
        [TokenizerJson, ConfigJson, "special_tokens_map.json", "chat_template.json", "tekken.json", "preprocessor_config.json", "processor_config.json"];

    /// <summary>The tokenizer of the model in <paramref name="directory"/> (see the class summary for the rules).</summary>
    public static ITokenizer Load(string directory, ModelConfig config)
    {
        var json = Path.Combine(directory, TokenizerJson);
        if (File.Exists(json)) return BpeTokenizer.Load(json);
        var configPath = Path.Combine(directory, ConfigJson);
        if (File.Exists(configPath))
        {
            var node = JsonNode.Parse(File.ReadAllText(configPath));
            if (node?["tokenizer_class"]?.GetValue<string>() == ByteTokenizerClass)
            {
                var words = node["words"]?.AsArray().Select(w => w!.GetValue<string>()).ToList() ?? [];
                return new ByteTokenizer(node["vocab_size"]?.GetValue<int>() ?? config.Text.VocabSize, words);
            }
        }
        if (config.Text.VocabSize <= 512) return ByteTokenizer.ForChat(config.Text.VocabSize);
        throw new InvalidDataException($"{directory}: no {TokenizerJson} and no byte tokenizer {ConfigJson}; a model with {config.Text.VocabSize} ids needs one");
    }

    /// <summary>
    /// Writes the files of <paramref name="tokenizer"/> into <paramref name="directory"/>: a byte tokenizer's config, or the
    /// tokenizer files of <paramref name="sourceDirectory"/> (the model it came from) copied unchanged.
    /// </summary>
    public static void Save(ITokenizer tokenizer, string directory, string? sourceDirectory = null)
    {
        Directory.CreateDirectory(directory);
        if (tokenizer is ByteTokenizer bytes)
        {
            var node = new JsonObject
            {
                ["tokenizer_class"] = ByteTokenizerClass,
                ["vocab_size"] = bytes.VocabSize,
                ["bos_token"] = SpecialTokens.Name(bytes.BosId),
                ["eos_token"] = SpecialTokens.Name(bytes.EosId),
                ["pad_token"] = SpecialTokens.Name(bytes.PadId),
                ["words"] = new JsonArray([.. bytes.Words.Select(w => (JsonNode)JsonValue.Create(w))]),
            };
            File.WriteAllText(Path.Combine(directory, ConfigJson), node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            return;
        }
        if (sourceDirectory is null) throw new ArgumentException("a BPE tokenizer is saved by copying its source files; give the directory it came from", nameof(sourceDirectory));
        foreach (var name in Names)
        {
            var from = Path.Combine(sourceDirectory, name);
            if (File.Exists(from)) File.Copy(from, Path.Combine(directory, name), overwrite: true);
        }
    }
}
