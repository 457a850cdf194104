using System.Text.Json;

namespace Apriel.Trainer.Data;

/// <summary>A record of a JSONL source and where it came from (its file's location: for messages and relative image paths).</summary>
public sealed record JsonlRecord(JsonElement Value, string File, int Line)
{
    public string Where => $"{File}:{Line}";
}

/// <summary>Reads JSONL files (<see cref="InputFiles"/> lists a source's: a file, or every <c>*.jsonl</c> of a directory). Blank lines are skipped.</summary>
public static class JsonlFiles
{
    /// <summary>Whether a file of a directory source is read as JSONL.</summary>
    public static bool IsJsonl(string path) => path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase);

    public static IReadOnlyList<JsonlRecord> Read(IReadOnlyList<InputFile> files)
    {
        var records = new List<JsonlRecord>();
        foreach (var file in files)
        {
            var number = 0;
            foreach (var line in File.ReadLines(file.Path))
            {
                number++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    records.Add(new JsonlRecord(doc.RootElement.Clone(), file.Location, number));
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"{file.Location}:{number}: not a JSON object ({e.Message})", e);
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
