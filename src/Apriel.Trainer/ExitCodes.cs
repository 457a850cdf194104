namespace Apriel.Trainer;

/// <summary>Exit codes of <c>apriel-trainer</c>.</summary>
public static class ExitCodes
{
    /// <summary>Done, nothing wrong.</summary>
    public const int Ok = 0;

    /// <summary>The inputs have problems (they were printed).</summary>
    public const int Invalid = 1;

    /// <summary>The command could not run (bad arguments, missing files).</summary>
    public const int Usage = 2;

    /// <summary>
    /// Stopped by SIGTERM after committing a checkpoint: a preemption, not a failure (EX_TEMPFAIL; the operator's
    /// <c>TrainerExitCodes.Preempted</c>, which its pod failure policy ignores).
    /// </summary>
    public const int Preempted = 75;
}
