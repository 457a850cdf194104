using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Tokenization;
using Apriel.Trainer.Vision;

namespace Apriel.Trainer.Data.Synthetic;

/// <summary>
/// A <c>SyntheticVisual</c> source: a directory of raw images (PNG/JPEG, any depth, path order). Draw d takes the image of
/// <see cref="DrawOrder"/> and a task drawn uniformly from the spec's list with a stream keyed by (seed, source, d), so the
/// sample is a pure function of the draw. <c>subset</c> and <c>maxSamples</c> select images; <c>minTokens</c> and
/// <c>maxTokens</c> do not apply (a task's length is only known once generated) and are refused.
/// </summary>
public sealed class SyntheticSource : IDocumentSource
{
    private readonly IReadOnlyList<string> images;
    private readonly int[] pool;
    private readonly DrawOrder order;
    private readonly DocumentRenderer renderer;
    private readonly SyntheticSpec synthetic;
    private readonly long seed;
    private readonly long key;

    public SyntheticSource(DataSource spec, string directory, DocumentRenderer renderer, long seed)
    {
        if (spec.Format != DataFormat.SyntheticVisual || spec.Synthetic is null)
            throw new ArgumentException($"source {spec.Name}: a SyntheticVisual source needs format SyntheticVisual and its synthetic settings");
        if (spec.MinTokens is not null || spec.MaxTokens is not null)
            throw new ArgumentException($"source {spec.Name}: minTokens and maxTokens do not apply to SyntheticVisual sources");
        if (spec.Synthetic.Tasks.Count == 0) throw new ArgumentException($"source {spec.Name}: no synthetic tasks listed");
        Name = spec.Name;
        this.renderer = renderer;
        synthetic = spec.Synthetic;
        this.seed = seed;
        key = Rng.Key(spec.Name);
        images = ImageFiles.List(directory);
        pool = SourceSelection.Select(images.Select(_ => (string?)null).ToList(), images.Select(_ => 0).ToList(), spec, seed);
        if (pool.Length == 0) throw new InvalidDataException($"source {spec.Name}: no images in {directory}");
        order = new DrawOrder(pool.Length, seed, key);
    }

    public string Name { get; }

    public int Count => pool.Length;

    public SyntheticSample Sample(long draw)
    {
        var rng = new Rng(seed, key, Rng.Key("task"), draw);
        var task = rng.Pick(synthetic.Tasks);
        var image = ImageFiles.Load(images[pool[order.At(draw)]]);
        return SyntheticTasks.Generate(task, image, () => ImageFiles.Load(images[pool[rng.Next(pool.Length)]]), rng, synthetic.Difficulty);
    }

    public Document Get(long draw)
    {
        var sample = Sample(draw);
        var documentImages = sample.Images.Select(i => DocumentImage.Of(i, renderer.Preprocessor)).ToList();
        return renderer.Instruction(sample.Prompt, sample.Answer, documentImages);
    }
}
