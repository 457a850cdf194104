using System.Text.Json.Nodes;

namespace Apriel.Api.Tests;

/// <summary>The CEL rules and cross-field checks, in code (API servers before 1.25 ignore CEL).</summary>
public sealed class RuleTests
{
    public static TheoryData<string, string, string> StageCases => new()
    {
        // name of the case, YAML/JSON mutation as "path=json" ("path=" removes), expected error path
        { "no model", "spec.model.stage=", "spec.model" },
        { "two models", "spec.model.uri=\"s3://models/x/\"", "spec.model" },
        { "digest without uri", "spec.model.digest=\"sha256:" + new string('a', 64) + "\"", "spec.model.digest" },
        { "uri climbing out", "spec.data.sources.[1].uri=\"datasets/../../etc\"", "spec.data.sources[1].uri" },
        { "two budgets", "spec.budget.epochs=2", "spec.budget" },
        { "no budget", "spec.budget.steps=", "spec.budget" },
        { "two warmups", "spec.schedule.warmupSteps=10", "spec.schedule" },
        { "warmup past the end", "spec.schedule={\"warmupSteps\":1000}", "spec.schedule.warmupSteps" },
        { "micro batch does not divide", "spec.batch.microBatchSize=3", "spec.batch.globalBatchSize" },
        { "batch does not split over ranks", "spec.batch.globalBatchSize=24", "spec.batch.globalBatchSize" },
        { "component twice", "spec.train=[\"Decoder\",\"Decoder\"]", "spec.train" },
        { "source name twice", "spec.data.sources.[1].name=\"text\"", "spec.data.sources[1].name" },
        { "synthetic missing", "spec.data.sources.[1].format=\"SyntheticVisual\"", "spec.data.sources[1].synthetic" },
        { "synthetic on text", "spec.data.sources.[0].synthetic={\"tasks\":[\"Counting\"]}", "spec.data.sources[0].synthetic" },
        { "min over max tokens", "spec.data.sources.[0].maxTokens=10", "spec.data.sources[0].minTokens" },
        { "more equispaced than steps", "spec.budget={\"steps\":2}", "spec.checkpoints.retain.equispaced" },
        { "fp16 training", "spec.precision=\"FP16\"", "spec.precision" },
        { "token filter on synthetic", "spec.data.sources=[{\"name\":\"s\",\"uri\":\"d/img/\",\"format\":\"SyntheticVisual\",\"synthetic\":{\"tasks\":[\"Counting\"]},\"maxTokens\":100}]", "spec.data.sources[0].maxTokens" },
        { "name too long", "metadata.name=\"" + new string('a', 41) + "\"", "metadata.name" },
        { "evaluation name twice", "spec.evaluation.[1].name=\"counting\"", "spec.evaluation[1].name" },
        { "evaluation uri climbing out", "spec.evaluation.[0].uri=\"datasets/../../etc/x.jsonl\"", "spec.evaluation[0].uri" },
        { "evaluation longer than a sequence", "spec.data.sequenceLength=16", "spec.evaluation[1].maxNewTokens" },
        { "evaluation of no tokens", "spec.evaluation.[0].maxNewTokens=0", "spec.evaluation[0].maxNewTokens" },
        { "evaluation limit of zero", "spec.evaluation.[1].limit=0", "spec.evaluation[1].limit" },
        { "evaluation without uri", "spec.evaluation.[0].uri=", "spec.evaluation[0].uri" },
    };

    public static TheoryData<string, string, string> MergeCases => new()
    {
        { "ties without base", "spec.method=\"Ties\"", "spec.base" },
        { "base on linear", "spec.base={\"uri\":\"s3://models/base/\"}", "spec.base" },
        { "slerp of one", "spec.method=\"Slerp\"", "spec.inputs" },
        { "passthrough without layers", "spec.method=\"Passthrough\"", "spec.inputs[0].layers" },
        { "layers on linear", "spec.inputs.[0].layers={\"start\":0,\"end\":4}", "spec.inputs[0].layers" },
        { "empty layer range", "spec.inputs.[0].layers={\"start\":4,\"end\":4}", "spec.inputs[0].layers" },
        { "count missing", "spec.inputs.[0].checkpoints.count=", "spec.inputs[0].checkpoints.count" },
        { "count with final", "spec.inputs.[0].checkpoints.select=\"Final\"", "spec.inputs[0].checkpoints.count" },
        { "checkpoints of a uri", "spec.inputs=[{\"uri\":\"s3://models/a/\",\"checkpoints\":{\"select\":\"All\"}}]", "spec.inputs[0].checkpoints" },
        { "random init merged", "spec.inputs=[{\"init\":\"tiny\"}]", "spec.inputs[0].init" },
        { "some weights", "spec.inputs=[{\"uri\":\"s3://models/a/\",\"weight\":1},{\"uri\":\"s3://models/b/\"}]", "spec.inputs" },
        { "weights sum to zero", "spec.inputs=[{\"uri\":\"s3://models/a/\",\"weight\":0}]", "spec.inputs" },
    };

    [Theory]
    [MemberData(nameof(StageCases))]
    public void Stage_rule_is_enforced(string name, string mutation, string path) => AssertOneErrorAt(Samples.Stage, name, mutation, path);

    [Theory]
    [MemberData(nameof(MergeCases))]
    public void Merge_rule_is_enforced(string name, string mutation, string path) => AssertOneErrorAt(Samples.Merge, name, mutation, path);

    static void AssertOneErrorAt(string yaml, string name, string mutation, string path)
    {
        var errors = Samples.Errors(yaml, j => Apply(j, mutation));
        Assert.True(errors.Count > 0, $"{name}: expected an error at {path}");
        Assert.Contains(errors, e => e.Path == path);
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Fix)));
    }

    static void Apply(JsonObject root, string mutation)
    {
        var (path, json) = (mutation[..mutation.IndexOf('=')], mutation[(mutation.IndexOf('=') + 1)..]);
        var keys = path.Split('.');
        var parent = Samples.Node(string.Join('.', keys[..^1]), root).AsObject();
        if (json.Length == 0) parent.Remove(keys[^1]);
        else parent[keys[^1]] = JsonNode.Parse(json);
    }
}
