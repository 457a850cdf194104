using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Apriel.Api.Schema;

/// <summary>Kubernetes resource quantities (<c>16</c>, <c>500m</c>, <c>64Gi</c>), written as a number or a string.</summary>
public static partial class Quantity
{
    /// <summary>The pattern Kubernetes uses for quantities.</summary>
    public const string Pattern = @"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

    /// <summary>Whether a text is a valid quantity.</summary>
    public static bool IsValid(string text) => QuantityRegex().IsMatch(text);

    [GeneratedRegex(Pattern)]
    private static partial Regex QuantityRegex();
}

/// <summary>Reads a quantity written as a JSON number or string into a string, and writes it back as a string.</summary>
public sealed class QuantityJsonConverter : JsonConverter<string>
{
    /// <inheritdoc/>
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number
            ? System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan)
            : reader.GetString();

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
