using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace Apriel.Trainer.Checkpoints;

/// <summary>One tensor in a safetensors file: byte range relative to the start of the data section.</summary>
public sealed record SafetensorsEntry(string Name, string DType, ScalarType Type, IReadOnlyList<long> Shape, long Begin, long End)
{
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);

    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}

/// <summary>
/// The header of a safetensors file: 8-byte little-endian header length N, N bytes of JSON
/// (<c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}</c>), then the data section.
/// <see cref="Read(string)"/> checks everything a reader relies on — header length within the file, valid JSON, supported
/// dtype, non-negative shape, byte count = elements x element size, and offsets that cover the data section exactly
/// with no overlap or hole (as the format requires) — and throws <see cref="CheckpointException"/> on the first problem.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>The format's limit on the JSON header (the reference implementation refuses more).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    public required IReadOnlyDictionary<string, SafetensorsEntry> Tensors { get; init; }

    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>Where the data section starts in the file: 8 + N.</summary>
    public required long DataStart { get; init; }

    /// <summary>Reads <paramref name="destination"/>.Length bytes at <paramref name="offset"/> of a file.</summary>
    public delegate void ReadAt(long offset, Span<byte> destination);

    /// <summary>Reads and checks the header of <paramref name="path"/>.</summary>
    public static SafetensorsHeader Read(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Read(path, RandomAccess.GetLength(file), (offset, destination) => RandomAccess.Read(file, destination, offset));
    }

    /// <summary>Reads and checks the header of a file of <paramref name="fileLength"/> bytes that <paramref name="read"/> reads (wherever it is).</summary>
    public static SafetensorsHeader Read(string path, long fileLength, ReadAt read)
    {
        if (fileLength < 8) throw new CheckpointException(path, $"truncated: {fileLength} bytes, shorter than the 8-byte header length");
        Span<byte> prefix = stackalloc byte[8];
        read(0, prefix);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes) throw new CheckpointException(path, $"corrupt: header length {headerLength} is over the {MaxHeaderBytes}-byte limit");
        if ((long)headerLength > fileLength - 8) throw new CheckpointException(path, $"truncated: header length {headerLength} but only {fileLength - 8} bytes follow");
        var json = new byte[headerLength];
        read(8, json);
        return Parse(path, json, 8 + (long)headerLength, fileLength);
    }

    /// <summary>Parses a header's JSON and checks it against the file's length.</summary>
    public static SafetensorsHeader Parse(string path, ReadOnlySpan<byte> json, long dataStart, long fileLength)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(Encoding.UTF8.GetString(json).TrimEnd(' ', '\0'));
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, $"corrupt: the header is not valid JSON ({e.Message})");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new CheckpointException(path, "corrupt: the header is not a JSON object");
            var tensors = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object) throw new CheckpointException(path, "corrupt: __metadata__ is not an object");
                    foreach (var m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw new CheckpointException(path, $"corrupt: __metadata__.{m.Name} is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                tensors[property.Name] = ParseEntry(path, property.Name, property.Value);
            }
            CheckCoverage(path, tensors.Values, fileLength - dataStart);
            return new SafetensorsHeader { Tensors = tensors, Metadata = metadata, DataStart = dataStart };
        }
    }

    private static SafetensorsEntry ParseEntry(string path, string name, JsonElement e)
    {
        string Bad(string what) => $"corrupt: tensor \"{name}\" {what}";
        if (e.ValueKind != JsonValueKind.Object) throw new CheckpointException(path, Bad("is not an object"));
        if (!e.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new CheckpointException(path, Bad("has no dtype"));
        var dtype = dtypeElement.GetString()!;
        if (!SafetensorsDType.TryParse(dtype, out var type, out var size))
            throw new CheckpointException(path, $"tensor \"{name}\" has dtype {dtype}; supported: {string.Join(", ", SafetensorsDType.Names)}");
        if (!e.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new CheckpointException(path, Bad("has no shape"));
        var shape = new List<long>();
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var n) || n < 0) throw new CheckpointException(path, Bad("has an invalid shape"));
            shape.Add(n);
        }
        if (!e.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || !offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end) || begin < 0 || end < begin)
            throw new CheckpointException(path, Bad("has invalid data_offsets"));
        long elements = 1;
        try
        {
            foreach (var d in shape) elements = checked(elements * d);
            if (checked(elements * size) != end - begin)
                throw new CheckpointException(path, Bad($"of shape [{string.Join(", ", shape)}] and dtype {dtype} needs {elements * size} bytes but data_offsets span {end - begin}"));
        }
        catch (OverflowException)
        {
            throw new CheckpointException(path, Bad("has a shape too large to address"));
        }
        return new SafetensorsEntry(name, dtype, type, shape, begin, end);
    }

    private static void CheckCoverage(string path, IEnumerable<SafetensorsEntry> entries, long dataLength)
    {
        long expected = 0;
        foreach (var entry in entries.OrderBy(x => x.Begin).ThenBy(x => x.End))
        {
            if (entry.Begin != expected)
            {
                throw new CheckpointException(path, entry.Begin < expected
                    ? $"corrupt: tensor \"{entry.Name}\" overlaps the tensor before it (starts at {entry.Begin}, previous ends at {expected})"
                    : $"corrupt: a hole in the data section before tensor \"{entry.Name}\" ({expected}..{entry.Begin})");
            }
            expected = entry.End;
        }
        if (expected > dataLength) throw new CheckpointException(path, $"truncated: tensors need {expected} data bytes but the file has {dataLength}");
        if (expected < dataLength) throw new CheckpointException(path, $"corrupt: {dataLength - expected} bytes after the last tensor");
    }
}
