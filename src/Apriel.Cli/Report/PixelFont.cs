namespace Apriel.Cli.Report;

/// <summary>A 3×5 pixel font for the digits, '.', '-' and 'k' of chart labels (no font files needed).</summary>
public static class PixelFont
{
    /// <summary>Glyph width and height in font pixels; glyphs are separated by one blank column.</summary>
    public const int Width = 3, Height = 5;

    static readonly Dictionary<char, string> Glyphs = new()
    {
        ['0'] = "111101101101111", ['1'] = "010110010010111", ['2'] = "111001111100111", ['3'] = "111001111001111",
        ['4'] = "101101111001001", ['5'] = "111100111001111", ['6'] = "111100111101111", ['7'] = "111001010010010",
        ['8'] = "111101111101111", ['9'] = "111101111001111", ['.'] = "000000000000010", ['-'] = "000000111000000",
        ['k'] = "100101110101101",
    };

    /// <summary>Whether font pixel (x, y) of <paramref name="c"/> is set; unknown characters are blank.</summary>
    public static bool IsSet(char c, int x, int y) => Glyphs.TryGetValue(c, out var bits) && bits[y * Width + x] == '1';

    /// <summary>The width of <paramref name="text"/> in font pixels.</summary>
    public static int Measure(string text) => text.Length == 0 ? 0 : text.Length * (Width + 1) - 1;
}
