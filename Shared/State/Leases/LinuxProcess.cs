using System.Globalization;

namespace OpsConsole.Shared.State.Leases;

/// <summary>
/// A process as Linux knows it: its id plus its start time in clock ticks since boot, so a recycled pid is never
/// taken for the process that once had it.
/// </summary>
public static class LinuxProcess
{
    /// <summary>Field 3 (state) and field 22 (start time in clock ticks since boot) of <c>/proc/{pid}/stat</c>; null when there is no such process.</summary>
    public static (char State, long StartTicks)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        // The command name (field 2) may hold spaces and parentheses: the fields after it start at the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 19 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? (fields[0][0], ticks) : null;
    }

    /// <summary>The process's start time, or null when it is gone.</summary>
    public static long? StartTicks(int pid) => ReadStat(pid)?.StartTicks;

    /// <summary>True while the process runs (not a zombie) and is the one that started at <paramref name="startTicks"/> (0: any).</summary>
    public static bool IsAlive(int pid, long startTicks) =>
        ReadStat(pid) is { } stat && stat.State != 'Z' && (startTicks == 0 || stat.StartTicks == startTicks);

    /// <summary>
    /// This process's PID namespace (the inode in <c>/proc/self/ns/pid</c>), or null: two containers on one host
    /// may share a host name but not a namespace, and a pid means something only inside its own.
    /// </summary>
    public static string? PidNamespace
    {
        get
        {
            try
            {
                var target = new FileInfo("/proc/self/ns/pid").LinkTarget; // "pid:[4026531836]"
                return target is { Length: > 6 } && target.StartsWith("pid:[", StringComparison.Ordinal) ? target[5..^1] : null;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }

    /// <summary>Whether this machine has <c>/proc</c>, so that a missing entry means a dead process.</summary>
    public static bool CanTell => Directory.Exists("/proc/self");
}
