namespace Apriel.Operator.Jobs;

/// <summary>Exit codes of the trainer that the operator interprets.</summary>
public static class TrainerExitCodes
{
    /// <summary>
    /// The trainer was asked to stop (SIGTERM), wrote a checkpoint and exited: a preemption, not a failure
    /// (EX_TEMPFAIL). Job pod failure policies ignore it so it does not use up retries.
    /// </summary>
    public const int Preempted = 75;
}
