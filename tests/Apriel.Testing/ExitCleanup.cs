using System.Runtime.InteropServices;

namespace Apriel.Testing;

/// <summary>
/// Kills child processes and deletes temp dirs when the test host goes away: on normal exit
/// and on SIGTERM/SIGINT/SIGHUP/SIGQUIT (the test host's SIGTERM path skips ProcessExit, and a
/// cancelled or timed-out run is ended by signal). SIGKILL cannot be caught: for that,
/// <see cref="TestDirectory.ReapStale"/> cleans up at the next run.
/// </summary>
internal static class ExitCleanup
{
    private static readonly Lock Gate = new();
    private static List<PosixSignalRegistration>? registrations; // kept alive: disposal unregisters

    public static void EnsureHooked()
    {
        lock (Gate)
        {
            if (registrations is not null)
            {
                return;
            }
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Run();
            registrations = [];
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
            {
                // Not cancelled: the signal's default action (exit) still follows.
                registrations.Add(PosixSignalRegistration.Create(signal, _ => Run()));
            }
        }
    }

    private static void Run()
    {
        ChildProcess.KillAll(); // first: they hold files in the directories
        TestDirectory.DeleteAll();
    }
}
