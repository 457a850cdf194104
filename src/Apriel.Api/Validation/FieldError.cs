namespace Apriel.Api.Validation;

/// <summary>One problem with a manifest: the field, what is wrong, and how to fix it.</summary>
/// <param name="Path">Field path as users write it, e.g. <c>spec.optimizer.learningRate</c>.</param>
/// <param name="Problem">What is wrong, including the offending value.</param>
/// <param name="Fix">How to fix it.</param>
public sealed record FieldError(string Path, string Problem, string Fix)
{
    /// <summary>The one-line form used in conditions and CLI output.</summary>
    public override string ToString() => $"{Path}: {Problem}; {Fix}";
}

/// <summary>Collects field errors under a path prefix; validators write <c>errors.At("spec").Add(...)</c>.</summary>
public sealed class ErrorList
{
    readonly List<FieldError> _errors;
    readonly string _prefix;

    /// <summary>An empty list at the root.</summary>
    public ErrorList() : this([], "") { }

    ErrorList(List<FieldError> errors, string prefix) => (_errors, _prefix) = (errors, prefix);

    /// <summary>The errors collected so far, in order.</summary>
    public IReadOnlyList<FieldError> Errors => _errors;

    /// <summary>A view that adds errors under a child path (<c>name</c>, or <c>[i]</c> for list items).</summary>
    public ErrorList At(string child) =>
        new(_errors, _prefix.Length == 0 || child.StartsWith('[') ? _prefix + child : _prefix + "." + child);

    /// <summary>Adds an error at this path, or at a child of it.</summary>
    public void Add(string? child, string problem, string fix) =>
        _errors.Add(new FieldError(child == null ? _prefix : At(child)._prefix, problem, fix));
}
