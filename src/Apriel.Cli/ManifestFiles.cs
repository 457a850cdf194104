using Apriel.Api.Manifests;
using Apriel.Api.Validation;

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

    /// <summary>
    /// Loads <paramref name="path"/> and checks it as <c>apriel validate</c> does (schema, field rules, references
    /// across the set), printing every problem; the manifests, or null when there were problems.
    /// </summary>
    public static IReadOnlyList<Manifest>? LoadValid(string path, TextWriter output)
    {
        var set = Load(path);
        IReadOnlyList<ManifestProblem> problems = [.. set.Problems, .. PipelineValidator.Validate(set.Manifests, set.Invalid, set.Flawed)];
        foreach (var problem in problems) output.WriteLine(problem);
        output.WriteLine(problems.Count == 0 ? $"{set.Manifests.Count} resources in {path}: valid" : $"{problems.Count} problem(s) in {path}");
        return problems.Count == 0 ? set.Manifests : null;
    }
}
