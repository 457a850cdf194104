using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Tests;

public sealed class TaskBuilderTests
{
    static TrainingStage Stage()
    {
        var stage = (TrainingStage)ManifestReader.ReadDocument(Samples.Json(Samples.Stage)).Resource!;
        stage.Metadata.NamespaceProperty = "team-a";
        return stage;
    }

    static readonly ResolvedInput Model = new() { Role = "model", Source = "stage/realign", Uri = "s3://b/apriel/team-a/realign/aaa/model/", Digest = "sha256:" + new string('1', 64) };

    [Fact]
    public void Stage_task_has_absolute_data_uris_and_its_output_under_the_run_directory()
    {
        var task = TaskBuilder.ForStage(Stage(), Model, "s3://b/apriel/");
        Assert.Equal(["s3://data/text/", "s3://b/apriel/datasets/mm.jsonl"], task.Spec.Data.Sources.Select(s => s.Uri));
        Assert.Equal($"s3://b/apriel/team-a/cpt-1/{task.RunId}/", task.Output);
        Assert.Equal(RunIdentity.Of(task.Spec, [Model]), task.RunId);
    }

    [Fact]
    public void Task_round_trips_through_json()
    {
        var task = TaskBuilder.ForStage(Stage(), Model, "s3://b/apriel/");
        var json = JsonSerializer.Serialize(task, ApiJson.Options);
        var back = JsonSerializer.Deserialize<TrainingTask>(json, ApiJson.Options)!;
        Assert.Equal(json, JsonSerializer.Serialize(back, ApiJson.Options));
        Assert.Contains("\"kind\":\"TrainingTask\"", json);
    }

    [Fact]
    public void A_referenced_model_must_be_resolved_first() =>
        Assert.Throws<ArgumentException>(() => TaskBuilder.ForStage(Stage(), null, "s3://b/apriel/"));
}
