using System.Text;
using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;

namespace Apriel.Artifacts;

/// <summary>
/// A run's <c>progress.json</c> (<see cref="Progress"/>): written by the trainer and the merge, read by the operator
/// (into <c>status.progress</c>) and the local runner. One small object, replaced whole at each report.
/// </summary>
public static class ProgressFile
{
    /// <summary>Replaces the progress of the run directory <paramref name="runKey"/> ("" when the store is rooted at the run).</summary>
    public static async Task WriteAsync(IArtifactStore store, string runKey, Progress progress, CancellationToken cancellationToken = default)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(progress, ApiJson.Options) + "\n");
        using var stream = new MemoryStream(bytes);
        await store.PutAsync(runKey + ArtifactLayout.Progress, stream, bytes.Length, cancellationToken);
    }

    /// <summary>The latest progress of the run directory <paramref name="runKey"/>, or null before the first report.</summary>
    public static async Task<Progress?> ReadAsync(IArtifactStore store, string runKey, CancellationToken cancellationToken = default)
    {
        var key = runKey + ArtifactLayout.Progress;
        if (await store.GetSizeAsync(key, cancellationToken) is null) return null;
        await using var stream = await store.OpenReadAsync(key, cancellationToken: cancellationToken);
        try { return await JsonSerializer.DeserializeAsync<Progress>(stream, ApiJson.Options, cancellationToken); }
        catch (JsonException) { return null; } // a report being rewritten; the next look gets a whole one
    }
}
