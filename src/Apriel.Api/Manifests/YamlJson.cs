using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Apriel.Api.Manifests;

/// <summary>
/// Converts YAML documents to JSON with the YAML 1.2 core schema (what Kubernetes tooling does): unquoted
/// scalars become null, booleans or numbers when they look like one, everything else is a string. The API
/// types then have a single wire format, JSON, in the operator and in the CLI alike.
/// </summary>
public static partial class YamlJson
{
    /// <summary>One YAML document and the line it starts on.</summary>
    public sealed record Document(JsonNode? Json, int Line);

    /// <summary>Every document of a YAML stream; empty documents are skipped.</summary>
    /// <exception cref="YamlException">The text is not valid YAML; the message carries the line and column.</exception>
    public static IReadOnlyList<Document> Parse(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        try { return Parse(parser); }
        catch (InvalidOperationException e) // YamlDotNet's scanner throws this on some malformed flow collections
        {
            var at = parser.Current?.End ?? Mark.Empty;
            throw new YamlException(at, at, $"malformed YAML after line {at.Line}: an unclosed [ or {{? ({e.Message})");
        }
    }

    static IReadOnlyList<Document> Parse(Parser parser)
    {
        var documents = new List<Document>();
        parser.Consume<StreamStart>();
        while (parser.TryConsume<DocumentStart>(out _))
        {
            var line = (int)(parser.Current?.Start.Line ?? 0); // the document's first content, after any "---"
            var node = parser.Accept<DocumentEnd>(out _) ? null : Read(parser);
            parser.Consume<DocumentEnd>();
            if (node != null) documents.Add(new Document(node, line));
        }
        return documents;
    }

    static JsonNode? Read(IParser parser)
    {
        // YamlDotNet ends an unterminated flow collection without an error event; say so instead of failing later.
        if (parser.Current == null) throw new YamlException("unexpected end of the YAML text: an unclosed [ or {?");
        if (parser.TryConsume<Scalar>(out var scalar)) return FromScalar(scalar);
        if (parser.TryConsume<SequenceStart>(out _))
        {
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _)) array.Add(Read(parser));
            return array;
        }
        if (parser.TryConsume<MappingStart>(out _))
        {
            var obj = new JsonObject();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.Consume<Scalar>();
                obj[key.Value] = Read(parser);
            }
            return obj;
        }
        var e = parser.Current!;
        throw new YamlException(e.Start, e.End, $"unsupported YAML construct {e.GetType().Name} (anchors and aliases are not supported)");
    }

    static JsonNode? FromScalar(Scalar s)
    {
        if (!s.IsPlainImplicit) return JsonValue.Create(s.Value);
        var v = s.Value;
        if (v is "" or "~" or "null" or "Null" or "NULL") return null;
        if (v is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (v is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (IntPattern().IsMatch(v) && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (FloatPattern().IsMatch(v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
        return JsonValue.Create(v);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
