namespace Apriel.Trainer.Data;

/// <summary>
/// A small deterministic random generator (xoshiro256** seeded through SplitMix64) whose streams depend only on the
/// keys it is created from, never on .NET's <see cref="Random"/> implementation or on what was drawn elsewhere: the data
/// a run sees is a pure function of (seed, source, draw).
/// </summary>
public sealed class Rng
{
    private ulong s0, s1, s2, s3;

    /// <summary>A stream for the given keys (e.g. seed, source index, epoch).</summary>
    public Rng(params long[] keys)
    {
        var x = 0x9E3779B97F4A7C15UL;
        foreach (var key in keys) x = Mix(x ^ (ulong)key);
        s0 = SplitMix(ref x);
        s1 = SplitMix(ref x);
        s2 = SplitMix(ref x);
        s3 = SplitMix(ref x);
    }

    /// <summary>A stable 64-bit key for a name (FNV-1a), to key streams by strings.</summary>
    public static long Key(string name)
    {
        var h = 0xCBF29CE484222325UL;
        foreach (var c in name) h = (h ^ c) * 0x100000001B3UL;
        return (long)h;
    }

    public ulong NextULong()
    {
        var result = RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n).</summary>
    public int Next(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), "must be > 0");
        return (int)(NextDouble() * n);
    }

    /// <summary>Uniform in [min, max].</summary>
    public int Next(int min, int max) => min + Next(max - min + 1);

    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>A random permutation of 0..n-1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (var i = 0; i < n; i++) p[i] = i;
        for (var i = n - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return Mix(x);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
