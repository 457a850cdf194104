using System.Text.Json;

namespace Apriel.Trainer.Data;

/// <summary>A record of a JSONL source and where it came from (for messages and relative image paths).</summary>
public sealed record JsonlRecord(JsonElement Value, string File, int Line)
{
    public string Where => $"{File}:{Line}";
}

/// <summary>Reads JSONL: a file, or every <c>*.jsonl</c> file of a directory (and below), in path order. Blank lines are skipped.</summary>
public static class JsonlFiles
{
    public static IReadOnlyList<JsonlRecord> Read(string path)
    {
        var files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*.jsonl", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToList()
            : File.Exists(path) ? [path] : throw new FileNotFoundException($"data source {path} not found", path);
        var records = new List<JsonlRecord>();
        foreach (var file in files)
        {
            var number = 0;
            foreach (var line in File.ReadLines(file))
            {
                number++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    records.Add(new JsonlRecord(doc.RootElement.Clone(), file, number));
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"{file}:{number}: not a JSON object ({e.Message})", e);
                }
            }
        }
        return records;
    }

    /// <summary>The value of a top-level field as text (a string as is, anything else as its JSON), or null when absent.</summary>
    public static string? Field(JsonElement record, string name) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;
}
