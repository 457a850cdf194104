using System.Globalization;
using System.Text;
using System.Text.Json;
using k8s.Models;

namespace Apriel.Api.Schema;

/// <summary>
/// The CRD reference (<c>crds/README.md</c>): every field of every resource with its type, default, bounds and
/// description, rendered from the generated CRDs themselves, so it cannot say anything the API server does not enforce.
/// </summary>
public static class CrdReference
{
    /// <summary>The Markdown reference of <paramref name="crds"/>.</summary>
    public static string Render(IEnumerable<V1CustomResourceDefinition> crds)
    {
        var md = new StringBuilder();
        md.AppendLine("<!-- Generated from src/Apriel.Api by `make crds`. Do not edit. -->");
        md.AppendLine("# API reference: apriel.dev/v1alpha1").AppendLine();
        md.AppendLine("Every field of the custom resources, as the CRDs in this directory define them (defaults are applied by the API server; bounds and rules are enforced by it).");
        foreach (var crd in crds)
        {
            var version = crd.Spec.Versions.Single(v => v.Served);
            var names = crd.Spec.Names;
            md.AppendLine().AppendLine($"## {names.Kind}").AppendLine();
            var root = version.Schema.OpenAPIV3Schema;
            if (root.Description is { } about) md.AppendLine(about).AppendLine();
            md.AppendLine($"`kubectl get {names.Plural}` (short: {string.Join(", ", (names.ShortNames ?? []).Select(s => $"`{s}`"))}), {crd.Spec.Scope.ToLowerInvariant()}.");
            foreach (var rule in root.XKubernetesValidations ?? []) md.AppendLine().Append($"- Rule: `{rule.Rule}`: {rule.Message}");
            md.AppendLine().AppendLine().AppendLine("| Field | Type | Default | Description |").AppendLine("|---|---|---|---|");
            foreach (var name in new[] { "spec", "status" })
                if (root.Properties.TryGetValue(name, out var part)) Walk(md, name, part, required: root.Required?.Contains(name) == true);
        }
        return md.ToString();
    }

    static void Walk(StringBuilder md, string path, V1JSONSchemaProps schema, bool required)
    {
        var type = TypeOf(schema);
        var notes = new List<string>();
        if (required) notes.Add("**required**");
        if (schema.EnumProperty is { Count: > 0 } values) notes.Add("one of " + string.Join(", ", values.Select(v => $"`{v}`")));
        if (schema.Minimum is { } min) notes.Add((schema.ExclusiveMinimum == true ? "> " : "≥ ") + min.ToString(CultureInfo.InvariantCulture));
        if (schema.Maximum is { } max) notes.Add((schema.ExclusiveMaximum == true ? "< " : "≤ ") + max.ToString(CultureInfo.InvariantCulture));
        if (schema.MinLength is { } minLength) notes.Add($"length ≥ {minLength}");
        if (schema.MaxLength is { } maxLength) notes.Add($"length ≤ {maxLength}");
        if (schema.MinItems is { } minItems) notes.Add($"≥ {minItems} items");
        if (schema.Pattern is { } pattern) notes.Add($"pattern `{pattern}`");
        foreach (var rule in schema.XKubernetesValidations ?? []) notes.Add($"rule: {rule.Message}");
        var description = (schema.Description ?? "").Replace("\n", " ", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal);
        md.AppendLine($"| `{path}` | {type} | {Default(schema)} | {description}{(notes.Count > 0 ? " (" + string.Join("; ", notes) + ")" : "")} |");

        var item = schema.Items as V1JSONSchemaProps ?? (schema.Items is JsonElement e ? e.Deserialize<V1JSONSchemaProps>() : null);
        if (item?.Properties != null) Children(md, path + "[]", item);
        else if (schema.Properties != null) Children(md, path, schema);
    }

    static void Children(StringBuilder md, string path, V1JSONSchemaProps schema)
    {
        foreach (var (name, child) in schema.Properties) Walk(md, $"{path}.{name}", child, schema.Required?.Contains(name) == true);
    }

    static string TypeOf(V1JSONSchemaProps schema)
    {
        if (schema.XKubernetesIntOrString == true) return "int or string";
        if (schema.Type == "array")
        {
            var item = schema.Items as V1JSONSchemaProps ?? (schema.Items is JsonElement e ? e.Deserialize<V1JSONSchemaProps>() : null);
            return $"[]{(item == null ? "" : TypeOf(item))}";
        }
        if (schema.Type == "object" && schema.AdditionalProperties is not null && schema.Properties == null) return "map";
        return schema.Type ?? "any";
    }

    static string Default(V1JSONSchemaProps schema) => schema.DefaultProperty switch
    {
        null => "",
        JsonElement { ValueKind: JsonValueKind.Object } e when !e.EnumerateObject().Any() => "",
        JsonElement e => $"`{e.GetRawText()}`",
        var other => $"`{JsonSerializer.Serialize(other)}`",
    };
}
