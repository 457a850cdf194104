using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>Activation functions by their Hugging Face <c>ACT2FN</c> names ("gelu" is the exact erf form).</summary>
public static class Activations
{
    public static Func<Tensor, Tensor> Get(string name) => name switch
    {
        "silu" => x => nn.functional.silu(x),
        "gelu" => x => nn.functional.gelu(x),
        _ => throw new ArgumentException($"activation \"{name}\" is not supported (one of: {string.Join(", ", ModelConfig.SupportedActivations)})", nameof(name)),
    };
}
