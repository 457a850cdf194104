using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;

namespace Apriel.Cli.Run;

/// <summary>The local runner's <see cref="IUpstream"/>: the results of the resources it has run so far, and the store for URIs.</summary>
public sealed class LocalUpstream(IRunArtifacts artifacts, string storeRoot) : IUpstream
{
    readonly Dictionary<ResourceRef, UpstreamOutput> _outputs = [];

    /// <summary>Root of the store, which relative URIs are resolved against.</summary>
    public string StoreRoot => storeRoot;

    /// <summary>Records the committed result of a resource for those that read it.</summary>
    public void Record(ResourceRef resource, UpstreamOutput output) => _outputs[resource] = output;

    /// <inheritdoc/>
    public UpstreamOutput? Output(ResourceRef reference, string? @namespace) => _outputs.GetValueOrDefault(reference);

    /// <inheritdoc/>
    public Task<(ArtifactRef? Artifact, string? Error)> ResolveUriAsync(string uri, string? pinned, CancellationToken cancellationToken) =>
        artifacts.ResolveAsync(uri, pinned, cancellationToken);
}
