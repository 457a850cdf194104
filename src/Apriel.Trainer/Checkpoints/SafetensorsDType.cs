using static TorchSharp.torch;

namespace Apriel.Trainer.Checkpoints;

/// <summary>The element types we read and write, by their safetensors names.</summary>
public static class SafetensorsDType
{
    private static readonly Dictionary<string, (ScalarType Type, int Size)> ByName = new(StringComparer.Ordinal)
    {
        ["F32"] = (ScalarType.Float32, 4),
        ["BF16"] = (ScalarType.BFloat16, 2),
        ["F16"] = (ScalarType.Float16, 2),
    };

    /// <summary>The names we support.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static bool TryParse(string name, out ScalarType type, out int size)
    {
        var found = ByName.TryGetValue(name, out var entry);
        (type, size) = entry;
        return found;
    }

    /// <summary>The safetensors name of a TorchSharp element type we can write.</summary>
    public static string NameOf(ScalarType type) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Float16 => "F16",
        _ => throw new ArgumentException($"cannot write {type} to safetensors (one of: F32, BF16, F16)", nameof(type)),
    };

    /// <summary>Bytes per element of a type we can write.</summary>
    public static int SizeOf(ScalarType type) => ByName[NameOf(type)].Size;
}
