using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Apriel.Api.Schema;

namespace Apriel.Api.V1Alpha1;

/// <summary>
/// Where a model comes from: exactly one of another stage's output, a merge's output, an artifact URI, or a
/// built-in configuration initialised at random.
/// </summary>
[CelRule("[has(self.stage), has(self.merge), has(self.uri), has(self.init)].filter(x, x).size() == 1",
    "set exactly one of stage, merge, uri or init")]
public record ModelSource
{
    /// <summary>Name of a TrainingStage in the same namespace; its final model is used once it has succeeded.</summary>
    [RegularExpression(Names.DnsLabelPattern)]
    [MaxLength(Names.MaxNameLength)]
    public string? Stage { get; init; }

    /// <summary>Name of a ModelMerge in the same namespace; its output model is used once it has succeeded.</summary>
    [RegularExpression(Names.DnsLabelPattern)]
    [MaxLength(Names.MaxNameLength)]
    public string? Merge { get; init; }

    /// <summary>
    /// A committed model directory: <c>s3://bucket/prefix/</c>, <c>file:///path/</c>, or a path relative to the
    /// artifact store's root. A Hugging Face checkpoint directory (config.json + safetensors) is accepted too.
    /// </summary>
    [RegularExpression(Names.ArtifactUriPattern)]
    public string? Uri { get; init; }

    /// <summary>
    /// Name of a built-in model configuration (e.g. <c>tiny</c>) to initialise at random from the stage's seed:
    /// for demos and tests that have no pretrained base.
    /// </summary>
    [RegularExpression(Names.DnsLabelPattern)]
    [MaxLength(63)]
    public string? Init { get; init; }

    /// <summary>Optional pin for <c>uri</c>: the expected <c>sha256:…</c> digest of its MANIFEST.json.</summary>
    [RegularExpression(Names.DigestPattern)]
    public string? Digest { get; init; }

    /// <summary>The referenced resource, if this source names one.</summary>
    [JsonIgnore]
    public ResourceRef? Reference =>
        Stage != null ? new ResourceRef(ResourceKind.TrainingStage, Stage)
        : Merge != null ? new ResourceRef(ResourceKind.ModelMerge, Merge)
        : null;

    /// <summary>A short human form: <c>stage/NAME</c>, <c>merge/NAME</c>, the URI or <c>init/CONFIG</c>.</summary>
    public sealed override string ToString() => Reference?.ToString() ?? Uri ?? (Init != null ? "init/" + Init : "(none)");
}
