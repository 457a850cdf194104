using Apriel.Trainer.Vision;
using StbImageSharp;

namespace Apriel.Trainer.Data;

/// <summary>Image files of a data source: PNG or JPEG (anything StbImageSharp decodes), by path.</summary>
public static class ImageFiles
{
    /// <summary>File extensions read as images.</summary>
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif" };

    public static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path));

    /// <summary>Decodes an image file to RGB.</summary>
    public static RgbImage Load(string path)
    {
        try
        {
            return RgbImage.Decode(File.ReadAllBytes(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Width and height from the file's header, without decoding the pixels.</summary>
    public static (int Width, int Height) Size(string path)
    {
        using var stream = File.OpenRead(path);
        var info = ImageInfo.FromStream(stream) ?? throw new InvalidDataException($"{path}: not a decodable image");
        return (info.Width, info.Height);
    }

    /// <summary>A lazily loaded document image for a file.</summary>
    public static DocumentImage Reference(string path, ImagePreprocessor preprocessor)
    {
        var (width, height) = Size(path);
        var (rows, columns) = preprocessor.PatchGrid(height, width);
        return new DocumentImage(rows, columns, () => Load(path));
    }

    /// <summary>Every image file directly in <paramref name="directory"/> or below it, sorted by relative path (ordinal).</summary>
    public static IReadOnlyList<string> List(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"image directory {directory} not found");
        return Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(IsImage)
            .OrderBy(p => Path.GetRelativePath(directory, p), StringComparer.Ordinal)
            .ToList();
    }
}
