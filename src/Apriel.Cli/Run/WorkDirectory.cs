namespace Apriel.Cli.Run;

/// <summary>The layout of <c>apriel run</c>'s working directory: <c>store/</c> (the default artifact store), <c>tasks/</c>, <c>logs/</c>, <c>report/</c>.</summary>
public static class WorkDirectory
{
    /// <summary>The default store's root URI for a working directory.</summary>
    public static string DefaultStore(string work) => new Uri(Path.Combine(Path.GetFullPath(work), "store") + "/").AbsoluteUri;
}
