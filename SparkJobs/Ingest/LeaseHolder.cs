using System.Globalization;
using OpsConsole.Shared.State.Leases;

namespace OpsConsole.SparkJobs.Ingest;

/// <summary>
/// Who holds a stream's lease: <c>{run}@{host}:{pid namespace}:{pid}:{start ticks}</c>. The run id comes first (the
/// console reads it); the rest names the process, so two processes with one run id never share a lease, and a
/// process on this machine, in this PID namespace, that has ended (kill -9, a crash) is seen as dead at once instead
/// of when its lease expires.
/// </summary>
public static class LeaseHolder
{
    public static string ForThisProcess(string runId) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{runId}@{Environment.MachineName}:{LinuxProcess.PidNamespace ?? "0"}:{Environment.ProcessId}:{LinuxProcess.StartTicks(Environment.ProcessId) ?? 0}");

    /// <summary>The run id part of a holder.</summary>
    public static string RunOf(string holder) => holder.Split('@')[0];

    /// <summary>
    /// True only when the holder is a process on this machine and in this PID namespace that is certainly gone. A
    /// holder elsewhere, in another format, or on a system without <c>/proc</c> is never declared dead: its lease has
    /// to expire.
    /// </summary>
    public static bool IsDeadHere(string holder)
    {
        var at = holder.LastIndexOf('@');
        var parts = at < 0 ? [] : holder[(at + 1)..].Split(':');
        return parts.Length == 4
            && string.Equals(parts[0], Environment.MachineName, StringComparison.Ordinal)
            && LinuxProcess.PidNamespace is { } pidNamespace && string.Equals(parts[1], pidNamespace, StringComparison.Ordinal)
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks > 0
            && LinuxProcess.CanTell
            && !LinuxProcess.IsAlive(pid, ticks);
    }
}
