namespace Apriel.Testing;

/// <summary>Paths in the repository the tests run from.</summary>
public static class RepoPaths
{
    public static readonly string Root = FindRoot(AppContext.BaseDirectory);

    public static string Of(string relative) => Path.Combine(Root, relative);

    static string FindRoot(string dir) =>
        File.Exists(Path.Combine(dir, "Apriel.Operator.sln")) ? dir
        : Directory.GetParent(dir)?.FullName is { } parent ? FindRoot(parent)
        : throw new DirectoryNotFoundException("Apriel.Operator.sln not found above " + AppContext.BaseDirectory);
}
