using Apriel.Artifacts.S3;

namespace Apriel.Artifacts;

/// <summary>
/// Opens a store from its root URI: <c>s3://bucket/prefix/</c> (endpoint and credentials from the environment, which
/// is where Kubernetes puts a referenced Secret) or <c>file:///path/</c>.
/// </summary>
public static class ArtifactStores
{
    /// <summary>Access key id (required for s3://).</summary>
    public const string AccessKeyVariable = "AWS_ACCESS_KEY_ID";

    /// <summary>Secret access key (required for s3://).</summary>
    public const string SecretKeyVariable = "AWS_SECRET_ACCESS_KEY";

    /// <summary>Session token of temporary credentials (optional).</summary>
    public const string SessionTokenVariable = "AWS_SESSION_TOKEN";

    /// <summary>
    /// The S3 endpoint: <c>host[:port]</c> or <c>http(s)://host[:port]</c> (the scheme then decides TLS).
    /// Default: <c>s3.amazonaws.com</c>.
    /// </summary>
    public const string EndpointVariable = "APRIEL_S3_ENDPOINT";

    /// <summary><c>1</c> or <c>true</c>: plain HTTP for an endpoint given without scheme.</summary>
    public const string InsecureVariable = "APRIEL_S3_INSECURE";

    /// <summary>Signing region: <c>AWS_REGION</c>, else <c>AWS_DEFAULT_REGION</c>, else us-east-1.</summary>
    public const string RegionVariable = "AWS_REGION";

    /// <summary>Opens the store at <paramref name="rootUri"/>.</summary>
    /// <param name="rootUri"><c>s3://bucket/</c>, <c>s3://bucket/prefix/</c> or <c>file:///absolute/path/</c>.</param>
    /// <param name="environment">Reads an environment variable; the process environment when null.</param>
    /// <param name="retry">Retry policy of an S3 store; <see cref="RetryPolicy.Default"/> when null.</param>
    public static IArtifactStore Open(string rootUri, Func<string, string?>? environment = null, RetryPolicy? retry = null)
    {
        ArgumentNullException.ThrowIfNull(rootUri);
        if (rootUri.StartsWith("s3://", StringComparison.Ordinal))
        {
            return new S3ArtifactStore(S3Options(rootUri, environment ?? Environment.GetEnvironmentVariable), retry);
        }
        if (rootUri.StartsWith("file://", StringComparison.Ordinal)
            && Uri.TryCreate(rootUri, UriKind.Absolute, out var uri) && uri.IsFile && string.IsNullOrEmpty(uri.Host))
        {
            return new LocalArtifactStore(uri.LocalPath);
        }
        throw new ArgumentException(
            $"Artifact store \"{rootUri}\" is not an s3://bucket/prefix/ or file:///absolute/path/ URI.", nameof(rootUri));
    }

    /// <summary>
    /// The key of an absolute artifact URI (as status and tasks record them, <see cref="Apriel.Api.Runs.ArtifactLayout.Resolve"/>)
    /// inside <paramref name="store"/>: <c>s3://b/p/ns/x/run/model/</c> in the store <c>s3://b/p/</c> is <c>ns/x/run/model/</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The URI is not inside the store, or escapes it.</exception>
    public static string KeyIn(IArtifactStore store, string uri)
    {
        if (!uri.StartsWith(store.Root, StringComparison.Ordinal) || uri.Length == store.Root.Length)
        {
            throw new ArgumentException($"\"{uri}\" is not an artifact inside the store {store.Root}.", nameof(uri));
        }
        return ArtifactKeys.ValidatePrefix(uri[store.Root.Length..], nameof(uri));
    }

    /// <summary>
    /// The store that holds the artifact at <paramref name="uri"/> and its key there: for <c>s3://bucket/key</c> the
    /// bucket (one store serves every input in it); for <c>file:///dir/name</c> the parent directory (a local store's root
    /// is a directory it may create). A directory's key keeps its trailing '/': <c>s3://b/p/model/</c> is
    /// (<c>s3://b/</c>, <c>p/model/</c>).
    /// </summary>
    /// <exception cref="ArgumentException">Not an s3:// or file:/// URI, or a key that could escape its store.</exception>
    public static (string Root, string Key) Locate(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.StartsWith("s3://", StringComparison.Ordinal))
        {
            var slash = uri.IndexOf('/', "s3://".Length);
            if (slash < 0 || slash == "s3://".Length) throw new ArgumentException($"\"{uri}\" names no bucket and key.", nameof(uri));
            return (uri[..(slash + 1)], ArtifactKeys.ValidatePrefix(uri[(slash + 1)..], nameof(uri)));
        }
        if (uri.StartsWith("file://", StringComparison.Ordinal)
            && Uri.TryCreate(uri, UriKind.Absolute, out var file) && file.IsFile && string.IsNullOrEmpty(file.Host))
        {
            var path = file.LocalPath;
            var name = path.TrimEnd('/');
            var parent = name.LastIndexOf('/');
            if (parent <= 0) throw new ArgumentException($"\"{uri}\" is at the file system's root; it needs a parent directory.", nameof(uri));
            return (new Uri(path[..(parent + 1)]).AbsoluteUri, ArtifactKeys.ValidatePrefix(path[(parent + 1)..], nameof(uri)));
        }
        throw new ArgumentException($"\"{uri}\" is not an s3://bucket/key or file:///absolute/path URI.", nameof(uri));
    }

    /// <summary>The S3 settings of an <c>s3://</c> root, from the environment. Errors name variables, never values.</summary>
    public static S3StoreOptions S3Options(string rootUri, Func<string, string?> environment)
    {
        var rest = rootUri["s3://".Length..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : ArtifactKeys.AsDirectory(rest[(slash + 1)..]);
        if (bucket.Length == 0) throw new ArgumentException($"Artifact store \"{rootUri}\" names no bucket.", nameof(rootUri));
        ArtifactKeys.ValidatePrefix(prefix, nameof(rootUri));

        var endpoint = environment(EndpointVariable) is { Length: > 0 } e ? e : "s3.amazonaws.com";
        var secure = !IsTrue(environment(InsecureVariable));
        if (endpoint.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")
                || url.AbsolutePath != "/")
            {
                throw new ArgumentException($"{EndpointVariable} must be host[:port] or http(s)://host[:port].");
            }
            secure = url.Scheme == "https";
            endpoint = url.Authority;
        }
        return new S3StoreOptions
        {
            Endpoint = endpoint,
            Secure = secure,
            AccessKey = Required(environment, AccessKeyVariable, rootUri),
            SecretKey = Required(environment, SecretKeyVariable, rootUri),
            SessionToken = environment(SessionTokenVariable) is { Length: > 0 } t ? t : null,
            Region = environment(RegionVariable) is { Length: > 0 } r ? r
                : environment("AWS_DEFAULT_REGION") is { Length: > 0 } d ? d : "us-east-1",
            Bucket = bucket,
            Prefix = prefix,
        };
    }

    static string Required(Func<string, string?> environment, string name, string rootUri) =>
        environment(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set; it is needed to open {rootUri}.");

    static bool IsTrue(string? value) =>
        value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));
}
