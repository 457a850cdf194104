using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// Pixtral's vision encoder (<c>vision_tower</c>). Images of different sizes are cut into patches by a bias-free
/// convolution (kernel = stride = patch size), all patches of all images are concatenated into one sequence, normalised
/// by <c>ln_pre</c> (an RMSNorm), and run through the vision blocks with 2D rotary positions, each image attending only
/// to its own patches. The output is the last block's hidden states, one row per patch, row-major, image after image.
/// </summary>
public sealed class VisionEncoder : nn.Module<IReadOnlyList<Tensor>, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly Conv2d patch_conv;  // [C_v, channels, p, p], no bias
    private readonly RmsNorm ln_pre;
    private readonly VisionTransformer transformer;
#pragma warning restore IDE1006
    private readonly VisionConfig config;

    public VisionEncoder(VisionConfig c, string name = "vision_tower") : base(name)
    {
        config = c;
        patch_conv = nn.Conv2d(c.NumChannels, c.HiddenSize, kernel_size: c.PatchSize, stride: c.PatchSize, bias: false);
        ln_pre = new RmsNorm(c.HiddenSize, VisionLayer.NormEps);
        transformer = new VisionTransformer(c);
        RegisterComponents();
    }

    /// <summary>Patch rows and columns of an image [channels, H, W]; throws when the image does not fit this encoder.</summary>
    public (long Rows, long Columns) PatchGrid(Tensor image)
    {
        var p = config.PatchSize;
        if (image.dim() != 3 || image.shape[0] != config.NumChannels)
            throw new ArgumentException($"an image must be [{config.NumChannels}, H, W], is [{string.Join(", ", image.shape)}]");
        long h = image.shape[1], w = image.shape[2];
        if (h <= 0 || w <= 0 || h % p != 0 || w % p != 0 || h > config.ImageSize || w > config.ImageSize)
            throw new ArgumentException($"image sides must be positive multiples of {p} up to {config.ImageSize}, are {h} x {w} (preprocess it first)");
        return (h / p, w / p);
    }

    /// <summary>images, each [channels, H, W] → patch features [N, C_v], N = Σ (H/p)(W/p).</summary>
    public override Tensor forward(IReadOnlyList<Tensor> images)
    {
        if (images.Count == 0) throw new ArgumentException("no images");
        var grids = images.Select(PatchGrid).ToList();
        using var scope = NewDisposeScope();
        var patches = images
            .Select(image => patch_conv.forward(image.unsqueeze(0)).flatten(2).squeeze(0).t()) // [h * w, C_v] each, row-major
            .ToList();
        var x = cat(patches, 0).unsqueeze(0);                                                  // [1, N, C_v]
        x = ln_pre.forward(x);

        var (rows, columns) = VisionRope.Grid(grids, x.device);                                // [N] each
        var (cos, sin) = VisionRope.Tables(rows, columns, config.HeadDim, config.RopeTheta, x.dtype); // [1, N, D]
        var mask = images.Count == 1 ? null : BlockMask(grids, x.device);                       // [1, 1, N, N]
        x = transformer.forward(x, new AttentionContext(cos, sin, mask, Causal: false));
        return x.squeeze(0).MoveToOuterDisposeScope();                                         // [N, C_v]
    }

    /// <summary>Block-diagonal mask: patch i may attend to patch j only when both belong to the same image.</summary>
    public static Tensor BlockMask(IReadOnlyList<(long Rows, long Columns)> grids, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var imageOfPatch = cat(grids.Select((g, i) => full(g.Rows * g.Columns, i, ScalarType.Int64, device)).ToList(), 0); // [N]
        return (imageOfPatch.unsqueeze(1) == imageOfPatch.unsqueeze(0)).unsqueeze(0).unsqueeze(0).MoveToOuterDisposeScope();
    }
}
