using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Apriel.Operator.Runtime;

/// <summary>A watch event: what happened to which object. Bookmarks carry only a resourceVersion.</summary>
public sealed record WatchEvent<T>(WatchEventType Type, T? Object, string ResourceVersion);

/// <summary>The watch's resourceVersion is too old (HTTP 410 Gone): the caller must list again.</summary>
public sealed class ResourceExpiredException(string message) : Exception(message);

/// <summary>Lists and watches one resource type, in one namespace or all.</summary>
public interface IListWatch<T>
{
    /// <summary>All objects, and the resourceVersion to watch from.</summary>
    Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken);

    /// <summary>Events after <paramref name="resourceVersion"/>, bookmarks included, until the server ends the watch.</summary>
    /// <exception cref="ResourceExpiredException">The resourceVersion is no longer available.</exception>
    IAsyncEnumerable<WatchEvent<T>> WatchAsync(string resourceVersion, CancellationToken cancellationToken);
}

/// <summary>
/// List and watch over the API server's REST interface, for any resource type: one code path for our custom
/// resources and for Jobs and Pods. Objects are decoded with the client's JSON conventions.
/// </summary>
public sealed class ApiListWatch<T>(Kubernetes client, ResourceType type, string? @namespace, string? labelSelector = null)
    : IListWatch<T> where T : IKubernetesObject<V1ObjectMeta>
{
    // Servers end watches after at most this long; we then resume from the last resourceVersion.
    const int WatchTimeoutSeconds = 300;

    /// <inheritdoc/>
    public async Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(type.CollectionPath(@namespace) + "?" + Selector, "list", cancellationToken);
        var list = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
        var items = list["items"]?.AsArray().Select(i => KubernetesJson.Deserialize<T>(i!.ToJsonString())).ToList() ?? [];
        return (items, (string)list["metadata"]!["resourceVersion"]!);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var path = $"{type.CollectionPath(@namespace)}?{Selector}&watch=true&allowWatchBookmarks=true&timeoutSeconds={WatchTimeoutSeconds}"
                   + $"&resourceVersion={Uri.EscapeDataString(resourceVersion)}";
        using var response = await SendAsync(path, "watch", cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0) continue;
            var e = JsonNode.Parse(line)!;
            var kind = (string)e["type"]!;
            var obj = e["object"]!;
            if (kind == "ERROR")
            {
                var status = KubernetesJson.Deserialize<V1Status>(obj.ToJsonString());
                if (status.Code == (int)HttpStatusCode.Gone) throw new ResourceExpiredException(status.Message ?? "resourceVersion expired");
                throw new HttpRequestException($"watch of {type} failed: {status.Code} {status.Reason}: {status.Message}");
            }
            var eventType = Enum.Parse<WatchEventType>(kind, ignoreCase: true);
            var rv = (string?)obj["metadata"]?["resourceVersion"] ?? resourceVersion;
            yield return eventType == WatchEventType.Bookmark
                ? new WatchEvent<T>(eventType, default, rv)
                : new WatchEvent<T>(eventType, KubernetesJson.Deserialize<T>(obj.ToJsonString()), rv);
        }
    }

    string Selector => labelSelector == null ? "" : "labelSelector=" + Uri.EscapeDataString(labelSelector);

    async Task<HttpResponseMessage> SendAsync(string pathAndQuery, string verb, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, pathAndQuery));
        if (client.Credentials != null) await client.Credentials.ProcessHttpRequestAsync(request, cancellationToken);
        var response = await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Gone)
        {
            response.Dispose();
            throw new ResourceExpiredException($"{verb} of {type}: 410 Gone");
        }
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Dispose();
            throw new HttpRequestException($"{verb} of {type} failed: {(int)response.StatusCode} {body}", null, response.StatusCode);
        }
        return response;
    }
}
