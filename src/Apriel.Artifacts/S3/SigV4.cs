using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Apriel.Artifacts.S3;

/// <summary>
/// AWS Signature Version 4 for S3 requests we send ourselves (uploads), signed in the Authorization header. Pure: the
/// same request, time and credentials give the same headers. Payloads are not hashed (<see cref="UnsignedPayload"/>,
/// which S3 and MinIO accept): hashing every byte on the client is what made Minio's uploads slow.
/// </summary>
static class SigV4
{
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>
    /// The headers that sign a request: x-amz-date, x-amz-content-sha256, x-amz-security-token (with a session token)
    /// and Authorization. <paramref name="path"/> and <paramref name="query"/> are exactly as sent (already encoded; S3
    /// does not encode them twice); <paramref name="headers"/> are the request's other headers to sign (e.g. Range).
    /// Host is always signed.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Sign(string method, string host, string path, string query,
        IReadOnlyDictionary<string, string> headers, string payloadHash, DateTimeOffset time, S3StoreOptions credentials)
    {
        var date = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var day = date[..8];
        var signed = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = host,
            ["x-amz-content-sha256"] = payloadHash,
            ["x-amz-date"] = date,
        };
        if (credentials.SessionToken is { Length: > 0 } token) signed["x-amz-security-token"] = token;
        foreach (var (name, value) in headers) signed[name.ToLowerInvariant()] = value.Trim();

        var signedNames = string.Join(';', signed.Keys);
        var canonical = string.Join('\n',
            method,
            path,
            CanonicalQuery(query),
            string.Concat(signed.Select(h => $"{h.Key}:{h.Value}\n")),
            signedNames,
            payloadHash);
        var scope = $"{day}/{credentials.Region}/s3/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{date}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretKey), day);
        foreach (var part in new[] { credentials.Region, "s3", "aws4_request" }) key = Hmac(key, part);
        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));

        var result = signed.Where(h => h.Key.StartsWith("x-amz-", StringComparison.Ordinal)).ToList();
        result.Add(new("Authorization",
            $"AWS4-HMAC-SHA256 Credential={credentials.AccessKey}/{scope},SignedHeaders={signedNames},Signature={signature}"));
        return result;
    }

    /// <summary>Query parameters sorted by name, each as name=value (values already encoded, "" for none).</summary>
    static string CanonicalQuery(string query) =>
        string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Contains('=') ? p : p + "=")
            .Order(StringComparer.Ordinal));

    static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
