namespace Apriel.Trainer.Data.Synthetic;

/// <summary>Colour names used in answers: the nearest of a fixed palette (squared RGB distance).</summary>
public static class Palette
{
    public static readonly IReadOnlyList<(string Name, byte R, byte G, byte B)> Colours =
    [
        ("black", 0, 0, 0), ("white", 255, 255, 255), ("grey", 128, 128, 128), ("red", 220, 40, 40), ("orange", 245, 140, 30),
        ("yellow", 240, 220, 40), ("green", 40, 170, 60), ("cyan", 40, 200, 220), ("blue", 40, 80, 220), ("purple", 140, 60, 190),
        ("pink", 245, 150, 190), ("brown", 130, 80, 40),
    ];

    public static (byte R, byte G, byte B) Of(string name)
    {
        var c = Colours.First(c => c.Name == name);
        return (c.R, c.G, c.B);
    }

    public static string Nearest((byte R, byte G, byte B) colour) =>
        Colours.MinBy(c => Sq(c.R - colour.R) + Sq(c.G - colour.G) + Sq(c.B - colour.B)).Name;

    private static int Sq(int x) => x * x;
}
