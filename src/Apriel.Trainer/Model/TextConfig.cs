using System.Text.Json;
using System.Text.Json.Serialization;

namespace Apriel.Trainer.Model;

/// <summary>
/// The decoder's part of a Hugging Face LLaVA <c>config.json</c> (<c>text_config</c>, a <c>MistralConfig</c>).
/// Defaults are transformers' <c>MistralConfig</c> defaults, so a key the file leaves out means what it means there.
/// Derived values and checks live in <see cref="ModelConfig"/>.
/// </summary>
public sealed record TextConfig
{
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "mistral";

    // ---- sizes ----
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 32000;
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 4096;
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 14336;
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 32;

    // Attention: n_head query heads share n_kv_head key/value heads (GQA); n_kv_head == n_head is MHA.
    //   q: [hidden] -> [n_head * head_dim]    k, v: [hidden] -> [n_kv_head * head_dim]    o: back to [hidden]
    // head_dim is explicit in Mistral-Nemo/Pixtral (128; 32 x 128 = 4096 != 5120); null means hidden / n_head.
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 32;
    [JsonPropertyName("num_key_value_heads")] public int NumKeyValueHeads { get; init; } = 8;
    [JsonPropertyName("head_dim")] public int? HeadDimOverride { get; init; }

    // ---- behaviour ----
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "silu";
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 4096 * 32;
    [JsonPropertyName("rms_norm_eps")] public double RmsNormEps { get; init; } = 1e-6;
    [JsonPropertyName("rope_theta")] public double RopeTheta { get; init; } = 10000.0;
    [JsonPropertyName("sliding_window")] public int? SlidingWindow { get; init; }
    [JsonPropertyName("attention_dropout")] public double AttentionDropout { get; init; }
    [JsonPropertyName("tie_word_embeddings")] public bool TieWordEmbeddings { get; init; }
    [JsonPropertyName("initializer_range")] public double InitializerRange { get; init; } = 0.02;

    // ---- special ids ----
    [JsonPropertyName("bos_token_id")] public int? BosTokenId { get; init; } = 1;
    [JsonPropertyName("eos_token_id")] public int? EosTokenId { get; init; } = 2;
    [JsonPropertyName("pad_token_id")] public int? PadTokenId { get; init; }

    /// <summary>Keys we do not model (e.g. <c>is_composition</c>), kept so that a config round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }

    /// <summary>Size of one attention head: the explicit <c>head_dim</c>, else hidden / heads.</summary>
    [JsonIgnore] public int HeadDim => HeadDimOverride ?? HiddenSize / NumAttentionHeads;

    /// <summary>Query heads per key/value head (1 = multi-head attention).</summary>
    [JsonIgnore] public int QueriesPerKeyValue => NumAttentionHeads / NumKeyValueHeads;
}
