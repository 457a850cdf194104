using System.Security.Cryptography;

namespace Apriel.Artifacts;

/// <summary>Digests of committed directories: <c>sha256:</c> and the lowercase hex sha256 of the MANIFEST.json bytes.</summary>
public static class ArtifactDigest
{
    public const string Prefix = "sha256:";

    /// <summary>The digest of these manifest bytes.</summary>
    public static string Of(ReadOnlySpan<byte> manifestBytes) => Prefix + Convert.ToHexStringLower(SHA256.HashData(manifestBytes));

    /// <summary>Whether <paramref name="digest"/> is <c>sha256:</c> followed by 64 hex characters.</summary>
    public static bool IsWellFormed(string? digest) =>
        digest is not null && digest.StartsWith(Prefix, StringComparison.Ordinal)
        && IsSha256Hex(digest.AsSpan(Prefix.Length));

    /// <summary>Whether <paramref name="hex"/> is 64 hex characters.</summary>
    public static bool IsSha256Hex(ReadOnlySpan<char> hex) => hex.Length == 64 && !hex.ContainsAnyExcept(HexCharacters);

    /// <summary>Digests compare without regard to hex case.</summary>
    public static bool AreEqual(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    static readonly System.Buffers.SearchValues<char> HexCharacters =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
}
