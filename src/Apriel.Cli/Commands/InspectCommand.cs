using System.CommandLine;
using System.Globalization;
using Apriel.Api.Runs;
using Apriel.Artifacts;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Model;

namespace Apriel.Cli.Commands;

/// <summary>
/// <c>apriel inspect ARTIFACT</c>: a committed model or checkpoint (a local directory, <c>file:///…</c> or
/// <c>s3://…</c>) without downloading its weights: manifest, lineage, configuration and a tensor summary read from
/// the safetensors headers (ranged reads).
/// </summary>
public static class InspectCommand
{
    public static Command Create(TextWriter output)
    {
        var artifact = new Argument<string>("artifact") { Description = "A committed directory: a local path, file:///…/ or s3://bucket/…/" };
        var command = new Command("inspect", "Show a committed model or checkpoint: manifest, lineage, configuration, tensors") { artifact };
        command.SetAction((parse, cancellationToken) => HandlerAsync(output, parse.GetValue(artifact)!, cancellationToken));
        return command;
    }

    internal static async Task<int> HandlerAsync(TextWriter output, string artifact, CancellationToken cancellationToken)
    {
        var uri = artifact.Contains("://", StringComparison.Ordinal) ? artifact : new Uri(Path.GetFullPath(artifact)).AbsoluteUri;
        try
        {
            var (root, key) = ArtifactStores.Locate(uri.EndsWith('/') ? uri : uri + "/");
            using var store = ArtifactStores.Open(root);
            var reader = new ArtifactReader(store);
            if (!await reader.IsCommittedAsync(key, cancellationToken))
            {
                output.WriteLine($"error: {uri} has no {ArtifactLayout.Manifest}: it is not a committed artifact (an upload in progress or interrupted, or not one of ours)");
                return ExitCodes.Invalid;
            }
            var committed = await reader.ReadManifestAsync(key, cancellationToken: cancellationToken);
            var manifest = committed.Manifest;
            output.WriteLine($"{committed.Uri}");
            output.WriteLine($"  digest   {committed.Digest}");
            output.WriteLine($"  created  {manifest.Created:u}");
            var l = manifest.Lineage;
            output.WriteLine($"  made by  {l.Kind} {l.Namespace}/{l.Name}, run {l.RunId}" + (l.Step is { } step ? $", step {step}" : "") + (l.TokensSeen is { } tokens ? $", {tokens:N0} tokens" : ""));
            foreach (var input in l.Inputs) output.WriteLine($"  input    {input.Role}: {input.Source} {input.Uri} {input.Digest}");
            if (l.Merge is { } merge)
                output.WriteLine($"  merge    {merge.Method} (normalize {merge.Parameters.Normalize}, t {merge.Parameters.T}, λ {merge.Parameters.Lambda}, density {merge.Parameters.Density})");
            output.WriteLine($"  files    {manifest.Files.Count}, {Size(manifest.Files.Sum(f => f.Size))}");
            foreach (var file in manifest.Files) output.WriteLine($"    {file.Path,-40} {Size(file.Size),10}  {file.Sha256[..12]}");

            if (manifest.Files.Any(f => f.Path == ModelConfig.FileName))
            {
                await using var stream = await reader.OpenFileAsync(committed, ModelConfig.FileName, cancellationToken);
                var config = ModelConfig.FromJson(await new StreamReader(stream).ReadToEndAsync(cancellationToken), committed.Uri + ModelConfig.FileName);
                var t = config.Text;
                output.WriteLine($"  decoder  {t.NumHiddenLayers} layers, hidden {t.HiddenSize}, {t.NumAttentionHeads} heads ({t.NumKeyValueHeads} KV), vocab {t.VocabSize}");
                var v = config.Vision;
                output.WriteLine($"  vision   {v.NumHiddenLayers} layers, hidden {v.HiddenSize}, patch {v.PatchSize}, image {v.ImageSize}");
            }

            var entries = new List<SafetensorsEntry>();
            foreach (var file in manifest.Files.Where(f => f.Path.EndsWith(".safetensors", StringComparison.Ordinal)))
            {
                var fileKey = committed.Directory + file.Path;
                entries.AddRange(SafetensorsHeader.Read(committed.Uri + file.Path, file.Size, (offset, destination) =>
                {
                    using var range = store.OpenReadAsync(fileKey, offset, destination.Length, cancellationToken).GetAwaiter().GetResult();
                    range.ReadExactly(destination);
                }).Tensors.Values);
            }
            if (entries.Count > 0)
            {
                var byType = string.Join(", ", entries.GroupBy(e => e.DType).Select(g => $"{g.Count()} {g.Key}"));
                output.WriteLine($"  tensors  {entries.Count} ({byType}), {entries.Sum(e => e.Elements).ToString("N0", CultureInfo.InvariantCulture)} parameters");
                foreach (var group in entries.GroupBy(e => Component(e.Name)).OrderBy(g => g.Key, StringComparer.Ordinal))
                    output.WriteLine($"    {group.Key,-24} {group.Count(),5} tensors {group.Sum(e => e.Elements).ToString("N0", CultureInfo.InvariantCulture),18} parameters");
            }
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is ArgumentException or ArtifactIntegrityException or ArtifactNotFoundException or CheckpointException or ModelConfigException or IOException or HttpRequestException)
        {
            output.WriteLine($"error: {uri}: {e.Message}");
            return ExitCodes.Invalid;
        }
    }

    // vision_tower / multi_modal_projector / language_model (embeddings, layers, head), whichever naming generation.
    static string Component(string name)
    {
        var parts = name.Split('.');
        var at = Array.FindIndex(parts, p => p is "vision_tower" or "multi_modal_projector" or "language_model" or "lm_head");
        return at < 0 ? parts[0] : parts[at];
    }

    static string Size(long bytes) => bytes >= 1 << 30 ? $"{bytes / (double)(1 << 30):0.00} GiB" : bytes >= 1 << 20 ? $"{bytes / (double)(1 << 20):0.0} MiB" : $"{bytes / 1024.0:0.0} KiB";
}
