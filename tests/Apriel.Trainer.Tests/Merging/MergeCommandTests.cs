using System.Text.Json;
using Apriel.Api.Manifests;
using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Model;

namespace Apriel.Trainer.Tests.Merging;

public sealed class MergeCommandTests : IDisposable
{
    readonly TempDir dir = new();
    readonly MergeFixtures fixtures;

    public MergeCommandTests() => fixtures = MergeFixtures.Local(dir);

    public void Dispose()
    {
        fixtures.Dispose();
        dir.Dispose();
    }

    string Write(MergeTask task)
    {
        var file = dir.File("task.json");
        File.WriteAllText(file, JsonSerializer.Serialize(task, ApiJson.Options));
        return file;
    }

    [Fact]
    public void Should_merge_a_task_file_and_commit_the_model()
    {
        var task = fixtures.Task(MergeMethod.Linear, [
            MergeFixtures.Input(fixtures.Commit("a/", MergeFixtures.Model(seed: 1))),
            MergeFixtures.Input(fixtures.Commit("b/", MergeFixtures.Model(seed: 2), "input-1"))]);
        var output = new StringWriter();

        var code = Program.Run(["merge", "--task", Write(task)], output);

        Assert.True(code == ExitCodes.Ok, $"exit code {code}:\n{output}");
        Assert.True(File.Exists(Path.Combine(dir.File("store"), "out", "model", ArtifactLayout.Manifest)), output.ToString());
    }

    [Fact]
    public void Should_exit_1_with_one_error_line_when_the_inputs_disagree()
    {
        var wide = ModelPresets.Tiny with { Text = ModelPresets.Tiny.Text with { IntermediateSize = 128 } };
        var task = fixtures.Task(MergeMethod.Linear, [
            MergeFixtures.Input(fixtures.Commit("a/", MergeFixtures.Model(seed: 1))),
            MergeFixtures.Input(fixtures.Commit("b/", MergeFixtures.Model(seed: 2, wide), "input-1"))]);
        var output = new StringWriter();

        var file = Write(task);
        Assert.Equal(ExitCodes.Invalid, Program.Run(["merge", "--task", file], output));

        var line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith($"error: {file}: inputs disagree: config.json text_config.intermediate_size is 192 in input-0 (", line);
        Assert.False(fixtures.HasOutput());
    }

    [Fact]
    public void Should_exit_1_when_the_task_does_not_fit_its_method()
    {
        var task = fixtures.Task(MergeMethod.Passthrough, [MergeFixtures.Input(fixtures.Commit("a/", MergeFixtures.Model(seed: 1)))]);
        var output = new StringWriter();

        var file = Write(task);
        Assert.Equal(ExitCodes.Invalid, Program.Run(["merge", "--task", file], output));

        Assert.Equal($"error: {file}: inputs[0].layers: is required by Passthrough", output.ToString().Trim());
    }

    [Fact]
    public void Should_exit_2_on_a_task_file_it_cannot_read()
    {
        File.WriteAllText(dir.File("task.json"), "{ not json");
        var output = new StringWriter();

        Assert.Equal(ExitCodes.Usage, Program.Run(["merge", "--task", dir.File("task.json")], output));
        Assert.Contains("not a readable MergeTask", output.ToString());
    }
}
