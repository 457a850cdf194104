using System.Text.RegularExpressions;
using Apriel.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace Apriel.Api.Validation;

/// <summary>
/// Checks of one typed resource that the schema alone cannot express: the CRD's CEL rules (which API servers
/// before 1.25 ignore) and relations between fields. Shared by the operator, the local runner and
/// <c>apriel validate</c>.
/// </summary>
public static class ResourceValidator
{
    /// <summary>Every problem of the resource; empty when it is valid.</summary>
    public static IReadOnlyList<FieldError> Validate(IKubernetesObject<V1ObjectMeta> resource)
    {
        var errors = new ErrorList();
        Validate(resource, errors);
        return errors.Errors;
    }

    /// <summary>Adds the resource's problems to <paramref name="errors"/>.</summary>
    public static void Validate(IKubernetesObject<V1ObjectMeta> resource, ErrorList errors)
    {
        ValidateName(resource.Metadata?.Name, errors.At("metadata").At("name"));
        switch (resource)
        {
            case TrainingStage stage: StageRules.Validate(stage.Spec, errors.At("spec")); break;
            case ModelMerge merge: MergeRules.Validate(merge.Spec, errors.At("spec")); break;
        }
    }

    static void ValidateName(string? name, ErrorList errors)
    {
        if (string.IsNullOrEmpty(name)) errors.Add(null, "is required", "give the resource a name");
        else if (name.Length > Names.MaxNameLength)
            errors.Add(null, $"\"{name}\" is {name.Length} characters long",
                $"use at most {Names.MaxNameLength} so that Job and pod names derived from it stay valid");
        else if (!Regex.IsMatch(name, Names.DnsLabelPattern))
            errors.Add(null, $"\"{name}\" is not a DNS label", "use lower-case letters, digits and '-' (no dots)");
    }

    /// <summary>The <see cref="ModelSource"/> rule: exactly one of stage, merge, uri or init; a digest only pins a uri.</summary>
    internal static void ValidateSource(ModelSource source, ErrorList errors)
    {
        var set = new[] { ("stage", source.Stage), ("merge", source.Merge), ("uri", source.Uri), ("init", source.Init) }
            .Where(x => x.Item2 != null).ToList();
        if (set.Count != 1)
            errors.Add(null, set.Count == 0 ? "names no model" : $"sets {string.Join(" and ", set.Select(x => x.Item1))}",
                "set exactly one of stage, merge, uri or init");
        if (source.Uri != null) ValidateUri(source.Uri, errors.At("uri"));
        if (source.Digest != null && source.Uri == null)
            errors.Add("digest", "is set without uri", "remove digest: stage and merge outputs are resolved to digests by the operator");
    }

    /// <summary>Refuses relative artifact paths that climb out of the store (<c>..</c>).</summary>
    internal static void ValidateUri(string uri, ErrorList errors)
    {
        if (uri.Split('/').Contains(".."))
            errors.Add(null, $"\"{uri}\" contains a '..' segment", "name the artifact without '..'; relative paths stay inside the artifact store");
    }
}
