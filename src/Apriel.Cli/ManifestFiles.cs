using Apriel.Api.Manifests;

namespace Apriel.Cli;

/// <summary>Reads the manifests of a directory (recursively, in path order) or of one file.</summary>
public static class ManifestFiles
{
    public static ManifestSet Load(string path)
    {
        var files = File.Exists(path)
            ? [path]
            : Directory.EnumerateFiles(path, "*.*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .ToList();
        return files.Aggregate(ManifestSet.Empty, (set, file) => set.Concat(ManifestReader.Read(File.ReadAllText(file), file)));
    }
}
