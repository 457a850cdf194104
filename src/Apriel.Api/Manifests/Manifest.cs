using System.Text.Json;
using System.Text.Json.Nodes;
using Apriel.Api.Validation;
using Apriel.Api.V1Alpha1;
using k8s;
using k8s.Models;
using YamlDotNet.Core;

namespace Apriel.Api.Manifests;

/// <summary>Where a manifest came from, for error messages: a file and the line its document starts on.</summary>
public sealed record ManifestOrigin(string File, int Line)
{
    /// <summary><c>file:line</c>.</summary>
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>A parsed Apriel resource and where it came from.</summary>
public sealed record Manifest(ManifestOrigin Origin, IKubernetesObject<V1ObjectMeta> Resource)
{
    /// <summary>The resource's reference (kind and name).</summary>
    public ResourceRef Ref => new(Resource is TrainingStage ? ResourceKind.TrainingStage : ResourceKind.ModelMerge, Resource.Metadata.Name);
}

/// <summary>
/// What reading a set of manifests gave: the valid resources, the problems, the names of the invalid ones, and those of
/// the invalid ones that could still be typed (a field rule failed), whose references can still be checked.
/// </summary>
public sealed record ManifestSet(IReadOnlyList<Manifest> Manifests, IReadOnlyList<ManifestProblem> Problems, IReadOnlyList<ResourceRef> Invalid,
    IReadOnlyList<Manifest> Flawed)
{
    /// <summary>No manifests.</summary>
    public static readonly ManifestSet Empty = new([], [], [], []);

    /// <summary>Both sets together.</summary>
    public ManifestSet Concat(ManifestSet other) =>
        new([.. Manifests, .. other.Manifests], [.. Problems, .. other.Problems], [.. Invalid, .. other.Invalid], [.. Flawed, .. other.Flawed]);
}

/// <summary>A problem found while reading or validating manifests.</summary>
public sealed record ManifestProblem(ManifestOrigin Origin, string Resource, FieldError Error)
{
    /// <summary><c>file:line: Kind/name: path: problem; fix</c>.</summary>
    public override string ToString() => $"{Origin}: {Resource}: {Error}";
}

/// <summary>Reads Apriel resources out of YAML text, checking each against the schema before it is typed.</summary>
public static class ManifestReader
{
    /// <summary>Parses every document of a YAML file; documents of other API groups are ignored.</summary>
    public static ManifestSet Read(string yaml, string file)
    {
        var manifests = new List<Manifest>();
        var problems = new List<ManifestProblem>();
        var invalid = new List<ResourceRef>();
        var flawed = new List<Manifest>();
        IReadOnlyList<YamlJson.Document> documents;
        try { documents = YamlJson.Parse(yaml); }
        catch (YamlException e)
        {
            problems.Add(new ManifestProblem(new ManifestOrigin(file, (int)e.Start.Line), "(yaml)",
                new FieldError("", $"is not valid YAML: {e.Message}", "fix the YAML syntax at that line")));
            return new ManifestSet(manifests, problems, invalid, flawed);
        }
        foreach (var doc in documents)
        {
            var origin = new ManifestOrigin(file, doc.Line);
            var (manifest, errors) = ReadDocument(doc.Json);
            if (manifest != null && errors.Count == 0) manifests.Add(new Manifest(origin, manifest));
            else if (manifest != null && HasReferenceFields(manifest)) flawed.Add(new Manifest(origin, manifest));
            problems.AddRange(errors.Select(e => new ManifestProblem(origin, Describe(doc.Json), e)));
            if (errors.Count > 0 && RefOf(doc.Json) is { } r) invalid.Add(r);
        }
        return new ManifestSet(manifests, problems, invalid, flawed);
    }

    /// <summary>
    /// Types one JSON document: null (and no errors) when it is not an Apriel resource. With errors, the resource is
    /// returned when it could be typed all the same, for reference checks; it must not be run.
    /// </summary>
    public static (IKubernetesObject<V1ObjectMeta>? Resource, IReadOnlyList<FieldError> Errors) ReadDocument(JsonNode? json)
    {
        var errors = new ErrorList();
        if (json is not JsonObject obj) return (null, errors.Errors);
        var apiVersion = (string?)obj["apiVersion"];
        var kind = (string?)obj["kind"];
        if (apiVersion?.StartsWith(ApiGroup.Group + "/", StringComparison.Ordinal) != true) return (null, errors.Errors);
        if (apiVersion != ApiGroup.ApiVersion)
        {
            errors.Add("apiVersion", $"\"{apiVersion}\" is not served", $"use {ApiGroup.ApiVersion}");
            return (null, errors.Errors);
        }
        var type = kind switch
        {
            TrainingStage.KindName => typeof(TrainingStage),
            ModelMerge.KindName => typeof(ModelMerge),
            _ => null,
        };
        if (type == null)
        {
            errors.Add("kind", $"\"{kind}\" is not a kind of {ApiGroup.Group}", $"use {TrainingStage.KindName} or {ModelMerge.KindName}");
            return (null, errors.Errors);
        }
        SchemaValidator.Validate(json, type, errors);
        var schemaValid = errors.Errors.Count == 0;
        try
        {
            var resource = (IKubernetesObject<V1ObjectMeta>)json.Deserialize(type, ApiJson.Options)!;
            // Field rules only on what the schema accepts (else their messages repeat the schema's); a resource typed
            // despite schema errors is still returned, for checks of its references.
            if (schemaValid) ResourceValidator.Validate(resource, errors);
            return (resource, errors.Errors);
        }
        catch (JsonException e)
        {
            if (schemaValid) errors.Add(e.Path?.TrimStart('$', '.') ?? "", $"cannot be read: {e.Message}", "fix the value's type");
            return (null, errors.Errors);
        }
    }

    // A resource typed despite errors may lack what the schema requires (a null spec, model or input): only one with
    // every field the reference checks read is checked.
    static bool HasReferenceFields(IKubernetesObject<V1ObjectMeta> resource) => resource.Metadata?.Name != null && resource switch
    {
        TrainingStage s => s.Spec?.Model != null,
        ModelMerge m => m.Spec?.Inputs is { } inputs && inputs.All(i => i != null),
        _ => false,
    };

    static ResourceRef? RefOf(JsonNode? json) => ((string?)json?["kind"], (string?)json?["metadata"]?["name"]) switch
    {
        (TrainingStage.KindName, { } name) => new ResourceRef(ResourceKind.TrainingStage, name),
        (ModelMerge.KindName, { } name) => new ResourceRef(ResourceKind.ModelMerge, name),
        _ => null,
    };

    static string Describe(JsonNode? json) => $"{(string?)json?["kind"] ?? "?"}/{(string?)json?["metadata"]?["name"] ?? "?"}";
}
