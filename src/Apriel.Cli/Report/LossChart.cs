using System.Globalization;

namespace Apriel.Cli.Report;

/// <summary>
/// A loss curve as an RGB image: each step's loss in light blue, its exponential moving average in dark blue,
/// on a grid labelled with the step and loss ranges. Pure: points in, pixels out.
/// </summary>
public sealed class LossChart
{
    const int Scale = 2; // font pixels → image pixels
    const int Margin = 40;
    static readonly (byte R, byte G, byte B) Background = (255, 255, 255), Grid = (228, 228, 228), Axis = (90, 90, 90),
        Raw = (160, 196, 240), Smooth = (20, 80, 170);

    readonly byte[] _pixels;

    LossChart(int width, int height)
    {
        Width = width;
        Height = height;
        _pixels = new byte[width * height * 3];
        Fill(0, 0, width, height, Background);
    }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>The pixels, RGB, row by row from the top.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>Draws the curve of <paramref name="points"/> (step, loss), at least one.</summary>
    public static LossChart Draw(IReadOnlyList<(long Step, double Loss)> points, int width = 640, int height = 320)
    {
        if (points.Count == 0) throw new ArgumentException("a loss curve needs at least one point", nameof(points));
        var chart = new LossChart(width, height);
        var (x0, x1) = (points[0].Step, Math.Max(points[^1].Step, points[0].Step + 1));
        var (y0, y1) = (Math.Min(0, points.Min(p => p.Loss)), points.Max(p => p.Loss) * 1.05);
        if (y1 <= y0) y1 = y0 + 1;
        var (left, top, right, bottom) = (Margin, Margin / 2, width - Margin / 2, height - Margin);
        int X(long step) => left + (int)Math.Round((step - x0) / (double)(x1 - x0) * (right - left));
        int Y(double loss) => bottom - (int)Math.Round((loss - y0) / (y1 - y0) * (bottom - top));

        for (var i = 0; i <= 4; i++) chart.Line(left, Y(y0 + i * (y1 - y0) / 4), right, Y(y0 + i * (y1 - y0) / 4), Grid);
        chart.Line(left, top, left, bottom, Axis);
        chart.Line(left, bottom, right, bottom, Axis);
        chart.Polyline(points.Select(p => (X(p.Step), Y(p.Loss))), Raw);
        chart.Polyline(Smoothed(points).Select(p => (X(p.Step), Y(p.Loss))), Smooth);

        chart.Text(Label(y1), 2, top - 4);
        chart.Text(Label(y0), 2, bottom - 4);
        chart.Text(x0.ToString(CultureInfo.InvariantCulture), left, bottom + 8);
        var last = x1.ToString(CultureInfo.InvariantCulture);
        chart.Text(last, right - PixelFont.Measure(last) * Scale, bottom + 8);
        return chart;
    }

    /// <summary>The exponential moving average the curve is read by (noise of small batches hides the trend).</summary>
    public static IEnumerable<(long Step, double Loss)> Smoothed(IReadOnlyList<(long Step, double Loss)> points, double alpha = 0.1)
    {
        var average = points[0].Loss;
        foreach (var (step, loss) in points)
        {
            average = alpha * loss + (1 - alpha) * average;
            yield return (step, average);
        }
    }

    static string Label(double value) => value.ToString(value >= 10 ? "0" : "0.00", CultureInfo.InvariantCulture);

    void Polyline(IEnumerable<(int X, int Y)> points, (byte, byte, byte) color)
    {
        (int X, int Y)? previous = null;
        foreach (var p in points)
        {
            if (previous is { } q) Line(q.X, q.Y, p.X, p.Y, color);
            previous = p;
        }
    }

    // Bresenham, two pixels thick so thin curves stay visible when scaled down.
    void Line(int xa, int ya, int xb, int yb, (byte, byte, byte) color)
    {
        int dx = Math.Abs(xb - xa), dy = -Math.Abs(yb - ya), sx = xa < xb ? 1 : -1, sy = ya < yb ? 1 : -1, error = dx + dy;
        while (true)
        {
            Fill(xa, ya, 2, 2, color);
            if (xa == xb && ya == yb) return;
            var e2 = 2 * error;
            if (e2 >= dy) { error += dy; xa += sx; }
            if (e2 <= dx) { error += dx; ya += sy; }
        }
    }

    void Text(string text, int x, int y)
    {
        for (var i = 0; i < text.Length; i++)
            for (var gy = 0; gy < PixelFont.Height; gy++)
                for (var gx = 0; gx < PixelFont.Width; gx++)
                    if (PixelFont.IsSet(text[i], gx, gy)) Fill(x + (i * (PixelFont.Width + 1) + gx) * Scale, y + gy * Scale, Scale, Scale, Axis);
    }

    void Fill(int x, int y, int w, int h, (byte R, byte G, byte B) color)
    {
        for (var yy = Math.Max(0, y); yy < Math.Min(Height, y + h); yy++)
            for (var xx = Math.Max(0, x); xx < Math.Min(Width, x + w); xx++)
            {
                var at = (yy * Width + xx) * 3;
                (_pixels[at], _pixels[at + 1], _pixels[at + 2]) = color;
            }
    }
}
