using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Apriel.Api.Schema;

namespace Apriel.Api.V1Alpha1;

/// <summary>The data a stage trains on: a weighted mixture of sources, packed to a sequence length.</summary>
public sealed record DataSpec
{
    /// <summary>The sources of the mixture. Samples are drawn in proportion to the sources' weights.</summary>
    [MinLength(1)]
    public required List<DataSource> Sources { get; init; }

    /// <summary>Tokens per training sequence (per row of a batch).</summary>
    [Range(16, 1_048_576)]
    public required int SequenceLength { get; init; }

    /// <summary>
    /// Pack several documents into each sequence. Packed documents attend only within themselves and restart
    /// their positions, so packing changes throughput, not what the model sees.
    /// </summary>
    [DefaultValue(true)]
    public bool Packing { get; init; } = true;

    /// <summary>Which tokens carry loss: <c>All</c> text tokens, or only assistant <c>Responses</c>.</summary>
    [DefaultValue(LossTokens.All)]
    public LossTokens Loss { get; init; } = LossTokens.All;
}

/// <summary>One source of a data mixture.</summary>
[CelRule("self.format == 'SyntheticVisual' ? has(self.synthetic) : !has(self.synthetic)",
    "synthetic is set exactly when format is SyntheticVisual")]
public sealed record DataSource
{
    /// <summary>A name for the source, unique within the stage; used in metrics and lineage.</summary>
    [RegularExpression(Names.DnsLabelPattern)]
    [MaxLength(63)]
    public required string Name { get; init; }

    /// <summary>
    /// Where the records are: a JSONL file or a directory of JSONL files (<c>s3://…</c>, <c>file:///…</c> or relative
    /// to the artifact store's root); for
    /// <c>SyntheticVisual</c>, a directory of raw images.
    /// </summary>
    [RegularExpression(Names.ArtifactUriPattern)]
    public required string Uri { get; init; }

    /// <summary>How the records are laid out.</summary>
    public required DataFormat Format { get; init; }

    /// <summary>Relative share of the mixture; weights are normalised over the sources, so 5/2/3 is 50%/20%/30%.</summary>
    [Minimum(0, Exclusive = true)]
    [DefaultValue(1.0)]
    public double Weight { get; init; } = 1.0;

    /// <summary>Take a deterministic subset of the source's records (e.g. the paper's stratified 25% SFT subset).</summary>
    public SubsetSpec? Subset { get; init; }

    /// <summary>Keep only records whose rendered length is at least this many tokens.</summary>
    [Range(1, 1_048_576)]
    public int? MinTokens { get; init; }

    /// <summary>Keep only records whose rendered length is at most this many tokens; longer ones are dropped, not cut.</summary>
    [Range(1, 1_048_576)]
    public int? MaxTokens { get; init; }

    /// <summary>Use at most this many records of the source (after filtering, in seeded random order).</summary>
    [Minimum(1)]
    public long? MaxSamples { get; init; }

    /// <summary>Settings of the synthetic visual task generator; required when <c>format</c> is <c>SyntheticVisual</c>.</summary>
    public SyntheticSpec? Synthetic { get; init; }
}

/// <summary>A deterministic, optionally stratified subset of a source.</summary>
public sealed record SubsetSpec
{
    /// <summary>Fraction of the records to keep, in (0, 1].</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public required double Fraction { get; init; }

    /// <summary>A record field whose values define strata; each stratum keeps the same fraction. Omit for a plain random subset.</summary>
    [MaxLength(253)]
    public string? StratifyBy { get; init; }
}

/// <summary>The CPT stage 2 generator: turns raw images into instruction–response tasks.</summary>
public sealed record SyntheticSpec
{
    /// <summary>Task families to generate, drawn uniformly.</summary>
    [MinLength(1)]
    public required List<SyntheticTask> Tasks { get; init; }

    /// <summary>
    /// Difficulty in [0, 1]: larger masked regions, more and more similar candidates, smaller objects, stronger
    /// augmentation and more objects to count.
    /// </summary>
    [Range(0.0, 1.0)]
    [DefaultValue(0.5)]
    public double Difficulty { get; init; } = 0.5;
}
