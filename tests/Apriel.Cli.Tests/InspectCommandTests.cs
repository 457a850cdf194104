using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;
using Apriel.Artifacts;
using Apriel.Cli.Commands;
using Apriel.Testing;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Model;

namespace Apriel.Cli.Tests;

public sealed class InspectCommandTests
{
    [Fact]
    public async Task A_committed_model_is_shown_from_its_manifest_and_headers()
    {
        TorchSharp.torch.set_num_threads(1);
        using var dir = TestDirectory.Create("inspect");
        var staged = dir.Subdirectory("staged");
        using (var model = new VisionLanguageModel(ModelPresets.Get("tiny")).Initialize(seed: 1))
            ModelCheckpoint.Save(model, staged);
        using var store = ArtifactStores.Open(new Uri(dir.FullPath + "/").AbsoluteUri);
        var committed = await new ArtifactCommitter(store).CommitAsync(staged, "ns/base/0123456789ab/model/",
            new ArtifactLineage { Kind = TrainingStage.KindName, Namespace = "ns", Name = "base", RunId = "0123456789ab" });
        var output = new StringWriter();

        Assert.Equal(ExitCodes.Ok, await InspectCommand.HandlerAsync(output, Path.Combine(dir.FullPath, "ns/base/0123456789ab/model"), CancellationToken.None));

        var text = output.ToString();
        Assert.Contains($"digest   {committed.Digest}", text);
        Assert.Contains("made by  TrainingStage ns/base, run 0123456789ab", text);
        Assert.Contains("decoder  4 layers", text);
        Assert.Matches(@"tensors  \d+ \(\d+ F32\), [\d,]+ parameters", text);
        Assert.Contains("vision_tower", text);
    }

    [Fact]
    public async Task A_directory_without_a_manifest_is_refused_with_why()
    {
        using var dir = TestDirectory.Create("inspect-none");
        var output = new StringWriter();
        Assert.Equal(ExitCodes.Invalid, await InspectCommand.HandlerAsync(output, dir.Subdirectory("half-uploaded"), CancellationToken.None));
        Assert.Contains("has no MANIFEST.json: it is not a committed artifact", output.ToString());
    }
}
