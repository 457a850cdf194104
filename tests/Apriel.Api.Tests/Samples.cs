using System.Text.Json.Nodes;
using Apriel.Api.Manifests;
using Apriel.Api.Validation;

namespace Apriel.Api.Tests;

/// <summary>Valid manifests to mutate in table-driven tests.</summary>
internal static class Samples
{
    public const string Stage = """
        apiVersion: apriel.dev/v1alpha1
        kind: TrainingStage
        metadata: {name: cpt-1}
        spec:
          model: {stage: realign}
          train: [VisionEncoder, Projector, Decoder]
          data:
            sequenceLength: 32768
            sources:
              - {name: text, uri: s3://data/text/, format: Text, weight: 5, minTokens: 50}
              - {name: mm, uri: datasets/mm.jsonl, format: ImageText, weight: 3}
          optimizer: {learningRate: 5.0e-5}
          schedule: {type: Cosine, warmupRatio: 0.1}
          budget: {steps: 1000}
          batch: {globalBatchSize: 128}
          checkpoints: {interval: 100, retain: {equispaced: 3}}
          resources: {nodes: 2, gpusPerNode: 8, cpu: 32, memory: 512Gi}
          evaluation:
            - {name: counting, uri: datasets/eval-counting.jsonl, maxNewTokens: 16}
            - {name: arithmetic, uri: s3://data/eval-arithmetic.jsonl, limit: 20}
        """;

    public const string Merge = """
        apiVersion: apriel.dev/v1alpha1
        kind: ModelMerge
        metadata: {name: cpt-1-avg}
        spec:
          method: Linear
          inputs:
            - stage: cpt-1
              checkpoints: {select: Equispaced, count: 3}
        """;

    public static JsonObject Json(string yaml) => (JsonObject)YamlJson.Parse(yaml).Single().Json!;

    /// <summary>Errors of a document after <paramref name="mutate"/> changed it.</summary>
    public static IReadOnlyList<FieldError> Errors(string yaml, Action<JsonObject> mutate)
    {
        var json = Json(yaml);
        mutate(json);
        return ManifestReader.ReadDocument(json).Errors;
    }

    public static JsonNode Node(string path, JsonObject root) =>
        path.Split('.').Aggregate((JsonNode)root, (n, key) => key.StartsWith('[') ? n[int.Parse(key[1..^1])]! : n[key]!);
}
