namespace Apriel.Api.Schema;

/// <summary>
/// A CEL validation rule for the CRD schema (<c>x-kubernetes-validations</c>). API servers before 1.25 ignore
/// these, so every rule has an equivalent check in the validators (<c>Apriel.Api.Validation</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Property, AllowMultiple = true)]
public sealed class CelRuleAttribute(string rule, string message) : Attribute
{
    /// <summary>The CEL expression; <c>self</c> is the object or property it is attached to.</summary>
    public string Rule { get; } = rule;

    /// <summary>The message the API server returns when the rule fails.</summary>
    public string Message { get; } = message;
}

/// <summary>A column that <c>kubectl get</c> prints for the resource.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class PrinterColumnAttribute(string name, string type, string jsonPath, string description) : Attribute
{
    /// <summary>Column header.</summary>
    public string Name { get; } = name;

    /// <summary>OpenAPI type of the column: string, integer, number, boolean or date.</summary>
    public string Type { get; } = type;

    /// <summary>JSONPath into the object, e.g. <c>.status.phase</c>.</summary>
    public string JsonPath { get; } = jsonPath;

    /// <summary>Help text for the column.</summary>
    public string Description { get; } = description;

    /// <summary>0 shows the column always; 1 only with <c>-o wide</c>.</summary>
    public int Priority { get; init; }
}

/// <summary>Describes a custom resource kind: its names and scope for the CRD.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class CustomResourceAttribute(string kind, string plural, params string[] shortNames) : Attribute
{
    /// <summary>The kind, e.g. <c>TrainingStage</c>.</summary>
    public string Kind { get; } = kind;

    /// <summary>The plural resource name, e.g. <c>trainingstages</c>.</summary>
    public string Plural { get; } = plural;

    /// <summary>Short names for kubectl, e.g. <c>ts</c>.</summary>
    public string[] ShortNames { get; } = shortNames;

    /// <summary>Categories for <c>kubectl get CATEGORY</c>.</summary>
    public string[] Categories { get; init; } = [];
}

/// <summary>The value is a Kubernetes resource quantity such as <c>16</c>, <c>500m</c> or <c>64Gi</c>.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class QuantityAttribute : Attribute;

/// <summary>A lower bound without an upper one (use <see cref="System.ComponentModel.DataAnnotations.RangeAttribute"/> for both).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinimumAttribute(double value) : Attribute
{
    /// <summary>The bound.</summary>
    public double Value { get; } = value;

    /// <summary>Whether the bound itself is excluded.</summary>
    public bool Exclusive { get; init; }
}
