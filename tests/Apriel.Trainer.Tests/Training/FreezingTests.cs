using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Checkpoints;
using Apriel.Trainer.Model;
using Apriel.Trainer.Training;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Training;

public sealed class FreezingTests
{
    [Theory]
    [InlineData(Component.Projector)]
    [InlineData(Component.Decoder)]
    public void Should_leave_frozen_components_bit_identical(Component trained)
    {
        using var before = new TempDir();
        using var run = new TempDir();
        var initialModel = Path.Combine(before.Path, "model");
        using (var model = new VisionLanguageModel(ModelPresets.Tiny).Initialize(5)) ModelCheckpoint.Save(model, initialModel);
        TinyStages.Commit(initialModel);
        var spec = TinyStages.Shrunk("05-cpt-1.yaml", steps: 3) with { Train = [trained] }; // text and images, so every component gets gradients

        TinyStages.Run(TinyStages.Task(spec, run.Path, modelDirectory: initialModel));

        using var initial = ModelCheckpoint.Load(initialModel);
        using var final = ModelCheckpoint.Load(Path.Combine(run.Path, "model"));
        var after = final.state_dict();
        foreach (var (name, weight) in initial.state_dict())
        {
            var same = weight.equal(after[name]).all().item<bool>();
            Assert.True(Components.Of(name) == trained ? !same : same, $"{name}: {(same ? "unchanged" : "changed")}");
        }
    }
}
