using System.Security.Cryptography;
using System.Text;

namespace Apriel.Artifacts.Tests.Support;

static class Bytes
{
    /// <summary>Deterministic pseudo-random content.</summary>
    public static byte[] Random(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public static async Task PutAsync(this IArtifactStore store, string key, byte[] data)
    {
        using var content = new MemoryStream(data, writable: false);
        await store.PutAsync(key, content, data.Length);
    }

    public static async Task<byte[]> GetAsync(this IArtifactStore store, string key, long offset = 0, long? length = null)
    {
        await using var stream = await store.OpenReadAsync(key, offset, length);
        return await ReadAllAsync(stream);
    }
}
