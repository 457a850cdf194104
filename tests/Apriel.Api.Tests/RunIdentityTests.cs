using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Tests;

public sealed class RunIdentityTests
{
    static TrainingStageSpec Spec(Action<System.Text.Json.Nodes.JsonObject>? mutate = null)
    {
        var json = Samples.Json(Samples.Stage);
        mutate?.Invoke(json);
        var (resource, errors) = ManifestReader.ReadDocument(json);
        Assert.Empty(errors);
        return ((TrainingStage)resource!).Spec;
    }

    static readonly ResolvedInput Model = new() { Role = "model", Source = "stage/realign", Uri = "s3://b/x/", Digest = "sha256:" + new string('1', 64) };

    [Fact]
    public void Same_spec_and_inputs_give_the_same_id_and_defaults_written_out_change_nothing()
    {
        var id = RunIdentity.Of(Spec(), [Model]);
        Assert.Equal(RunIdentity.Length, id.Length);
        Assert.Equal(id, RunIdentity.Of(Spec(j => j["spec"]!["data"]!["packing"] = true), [Model]));
    }

    [Fact]
    public void Operational_fields_do_not_change_the_id()
    {
        var id = RunIdentity.Of(Spec(), [Model]);
        Assert.Equal(id, RunIdentity.Of(Spec(j =>
        {
            j["spec"]!["resources"]!["nodes"] = 4;
            j["spec"]!["suspend"] = true;
            j["spec"]!["retryLimit"] = 9;
            j["spec"]!["queueName"] = "team-a";
            j["spec"]!["image"] = "registry/trainer:2";
            j["spec"]!["activationCheckpointing"] = true;
        }), [Model with { Source = "merge/other", Uri = "s3://b/y/" }]));
    }

    [Fact]
    public void Evaluation_sets_do_not_change_the_id()
    {
        var id = RunIdentity.Of(Spec(), [Model]);

        Assert.Equal(id, RunIdentity.Of(Spec(j => j["spec"]!.AsObject().Remove("evaluation")), [Model]));
        Assert.Equal(id, RunIdentity.Of(Spec(j => j["spec"]!["evaluation"]![0]!["maxNewTokens"] = 64), [Model]));
    }

    [Fact]
    public void What_decides_the_result_changes_the_id()
    {
        var id = RunIdentity.Of(Spec(), [Model]);
        Assert.NotEqual(id, RunIdentity.Of(Spec(j => j["spec"]!["seed"] = 7), [Model]));
        Assert.NotEqual(id, RunIdentity.Of(Spec(j => j["spec"]!["optimizer"]!["learningRate"] = 1e-5), [Model]));
        Assert.NotEqual(id, RunIdentity.Of(Spec(), [Model with { Digest = "sha256:" + new string('2', 64) }]));
    }
}
