using System.Buffers.Binary;
using System.Text.Json;
using static TorchSharp.torch;

namespace Apriel.Trainer.Checkpoints;

/// <summary>
/// Writes safetensors files: the JSON header padded with spaces so that the data section starts at a multiple of 8
/// (every tensor is then aligned for its element type, as the reference implementation does), <c>"format": "pt"</c> in
/// <c>__metadata__</c> (transformers refuses files without it), then each tensor's bytes in order. The file appears
/// under its name only when complete and on disk (written to a temporary name, flushed to disk, then renamed).
/// </summary>
public static class SafetensorsWriter
{
    /// <summary>Bytes a tensor takes on disk when written as <paramref name="dtype"/> (or its own type).</summary>
    public static long SizeOf(Tensor tensor, ScalarType? dtype = null) => tensor.NumberOfElements * SafetensorsDType.SizeOf(dtype ?? tensor.dtype);

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/>, each converted to <paramref name="dtype"/> when given
    /// (F32, BF16 or F16). Returns the number of bytes written.
    /// </summary>
    public static long Write(string path, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, ScalarType? dtype = null,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = Header(tensors.Select(t => new TensorLayout(t.Key, dtype ?? t.Value.dtype, t.Value.shape)).ToList(), metadata);
        var temporary = path + ".partial";
        long written;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            stream.Write(header);
            foreach (var (_, tensor) in tensors)
            {
                using var scope = NewDisposeScope();
                var t = tensor.detach();
                if (dtype is { } d && t.dtype != d) t = t.to(d);
                t = t.cpu().contiguous();
                foreach (var (address, length) in NativeTensors.Chunks(t)) stream.Write(NativeTensors.Span(address, length));
            }
            written = stream.Position;
            stream.Flush(flushToDisk: true); // durable before it takes its name: a checkpoint is committed after this
        }
        File.Move(temporary, path, overwrite: true);
        return written;
    }

    /// <summary>
    /// The bytes that precede the data section of a file holding <paramref name="tensors"/> in order: the 8-byte length
    /// and the JSON header, padded with spaces to a multiple of 8.
    /// </summary>
    public static byte[] Header(IReadOnlyList<TensorLayout> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            w.WriteStartObject("__metadata__");
            w.WriteString("format", "pt");
            foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
            {
                if (key != "format") w.WriteString(key, value);
            }
            w.WriteEndObject();
            var names = new HashSet<string>(StringComparer.Ordinal);
            long offset = 0;
            foreach (var tensor in tensors)
            {
                var (name, type, shape) = tensor;
                if (!names.Add(name)) throw new ArgumentException($"tensor name \"{name}\" appears twice", nameof(tensors));
                if (name == "__metadata__") throw new ArgumentException("\"__metadata__\" is not a tensor name", nameof(tensors));
                var size = tensor.Bytes;
                w.WriteStartObject(name);
                w.WriteString("dtype", SafetensorsDType.NameOf(type));
                w.WriteStartArray("shape");
                foreach (var d in shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + size);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += size;
            }
            w.WriteEndObject();
        }
        var body = json.ToArray();
        var padded = (body.Length + 7) / 8 * 8;
        var header = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(0, 8), (ulong)padded);
        body.CopyTo(header, 8);
        header.AsSpan(8 + body.Length).Fill((byte)' ');
        return header;
    }
}

/// <summary>A tensor as a safetensors header describes it: name, element type and shape.</summary>
public sealed record TensorLayout(string Name, ScalarType Type, IReadOnlyList<long> Shape)
{
    /// <summary>Bytes of its data.</summary>
    public long Bytes => SafetensorsDType.SizeOf(Type) * Shape.Aggregate(1L, (a, b) => a * b);
}
