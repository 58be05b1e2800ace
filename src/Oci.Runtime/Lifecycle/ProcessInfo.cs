using System.Globalization;

namespace Oci.Runtime.Lifecycle;

/// <summary>What /proc says of a process.</summary>
internal static class ProcessInfo
{
    /// <summary>The start time (field 22 of /proc/PID/stat) of a live process, or null when the pid is free or a
    /// zombie.</summary>
    public static ulong? StartTime(int pid)
    {
        if (pid <= 0) return null;
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        if (fields.Length < 20 || fields[0] is "Z" or "X") return null;
        return ulong.Parse(fields[19], CultureInfo.InvariantCulture);
    }

    /// <summary>Whether <paramref name="pid"/> is still the process that started at <paramref name="startTime"/>.</summary>
    public static bool IsAlive(int pid, ulong startTime) => StartTime(pid) == startTime;

    /// <summary>Waits until a process that is not our child has exited (zombie or gone).</summary>
    public static void WaitForExit(int pid, int timeoutMilliseconds)
    {
        int pidfd = Interop.Sys.PidfdOpen(pid);
        if (pidfd < 0) return;
        try
        {
            Interop.Sys.PollReadable(pidfd, timeoutMilliseconds);
        }
        finally
        {
            Interop.Sys.Close(pidfd);
        }
    }
}
