using System.Text.Json;
using System.Text.Json.Serialization;
using Apriel.Api.Runs;

namespace Apriel.Artifacts;

/// <summary>
/// MANIFEST.json on the wire: camelCase, indented, nulls omitted. Serialising is deterministic (property order is
/// declaration order, files sorted), so the same manifest gives the same bytes and the same digest. Parsing
/// refuses anything a reader could be misled by, with the key and the reason.
/// </summary>
public static class ManifestJson
{
    /// <summary>A manifest larger than this is refused unread (a real one is kilobytes).</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        AllowTrailingCommas = false,
    };

    /// <summary>The manifest's bytes, with its files sorted by path.</summary>
    public static byte[] Serialize(ArtifactManifest manifest)
    {
        var sorted = manifest with { Files = [.. manifest.Files.OrderBy(f => f.Path, StringComparer.Ordinal)] };
        return JsonSerializer.SerializeToUtf8Bytes(sorted, Options);
    }

    /// <summary>Parses and checks manifest bytes read from <paramref name="key"/>.</summary>
    /// <exception cref="ArtifactIntegrityException">Not JSON, not a manifest, or not a consistent one.</exception>
    public static ArtifactManifest Parse(ReadOnlySpan<byte> bytes, string key)
    {
        ArtifactManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ArtifactManifest>(bytes, Options);
        }
        catch (JsonException e)
        {
            throw Malformed(key, e.Message);
        }
        if (manifest is null) throw Malformed(key, "it is JSON null");
        if (manifest.Version != ArtifactManifest.CurrentVersion)
        {
            throw Malformed(key, $"version {manifest.Version} is not known (this reader knows {ArtifactManifest.CurrentVersion})");
        }
        if (manifest.Files is null) throw Malformed(key, "it has no file list");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            if (file is null) throw Malformed(key, "a file entry is null");
            // A path that escapes the directory would make a download write outside its target.
            if (file.Path is null || !ArtifactKeys.IsValid(file.Path)) throw Malformed(key, $"file path \"{file.Path}\" is not a relative path inside the directory");
            if (file.Path == ArtifactLayout.Manifest) throw Malformed(key, "it lists itself");
            if (!seen.Add(file.Path)) throw Malformed(key, $"file \"{file.Path}\" is listed twice");
            if (file.Size < 0) throw Malformed(key, $"file \"{file.Path}\" has a negative size");
            if (file.Sha256 is null || !ArtifactDigest.IsSha256Hex(file.Sha256)) throw Malformed(key, $"file \"{file.Path}\" has no valid sha256");
        }
        if (manifest.Lineage is null) throw Malformed(key, "it has no lineage");
        return manifest;
    }

    static ArtifactIntegrityException Malformed(string key, string reason) =>
        new(key, $"Manifest \"{key}\" is malformed: {reason}.");
}
