using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apriel.Trainer.Model;

/// <summary>
/// One forward's inputs: token ids [B, T]; the images of the whole batch in the order their <c>[IMG]</c> runs appear
/// (row-major over the batch), each preprocessed to [channels, H, W]; for packed rows, document ids [B, T]; and, when
/// generating, the key/value cache of the tokens before these (which the forward then grows).
/// </summary>
public sealed record VlmInput(Tensor InputIds, IReadOnlyList<Tensor>? Images = null, Tensor? DocumentIds = null, KeyValueCache? Cache = null);

/// <summary>
/// Pixtral as <c>LlavaForConditionalGeneration</c>: the image features (vision tower, then projector) replace the
/// embeddings of the <c>[IMG]</c> tokens in order, and the language model runs over the result. Field names are the
/// canonical checkpoint prefixes (<see cref="HfNames"/>), so <c>state_dict()</c> keys are checkpoint keys.
/// </summary>
public sealed class VisionLanguageModel : nn.Module<VlmInput, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly CausalLanguageModel language_model;
    private readonly VisionEncoder vision_tower;
    private readonly MultiModalProjector multi_modal_projector;
#pragma warning restore IDE1006

    public ModelConfig Config { get; }

    public VisionLanguageModel(ModelConfig config, string name = "llava") : base(name)
    {
        Config = config.Validate();
        language_model = new CausalLanguageModel(config.Text);
        vision_tower = new VisionEncoder(config.Vision);
        multi_modal_projector = new MultiModalProjector(config);
        RegisterComponents();
    }

    public CausalLanguageModel LanguageModel => language_model;

    /// <summary>Where its weights are (inputs must be there too).</summary>
    public Device Device
    {
        get
        {
            using var weight = language_model.Model.EmbedTokens.weight!; // TorchSharp wraps the parameter anew on each access
            return weight.device;
        }
    }

    public VisionEncoder VisionTower => vision_tower;

    public MultiModalProjector Projector => multi_modal_projector;

    /// <summary>Projected image features [N, C] for images in order: what replaces the [IMG] embeddings.</summary>
    public Tensor ImageFeatures(IReadOnlyList<Tensor> images) => multi_modal_projector.forward(vision_tower.forward(images));

    /// <summary>An empty key/value cache for <see cref="VlmInput.Cache"/>.</summary>
    public KeyValueCache NewCache() => new(Config.Text.NumHiddenLayers);

    /// <summary>→ logits [B, T, V].</summary>
    public override Tensor forward(VlmInput input)
    {
        using var scope = NewDisposeScope();
        var embeddings = InputEmbeddings(input);                                                // [B, T, C]
        return language_model.Forward(embeddings, input.DocumentIds, input.Cache).MoveToOuterDisposeScope(); // [B, T, V]
    }

    /// <summary>
    /// The decoder's input: token embeddings [B, T, C] with the [IMG] positions replaced, in order, by the projected
    /// features of the images' patches. The number of [IMG] tokens must equal the number of patches.
    /// </summary>
    public Tensor InputEmbeddings(VlmInput input)
    {
        using var scope = NewDisposeScope();
        var embeddings = language_model.Embed(input.InputIds);                                  // [B, T, C]
        var isImage = input.InputIds == Config.ImageTokenIndex;                                 // [B, T]
        var imageTokens = isImage.sum().item<long>();
        var images = input.Images ?? [];
        var patches = images.Sum(image => { var (h, w) = vision_tower.PatchGrid(image); return h * w; });
        if (imageTokens != patches)
            throw new ArgumentException($"{imageTokens} [IMG] tokens but the {images.Count} image(s) have {patches} patches");
        if (patches > 0)
        {
            var features = ImageFeatures(images).to(embeddings.dtype);                          // [N, C]
            embeddings = embeddings.masked_scatter(isImage.unsqueeze(-1), features);           // [B, T, C], row-major order
        }
        return embeddings.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// transformers' initialisation: every linear, embedding and convolution weight N(0, initializer_range²), biases 0,
    /// norm weights 1. Deterministic for a seed.
    /// </summary>
    public VisionLanguageModel Initialize(long seed)
    {
        using var _ = no_grad();
        var generator = new Generator((ulong)seed);
        foreach (var (moduleName, module) in named_modules())
        {
            var std = moduleName.StartsWith("vision_tower", StringComparison.Ordinal) ? Config.Vision.InitializerRange : Config.Text.InitializerRange;
            switch (module)
            {
                case RmsNorm norm:
                    norm.Weight.fill_(1);
                    break;
                case Linear linear:
                    linear.weight!.normal_(0, std, generator);
                    linear.bias?.zero_();
                    break;
                case Embedding embedding:
                    embedding.weight!.normal_(0, std, generator);
                    break;
                case Conv2d conv:
                    conv.weight!.normal_(0, std, generator);
                    break;
            }
        }
        return this;
    }
}
