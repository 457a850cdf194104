namespace Apriel.Api.Validation;

/// <summary>Small graph algorithms over resource references.</summary>
public static class Graph
{
    /// <summary>Each elementary cycle reachable by depth-first search, reported once, as the list of its nodes.</summary>
    public static IReadOnlyList<IReadOnlyList<T>> Cycles<T>(IEnumerable<T> nodes, Func<T, IEnumerable<T>> edges) where T : notnull
    {
        var state = new Dictionary<T, bool>(); // false: on the current path; true: finished
        var path = new List<T>();
        var cycles = new List<IReadOnlyList<T>>();
        void Visit(T node)
        {
            state[node] = false;
            path.Add(node);
            foreach (var next in edges(node))
                if (!state.TryGetValue(next, out var done)) Visit(next);
                else if (!done) cycles.Add(path[path.IndexOf(next)..]);
            path.RemoveAt(path.Count - 1);
            state[node] = true;
        }
        foreach (var node in nodes)
            if (!state.ContainsKey(node)) Visit(node);
        return cycles;
    }
}
