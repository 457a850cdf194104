using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Training;

namespace Apriel.Trainer.Tests.Training;

public sealed class LearningRateScheduleTests
{
    private const double Peak = 1e-3;

    private static LearningRateSchedule Schedule(ScheduleKind kind, double? ratio = 0.1, double min = 0) =>
        LearningRateSchedule.From(new ScheduleSpec { Type = kind, WarmupRatio = ratio, MinLearningRateRatio = min }, Peak, total: 100);

    [Theory]
    [InlineData(ScheduleKind.Constant, 0, 1e-4)]
    [InlineData(ScheduleKind.Constant, 4, 5e-4)]
    [InlineData(ScheduleKind.Constant, 9, 1e-3)]
    [InlineData(ScheduleKind.Constant, 99, 1e-3)]
    [InlineData(ScheduleKind.Linear, 9, 1e-3)]
    [InlineData(ScheduleKind.Linear, 10, 1e-3)]
    [InlineData(ScheduleKind.Linear, 55, 5e-4)]
    [InlineData(ScheduleKind.Linear, 99, 1e-3 / 90)]
    [InlineData(ScheduleKind.Cosine, 10, 1e-3)]
    [InlineData(ScheduleKind.Cosine, 55, 5e-4)]
    public void Should_give_the_documented_values_with_warmup(ScheduleKind kind, long step, double expected)
    {
        Assert.Equal(expected, Schedule(kind).At(step), 12);
    }

    [Fact]
    public void Should_follow_the_cosine_between_the_peak_and_the_floor()
    {
        var schedule = Schedule(ScheduleKind.Cosine, ratio: 0.1, min: 0.1);

        Assert.Equal(Peak, schedule.At(10), 12);
        Assert.Equal(Peak * 0.775, schedule.At(40), 12); // p = 1/3: cos = 1/2
        Assert.Equal(Peak * 0.55, schedule.At(55), 12);  // p = 1/2
        Assert.Equal(Peak * 0.325, schedule.At(70), 12); // p = 2/3
        Assert.Equal(Peak * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * 89 / 90))), schedule.At(99), 12);
        Assert.True(schedule.At(99) > Peak * 0.1);
    }

    [Fact]
    public void Should_decay_linearly_to_the_minimum_ratio()
    {
        var schedule = Schedule(ScheduleKind.Linear, ratio: null, min: 0.2);

        Assert.Equal(Peak, schedule.At(0), 12);
        Assert.Equal(Peak * (0.2 + 0.8 * 0.5), schedule.At(50), 12);
        Assert.Equal(Peak * (0.2 + 0.8 * 0.01), schedule.At(99), 12);
    }

    [Fact]
    public void Should_take_warmup_in_steps_and_count_it_from_the_first_step()
    {
        var schedule = LearningRateSchedule.From(new ScheduleSpec { Type = ScheduleKind.Cosine, WarmupSteps = 4 }, Peak, total: 20);

        Assert.Equal([0.25e-3, 0.5e-3, 0.75e-3, 1e-3, 1e-3], Enumerable.Range(0, 5).Select(s => Math.Round(schedule.At(s), 12)));
        Assert.True(schedule.At(5) < Peak);
    }
}
