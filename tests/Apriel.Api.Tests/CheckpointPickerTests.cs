using Apriel.Api.Runs;
using Apriel.Api.V1Alpha1;

namespace Apriel.Api.Tests;

public sealed class CheckpointPickerTests
{
    static List<CheckpointRef> Kept(params long[] steps) =>
        [.. steps.Select(s => new CheckpointRef { Step = s, Uri = $"s3://b/r/checkpoints/step-{s:D7}/", Digest = "sha256:" + new string('0', 64) })];

    [Theory]
    [InlineData(1000, 6, new long[] { 167, 334, 500, 667, 834, 1000 })]
    [InlineData(1000, 3, new long[] { 334, 667, 1000 })]
    [InlineData(60, 6, new long[] { 10, 20, 30, 40, 50, 60 })]
    [InlineData(5, 3, new long[] { 2, 4, 5 })]
    public void Equispaced_steps_end_at_the_final_step(long total, int count, long[] expected) =>
        Assert.Equal(expected, CheckpointPicker.EquispacedSteps(total, count));

    [Fact]
    public void Three_of_six_equispaced_checkpoints_are_every_other_one()
    {
        var six = CheckpointPicker.EquispacedSteps(1200, 6);
        var (selected, error) = CheckpointPicker.Pick(new CheckpointSelector { Select = CheckpointSelection.Equispaced, Count = 3 },
            Kept([100, .. six, 1150]), 1200);
        Assert.Null(error);
        Assert.Equal([400, 800, 1200], selected.Select(c => c.Step));
    }

    [Fact]
    public void Missing_equispaced_steps_are_named()
    {
        var (selected, error) = CheckpointPicker.Pick(new CheckpointSelector { Select = CheckpointSelection.Equispaced, Count = 3 }, Kept(400, 1200), 1200);
        Assert.Empty(selected);
        Assert.Contains("steps 800 were not kept", error);
    }

    [Fact]
    public void Last_and_all_take_the_retained_checkpoints_in_order()
    {
        var kept = Kept(300, 100, 200);
        Assert.Equal([200, 300], CheckpointPicker.Pick(new CheckpointSelector { Select = CheckpointSelection.Last, Count = 2 }, kept, 300).Selected.Select(c => c.Step));
        Assert.Equal([100, 200, 300], CheckpointPicker.Pick(new CheckpointSelector { Select = CheckpointSelection.All }, kept, 300).Selected.Select(c => c.Step));
        Assert.NotNull(CheckpointPicker.Pick(new CheckpointSelector { Select = CheckpointSelection.Last, Count = 4 }, kept, 300).Error);
    }
}
