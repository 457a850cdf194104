using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Apriel.Api.Schema;

/// <summary>
/// How the API types look on the wire: which properties are serialized, under what JSON names, and which are
/// required. Shared by the CRD generator and the validator so the two can never disagree.
/// </summary>
public static class TypeModel
{
    static readonly NullabilityInfoContext Nullability = new();

    /// <summary>The serialized properties of an object type, in declaration order (base type first).</summary>
    public static IReadOnlyList<PropertyInfo> Properties(Type type) => type
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanRead && p.SetMethod is { IsPublic: true } && p.GetCustomAttribute<JsonIgnoreAttribute>() == null
                    && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
        .OrderBy(p => Depth(p.DeclaringType!))
        .ThenBy(p => p.MetadataToken)
        .ToList();

    /// <summary>The JSON name of a property (camelCase unless renamed).</summary>
    public static string JsonName(PropertyInfo p) =>
        p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name);

    /// <summary>Whether the property uses C#'s <c>required</c> modifier, which is what makes it required on the wire.</summary>
    public static bool IsRequired(PropertyInfo p) => p.GetCustomAttribute<RequiredMemberAttribute>() != null;

    /// <summary>Whether a missing value is impossible in C#: non-nullable and not a value of <see cref="Nullable{T}"/>.</summary>
    public static bool IsNonNullable(PropertyInfo p) =>
        Nullable.GetUnderlyingType(p.PropertyType) == null && Nullability.Create(p).ReadState == NullabilityState.NotNull;

    /// <summary>The element type of a list, or null.</summary>
    public static Type? ListElement(Type t) =>
        t != typeof(string) && t.IsGenericType && typeof(IList).IsAssignableFrom(t) ? t.GetGenericArguments()[0] : null;

    /// <summary>The value type of a string-keyed dictionary, or null.</summary>
    public static Type? MapValue(Type t) =>
        t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? t.GetGenericArguments()[1] : null;

    /// <summary>Whether values of this type are objects with properties of their own.</summary>
    public static bool IsObject(Type t) =>
        t.IsClass && t != typeof(string) && ListElement(t) == null && MapValue(t) == null;

    /// <summary>Enum value names as they are serialized.</summary>
    public static IReadOnlyList<string> EnumNames(Type t) => Enum.GetNames(t);

    static int Depth(Type t) => t.BaseType == null ? 0 : 1 + Depth(t.BaseType);
}
