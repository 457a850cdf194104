using Apriel.Trainer.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Checkpoints;

/// <summary>
/// A model directory as Hugging Face writes it: <c>config.json</c> plus safetensors weights (one file or shards with an
/// index). Loading checks every tensor name and shape against the configuration's <see cref="TensorTable"/> before
/// anything is copied, and reports the first problem with the file it is in. Names of both Hugging Face generations are
/// read; the canonical one is written (<see cref="HfNames"/>).
/// </summary>
public static class ModelCheckpoint
{
    /// <summary>Writes <c>config.json</c> and the weights (as <paramref name="dtype"/>, else as they are) to <paramref name="directory"/>.</summary>
    public static IReadOnlyList<string> Save(VisionLanguageModel model, string directory, ScalarType? dtype = null,
        long maxShardBytes = CheckpointFiles.DefaultMaxShardBytes)
    {
        var state = model.state_dict();
        var ordered = TensorTable.For(model.Config).Select(spec => new KeyValuePair<string, Tensor>(spec.Name, state[spec.Name])).ToList();
        var savedType = dtype ?? ordered[0].Value.dtype;
        var files = CheckpointFiles.Save(directory, ordered, dtype, maxShardBytes);
        (model.Config with { TorchDtype = TorchDtypeName(savedType) }).Save(directory);
        return files;
    }

    /// <summary>
    /// Reads the model in <paramref name="directory"/>: its configuration, then the weights, checked against it. The model's
    /// parameters are created as <paramref name="dtype"/> (float32 by default) and filled from the file (converted).
    /// </summary>
    public static VisionLanguageModel Load(string directory, ScalarType dtype = ScalarType.Float32)
    {
        var config = ModelConfig.Load(directory);
        using var reader = CheckpointReader.Open(directory);
        Check(reader, config);
        var previous = get_default_dtype();
        set_default_dtype(dtype);
        VisionLanguageModel model;
        try
        {
            model = new VisionLanguageModel(config);
        }
        finally
        {
            set_default_dtype(previous);
        }
        Copy(reader, model);
        return model;
    }

    /// <summary>Fills an existing model from <paramref name="directory"/>'s weights, checked against the model's configuration.</summary>
    public static void LoadInto(VisionLanguageModel model, string directory)
    {
        using var reader = CheckpointReader.Open(directory);
        Check(reader, model.Config);
        Copy(reader, model);
    }

    /// <summary>
    /// Throws <see cref="CheckpointException"/> on the first tensor that is missing, unexpected or of the wrong shape for
    /// <paramref name="config"/>.
    /// </summary>
    public static void Check(CheckpointReader reader, ModelConfig config) =>
        Check(reader.Directory, reader.Tensors.ToDictionary(t => t.Key, t => (t.Value.File.Path, t.Value.Entry), StringComparer.Ordinal), config);

    /// <summary>
    /// The same check over a catalogue of canonical name → (the file that holds it, as messages name it; its header
    /// entry), wherever the files are.
    /// </summary>
    public static void Check(string directory, IReadOnlyDictionary<string, (string File, SafetensorsEntry Entry)> tensors, ModelConfig config)
    {
        var expected = TensorTable.For(config);
        foreach (var spec in expected)
        {
            if (!tensors.TryGetValue(spec.Name, out var at))
                throw new CheckpointException(directory, $"missing tensor \"{spec.Name}\" {spec.ShapeText} that {ModelConfig.FileName} needs");
            if (!at.Entry.Shape.SequenceEqual(spec.Shape))
                throw new CheckpointException(at.File, $"tensor \"{at.Entry.Name}\" has shape {at.Entry.ShapeText} but {ModelConfig.FileName} needs {spec.ShapeText}");
        }
        var names = expected.Select(x => x.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, at) in tensors)
        {
            if (!names.Contains(name)) throw new CheckpointException(at.File, $"unexpected tensor \"{at.Entry.Name}\": not part of the model {ModelConfig.FileName} describes");
        }
    }

    private static void Copy(CheckpointReader reader, VisionLanguageModel model)
    {
        using var _ = no_grad();
        foreach (var (name, target) in model.state_dict()) reader.ReadInto(name, target);
    }

    private static string TorchDtypeName(ScalarType type) => type switch
    {
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        _ => "float32",
    };
}
