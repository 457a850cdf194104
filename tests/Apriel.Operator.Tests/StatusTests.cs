using Apriel.Operator.Status;
using k8s.Models;

namespace Apriel.Operator.Tests;

public sealed class StatusTests
{
    static readonly DateTime T0 = new(2026, 11, 29, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Transition_time_moves_only_when_the_status_changes()
    {
        var c = Conditions.Set(null, ConditionTypes.Ready, false, "WaitingForDependencies", "waiting for stage/a", 1, T0);
        c = Conditions.Set(c, ConditionTypes.Ready, false, "WaitingForDependencies", "waiting for stage/b", 2, T0.AddMinutes(1));
        var ready = Assert.Single(c);
        Assert.Equal((T0, "waiting for stage/b", 2L), (ready.LastTransitionTime, ready.Message, ready.ObservedGeneration!.Value));
        c = Conditions.Set(c, ConditionTypes.Ready, true, "Running", "training", 2, T0.AddMinutes(2));
        Assert.Equal(T0.AddMinutes(2), Conditions.Find(c, ConditionTypes.Ready)!.LastTransitionTime);
        Assert.True(Conditions.IsTrue(c, ConditionTypes.Ready));
    }

    public static TheoryData<string, V1JobStatus?, bool, JobPhase> Jobs => new()
    {
        { "new", null, false, JobPhase.Pending },
        { "queued by kueue", null, true, JobPhase.Suspended },
        { "running", new V1JobStatus { Active = 1, Failed = 1 }, false, JobPhase.Running },
        { "complete", new V1JobStatus { Succeeded = 1, Conditions = [new V1JobCondition { Type = "Complete", Status = "True" }] }, false, JobPhase.Complete },
        { "failed", new V1JobStatus { Failed = 4, Conditions = [new V1JobCondition { Type = "Failed", Status = "True", Reason = "BackoffLimitExceeded" }] }, false, JobPhase.Failed },
    };

    [Theory]
    [MemberData(nameof(Jobs))]
    public void Job_phase_follows_conditions_then_counters(string name, V1JobStatus? status, bool suspend, JobPhase phase)
    {
        var state = JobState.Of(new V1Job { Spec = new V1JobSpec { Suspend = suspend }, Status = status });
        Assert.True(phase == state.Phase, name);
        if (phase == JobPhase.Failed) Assert.Equal("BackoffLimitExceeded", state.Reason);
    }
}
