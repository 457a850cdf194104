using System.Text.Json.Nodes;

namespace Apriel.Api.Tests;

public sealed class SchemaValidationTests
{
    [Fact]
    public void Valid_samples_have_no_errors()
    {
        Assert.Empty(Samples.Errors(Samples.Stage, _ => { }));
        Assert.Empty(Samples.Errors(Samples.Merge, _ => { }));
    }

    [Fact]
    public void Unknown_field_is_named_with_a_spelling_hint()
    {
        var error = Assert.Single(Samples.Errors(Samples.Stage, j => j["spec"]!["optimizer"]!["learningrate"] = 1e-4));
        Assert.Equal("spec.optimizer.learningrate", error.Path);
        Assert.Contains("unknown field", error.Problem);
        Assert.Contains("\"learningRate\"", error.Fix);
    }

    [Fact]
    public void Missing_required_field_is_reported()
    {
        var error = Assert.Single(Samples.Errors(Samples.Stage, j => j["spec"]!.AsObject().Remove("budget")));
        Assert.Equal("spec.budget", error.Path);
        Assert.Equal("is required", error.Problem);
    }

    [Fact]
    public void Enum_value_in_the_wrong_case_gets_the_right_spelling()
    {
        var error = Assert.Single(Samples.Errors(Samples.Stage, j => j["spec"]!["train"]![0] = "vision_encoder"));
        Assert.Equal("spec.train[0]", error.Path);
        Assert.Contains("not one of VisionEncoder, Projector, Decoder", error.Problem);
        Assert.Contains("\"VisionEncoder\"", error.Fix);
    }

    [Theory]
    [InlineData("spec.data.sequenceLength", "8", "out of range")]
    [InlineData("spec.optimizer.learningRate", "0", "out of range")]
    [InlineData("spec.data.sources.[0].weight", "0", "too small")]
    [InlineData("spec.data.sources.[0].uri", "\"http://x/y\"", "does not match")]
    [InlineData("spec.model.stage", "\"Realign\"", "does not match")]
    [InlineData("spec.resources.memory", "\"lots\"", "not a resource quantity")]
    [InlineData("spec.batch.globalBatchSize", "\"128\"", "is not a whole number")]
    [InlineData("spec.budget.steps", "1.5", "is not a whole number")]
    [InlineData("spec.data.packing", "\"yes\"", "is not true or false")]
    [InlineData("spec.train", "[]", "has 0 items")]
    public void Bad_values_are_refused_at_their_path(string path, string value, string problem)
    {
        var errors = Samples.Errors(Samples.Stage, j =>
        {
            var keys = path.Split('.');
            var parent = Samples.Node(string.Join('.', keys[..^1]), j);
            parent[keys[^1]] = JsonNode.Parse(value);
        });
        var error = Assert.Single(errors);
        Assert.Equal(path.Replace(".[", "["), error.Path);
        Assert.Contains(problem, error.Problem);
        Assert.False(string.IsNullOrWhiteSpace(error.Fix));
    }

    [Fact]
    public void Values_built_in_code_validate_like_parsed_ones()
    {
        Assert.Empty(Samples.Errors(Samples.Stage, j =>
        {
            j["spec"]!["batch"]!["globalBatchSize"] = 64;          // int
            j["spec"]!["optimizer"]!["learningRate"] = 0.001f;     // float
            j["spec"]!["data"]!["packing"] = false;                // bool
        }));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var errors = Samples.Errors(Samples.Stage, j =>
        {
            j["spec"]!["data"]!["sequenceLength"] = 1;
            j["spec"]!["optimizer"]!["lr"] = 1;
            j["spec"]!.AsObject().Remove("batch");
        });
        Assert.Equal(["spec.data.sequenceLength", "spec.optimizer.lr", "spec.batch"], errors.Select(e => e.Path).ToArray());
    }

    [Fact]
    public void Other_api_groups_are_ignored_and_other_versions_refused()
    {
        var other = Samples.Errors(Samples.Stage, j => j["apiVersion"] = "batch/v1");
        Assert.Empty(other);
        var version = Assert.Single(Samples.Errors(Samples.Stage, j => j["apiVersion"] = "apriel.dev/v1"));
        Assert.Equal("apiVersion", version.Path);
        var kind = Assert.Single(Samples.Errors(Samples.Stage, j => j["kind"] = "Trainingstage"));
        Assert.Equal("kind", kind.Path);
    }
}
