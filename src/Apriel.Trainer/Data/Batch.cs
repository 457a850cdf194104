using Apriel.Trainer.Model;
using Apriel.Trainer.Vision;
using static TorchSharp.torch;

namespace Apriel.Trainer.Data;

/// <summary>
/// Rows as model inputs: token ids [B, T], labels [B, T] (-100 where no loss), document ids [B, T], and the rows' images
/// preprocessed, in order. Created in the caller's dispose scope.
/// </summary>
public sealed record Batch(VlmInput Input, Tensor Labels, int LossTokens)
{
    public static Batch From(IReadOnlyList<PackedRow> rows, ImagePreprocessor preprocessor, Device? device = null)
    {
        if (rows.Count == 0) throw new ArgumentException("no rows");
        var t = rows[0].Length;
        if (rows.Any(r => r.Length != t)) throw new ArgumentException("rows of different lengths");
        var labels = rows.SelectMany(r => r.Labels()).ToArray();
        var ids = tensor(rows.SelectMany(r => r.Ids.Select(x => (long)x)).ToArray(), [rows.Count, t], device: device);
        var documents = tensor(rows.SelectMany(r => r.DocumentIds.Select(x => (long)x)).ToArray(), [rows.Count, t], device: device);
        var images = rows.SelectMany(r => r.Images).Select(i => preprocessor.Process(i.Load())).Select(x => device is null ? x : x.to(device)).ToList();
        return new Batch(new VlmInput(ids, images.Count == 0 ? null : images, documents), tensor(labels, [rows.Count, t], device: device),
            labels.Count(l => l != -100));
    }
}
