using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Training;

namespace Apriel.Trainer.Tests.Training;

public sealed class CheckpointPolicyTests
{
    [Theory]
    [InlineData(60, 6, new long[] { 10, 20, 30, 40, 50, 60 })]
    [InlineData(120, 3, new long[] { 40, 80, 120 })]
    [InlineData(10, 3, new long[] { 4, 7, 10 })]
    [InlineData(5, 0, new long[0])]
    public void Should_place_equispaced_checkpoints_at_the_ceiling_of_i_total_over_k(long total, int k, long[] expected)
    {
        var policy = new CheckpointPolicy(new CheckpointSpec { Retain = new RetainSpec { Equispaced = k } }, total);
        Assert.Equal(expected, policy.Equispaced.Order());
    }

    [Fact]
    public void Should_write_on_the_interval_and_the_equispaced_steps()
    {
        var policy = new CheckpointPolicy(new CheckpointSpec { Interval = 4, Retain = new RetainSpec { Equispaced = 3 } }, total: 10);

        Assert.Equal([4, 7, 8, 10], Enumerable.Range(0, 11).Where(s => policy.Due(s)).Select(s => (long)s));
    }

    [Fact]
    public void Should_keep_equispaced_every_n_and_the_last_k()
    {
        var policy = new CheckpointPolicy(new CheckpointSpec { Interval = 5, Retain = new RetainSpec { Equispaced = 2, Last = 2, Every = 15 } }, total: 40);

        var obsolete = policy.Obsolete([5, 10, 15, 20, 25, 30, 35]);

        Assert.Equal([5, 10, 25], obsolete); // 20 equispaced, 15 and 30 every 15, 30 and 35 the last two
    }

    [Fact]
    public void Should_always_keep_the_newest_even_with_last_zero()
    {
        var policy = new CheckpointPolicy(new CheckpointSpec { Interval = 5, Retain = new RetainSpec { Last = 0 } }, total: 40);

        Assert.Equal([5, 10], policy.Obsolete([5, 10, 15]));
    }
}
