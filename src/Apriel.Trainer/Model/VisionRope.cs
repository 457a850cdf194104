using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// Pixtral's 2D rotary positions, transformers' convention (<c>PixtralRotaryEmbedding</c>): with the D/2 base
/// frequencies f_k = θ^(-2k/D), a patch in row h and column w gets the D/2 angles [h · f[0::2], w · f[1::2]]
/// (rows use the even-indexed frequencies, columns the odd ones), duplicated to D and applied with rotate-half.
/// transformers indexes one table by h · max_width + w; computing the angles from (h, w) directly gives the same values.
/// </summary>
public static class VisionRope
{
    /// <summary>Row and column of each patch, image after image, row-major: [N] int64 each.</summary>
    public static (Tensor Rows, Tensor Columns) Grid(IReadOnlyList<(long Rows, long Columns)> images, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var rows = new List<Tensor>();
        var columns = new List<Tensor>();
        foreach (var (h, w) in images)
        {
            rows.Add(arange(h, ScalarType.Int64, device).repeat_interleave(w));    // 0,0,..,0,1,1,..  [h * w]
            columns.Add(arange(w, ScalarType.Int64, device).repeat(h));            // 0,1,..,w-1,0,1,.. [h * w]
        }
        return (cat(rows, 0).MoveToOuterDisposeScope(), cat(columns, 0).MoveToOuterDisposeScope());
    }

    /// <summary>cos, sin [1, N, D] for patches at (rows, columns) [N].</summary>
    public static (Tensor Cos, Tensor Sin) Tables(Tensor rows, Tensor columns, int headDim, double theta, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var f = Rope.InverseFrequencies(headDim, theta);                                      // [D/2]
        var even = tensor(f.Where((_, i) => i % 2 == 0).ToArray(), device: rows.device);      // [D/4] for rows
        var odd = tensor(f.Where((_, i) => i % 2 == 1).ToArray(), device: rows.device);       // [D/4] for columns
        var angles = cat([
            rows.to(ScalarType.Float32).unsqueeze(-1) * even,                                 // [N, D/4]
            columns.to(ScalarType.Float32).unsqueeze(-1) * odd,                               // [N, D/4]
        ], -1);                                                                               // [N, D/2]
        var full = cat([angles, angles], -1).unsqueeze(0);                                    // [1, N, D]
        return (full.cos().to(dtype).MoveToOuterDisposeScope(), full.sin().to(dtype).MoveToOuterDisposeScope());
    }
}
