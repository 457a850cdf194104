using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Apriel.Api.Schema;
using k8s.Models;

namespace Apriel.Api.Validation;

/// <summary>
/// Checks a JSON document against the API types' schema (the same attributes the CRD is generated from),
/// reporting every problem with its path: unknown fields, missing required fields, wrong types, enum values,
/// bounds, patterns and lengths. This is what a structural-schema API server would say, but all at once and
/// with a fix for each.
/// </summary>
public static class SchemaValidator
{
    /// <summary>Validates <paramref name="node"/> as a value of <paramref name="type"/>.</summary>
    public static void Validate(JsonNode? node, Type type, ErrorList errors)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (node == null || type == typeof(V1ObjectMeta)) return;
        if (TypeModel.ListElement(type) is { } element)
        {
            if (node is not JsonArray array) { WrongType(node, "a list", errors); return; }
            for (var i = 0; i < array.Count; i++) Validate(array[i], element, errors.At($"[{i}]"));
        }
        else if (TypeModel.MapValue(type) is { } value)
        {
            if (node is not JsonObject map) { WrongType(node, "a map", errors); return; }
            foreach (var (key, item) in map) Validate(item, value, errors.At(key));
        }
        else if (TypeModel.IsObject(type)) ValidateObject(node, type, errors);
        else ValidateScalar(node, type, errors);
    }

    static void ValidateObject(JsonNode node, Type type, ErrorList errors)
    {
        if (node is not JsonObject obj) { WrongType(node, "an object", errors); return; }
        var properties = TypeModel.Properties(type).ToDictionary(TypeModel.JsonName);
        foreach (var (name, value) in obj)
        {
            if (!properties.TryGetValue(name, out var property))
            {
                var close = properties.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
                errors.Add(name, "unknown field",
                    close != null ? $"did you mean \"{close}\"?" : $"known fields here are {string.Join(", ", properties.Keys)}");
                continue;
            }
            if (value == null) continue;
            Validate(value, property.PropertyType, errors.At(name));
            CheckConstraints(value, property, errors.At(name));
        }
        foreach (var (name, property) in properties)
            if (TypeModel.IsRequired(property) && obj[name] == null)
                errors.Add(name, "is required", $"set {name}: {Describe(property.PropertyType)}");
    }

    static void ValidateScalar(JsonNode node, Type type, ErrorList errors)
    {
        var value = node as JsonValue;
        if (type == typeof(string))
        {
            if (value == null || (!value.TryGetValue<string>(out _) && !IsNumber(value))) WrongType(node, "a string", errors);
        }
        else if (type == typeof(bool))
        {
            if (value == null || !value.TryGetValue<bool>(out _)) WrongType(node, "true or false", errors);
        }
        else if (type == typeof(int) || type == typeof(long))
        {
            if (value == null || !IsNumber(value) || Number(value) % 1 != 0) WrongType(node, "a whole number", errors);
            else if (type == typeof(int) && Math.Abs(Number(value)) > int.MaxValue) errors.Add(null, $"{node.ToJsonString()} is too large", $"use at most {int.MaxValue}");
        }
        else if (type == typeof(double))
        {
            if (value == null || !IsNumber(value)) WrongType(node, "a number", errors);
        }
        else if (type == typeof(DateTime))
        {
            if (value == null || !value.TryGetValue<string>(out var s) || !DateTime.TryParse(s, CultureInfo.InvariantCulture, out _))
                WrongType(node, "an RFC 3339 time", errors);
        }
        else if (type.IsEnum)
        {
            var names = TypeModel.EnumNames(type);
            if (value == null || !value.TryGetValue<string>(out var s) || !names.Contains(s))
            {
                var close = value != null && value.TryGetValue<string>(out var given)
                    ? names.FirstOrDefault(n => string.Equals(n, given.Replace("_", "").Replace("-", ""), StringComparison.OrdinalIgnoreCase))
                    : null;
                errors.Add(null, $"{node.ToJsonString()} is not one of {string.Join(", ", names)}",
                    close != null ? $"write \"{close}\" (values are case-sensitive)" : $"use one of {string.Join(", ", names)}");
            }
        }
    }

    static void CheckConstraints(JsonNode node, PropertyInfo p, ErrorList errors)
    {
        if (node is JsonValue v && IsNumber(v))
        {
            var x = Number(v);
            if (p.GetCustomAttribute<RangeAttribute>() is { } r)
            {
                double min = Convert.ToDouble(r.Minimum, CultureInfo.InvariantCulture), max = Convert.ToDouble(r.Maximum, CultureInfo.InvariantCulture);
                if (x < min || (r.MinimumIsExclusive && x == min) || x > max || (r.MaximumIsExclusive && x == max))
                    errors.Add(null, $"{Fmt(x)} is out of range", $"use a value {Bounds(min, r.MinimumIsExclusive, max, r.MaximumIsExclusive)}");
            }
            if (p.GetCustomAttribute<MinimumAttribute>() is { } m && (x < m.Value || (m.Exclusive && x == m.Value)))
                errors.Add(null, $"{Fmt(x)} is too small", $"use a value {(m.Exclusive ? ">" : "≥")} {Fmt(m.Value)}");
        }
        var text = node is JsonValue sv && sv.TryGetValue<string>(out var str) ? str : node is JsonValue nv && IsNumber(nv) ? nv.ToJsonString() : null;
        if (text != null)
        {
            if (p.GetCustomAttribute<QuantityAttribute>() != null && !Quantity.IsValid(text))
                errors.Add(null, $"\"{text}\" is not a resource quantity", "write it like 16, 500m or 64Gi");
            else if (p.GetCustomAttribute<RegularExpressionAttribute>() is { } re && !Regex.IsMatch(text, re.Pattern))
                errors.Add(null, $"\"{text}\" does not match {re.Pattern}", PatternHint(re.Pattern));
            if (p.GetCustomAttribute<MaxLengthAttribute>() is { } max && text.Length > max.Length)
                errors.Add(null, $"is {text.Length} characters long", $"use at most {max.Length}");
            if (p.GetCustomAttribute<MinLengthAttribute>() is { } min && text.Length < min.Length)
                errors.Add(null, "is too short", $"use at least {min.Length} characters");
        }
        if (node is JsonArray array)
        {
            if (p.GetCustomAttribute<MinLengthAttribute>() is { } min && array.Count < min.Length)
                errors.Add(null, $"has {array.Count} items", $"give at least {min.Length}");
            if (p.GetCustomAttribute<MaxLengthAttribute>() is { } max && array.Count > max.Length)
                errors.Add(null, $"has {array.Count} items", $"give at most {max.Length}");
        }
    }

    static string PatternHint(string pattern) => pattern switch
    {
        Api.V1Alpha1.Names.DnsLabelPattern => "use lower-case letters, digits and '-', starting and ending with a letter or digit",
        Api.V1Alpha1.Names.ArtifactUriPattern => "use s3://bucket/path or file:///absolute/path",
        Api.V1Alpha1.Names.DigestPattern => "write sha256: followed by 64 lower-case hex digits",
        _ => "fix the value to match the pattern",
    };

    static string Bounds(double min, bool minExclusive, double max, bool maxExclusive) =>
        $"{(minExclusive ? ">" : "≥")} {Fmt(min)} and {(maxExclusive ? "<" : "≤")} {Fmt(max)}";

    // GetValueKind covers values parsed from text and values built in code (an int is not TryGetValue<double>).
    static bool IsNumber(JsonValue v) => v.GetValueKind() == System.Text.Json.JsonValueKind.Number;

    static double Number(JsonValue v) => double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture);

    static string Fmt(double x) => x.ToString("G", CultureInfo.InvariantCulture);

    static void WrongType(JsonNode node, string expected, ErrorList errors) =>
        errors.Add(null, $"{Shorten(node.ToJsonString())} is not {expected}", $"write {expected} here");

    static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";

    static string Describe(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t.IsEnum ? $"one of {string.Join(", ", TypeModel.EnumNames(t))}"
            : TypeModel.ListElement(t) != null ? "a list"
            : TypeModel.IsObject(t) ? "an object"
            : t == typeof(string) ? "a string" : "a number";
    }
}
