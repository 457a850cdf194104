using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Apriel.Api.Schema;

/// <summary>
/// The <c>&lt;summary&gt;</c> texts of a compiler-generated XML documentation file, as plain sentences: the C#
/// doc comments on the API types are the single source of the CRD schema's descriptions.
/// </summary>
public sealed partial class XmlDocs
{
    readonly Dictionary<string, string> _summaries;

    XmlDocs(Dictionary<string, string> summaries) => _summaries = summaries;

    /// <summary>Reads the summaries out of the XML text of a documentation file.</summary>
    public static XmlDocs Parse(string xml) => new(
        XDocument.Parse(xml).Descendants("member")
            .Where(m => m.Element("summary") != null)
            .ToDictionary(m => (string)m.Attribute("name")!, m => Plain(m.Element("summary")!)));

    /// <summary>The summary of a type or property, or null when it has none.</summary>
    public string? For(MemberInfo member) => _summaries.GetValueOrDefault(member switch
    {
        Type t => "T:" + t.FullName,
        PropertyInfo p => "P:" + p.DeclaringType!.FullName + "." + p.Name,
        _ => "",
    });

    // <c>x</c> and <see cref="T:A.B.C"/> become x and C; whitespace collapses to single spaces.
    static string Plain(XElement summary)
    {
        var text = string.Concat(summary.Nodes().Select(n => n switch
        {
            XElement { Name.LocalName: "see" } see => ((string?)see.Attribute("cref") ?? "").Split('.').Last(),
            XElement e => e.Value,
            _ => n.ToString(),
        }));
        return Whitespace().Replace(System.Net.WebUtility.HtmlDecode(text), " ").Trim();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
