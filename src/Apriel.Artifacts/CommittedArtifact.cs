using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;

namespace Apriel.Artifacts;

/// <summary>A committed directory: where it is, its digest and its manifest.</summary>
/// <param name="Directory">Key of the directory in its store, ending with '/'.</param>
/// <param name="Uri">Absolute URI of the directory (store root + directory).</param>
/// <param name="Digest"><c>sha256:</c> of its MANIFEST.json bytes.</param>
/// <param name="Manifest">The parsed manifest.</param>
public sealed record CommittedArtifact(string Directory, string Uri, string Digest, ArtifactManifest Manifest)
{
    /// <summary>The reference that status and lineage record.</summary>
    public ArtifactRef ToRef() => new() { Uri = Uri, Digest = Digest };
}
