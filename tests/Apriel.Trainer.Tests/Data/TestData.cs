using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Data;
using Apriel.Trainer.Data.Tiny;
using Apriel.Trainer.Model;
using Apriel.Trainer.Tokenization;
using Apriel.Trainer.Vision;

namespace Apriel.Trainer.Tests.Data;

/// <summary>The tiny chain's generated data (a small version, written once per test run) and renderers for the tiny model.</summary>
internal static class TestData
{
    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        var root = Directory.CreateTempSubdirectory("apriel-tiny-data-").FullName;
        TinyDataset.Write(root, seed: 0, new TinyDataset.Sizes(Images: 24, Texts: 60, ReasoningTexts: 60, Chats: 120));
        DeleteOnExit(root);
        return root;
    });

    /// <summary>Removes a directory shared by several tests when the test run ends.</summary>
    public static void DeleteOnExit(string directory) => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Still mapped by a lingering reader; the OS temp cleaner gets it.
        }
    };

    /// <summary>The store root holding datasets/tiny/.</summary>
    public static string Root => LazyRoot.Value;

    public static string Path(string relative) => System.IO.Path.Combine(Root, TinyDataset.Directory, relative);

    /// <summary>Reads the tests' local data where it is (nothing remote is fetched, so no scratch of its own is needed).</summary>
    public static InputFiles Inputs { get; } = new(System.IO.Path.GetTempPath());

    public static ImagePreprocessor Preprocessor { get; } = new(ModelPresets.Tiny.Vision.ImageSize, ModelPresets.Tiny.Vision.PatchSize);

    public static DocumentRenderer Renderer(LossTokens loss = LossTokens.All) =>
        new(ByteTokenizer.ForChat(), Preprocessor, ImageTokens.Pixtral, loss);

    public static DataSource Source(string name, string file, DataFormat format, double weight = 1) =>
        new() { Name = name, Uri = Path(file), Format = format, Weight = weight };
}
