namespace Oci.Runtime.Lifecycle;

/// <summary>What /proc says of a process.</summary>
internal static class ProcessInfo
{
    /// <summary>The start time (field 22 of /proc/PID/stat) of a live process, or null when the pid is free or a
    /// zombie.</summary>
    public static ulong? StartTime(int pid)
    {
        if (pid <= 0) return null;
        // Plain open/read/close into a stack buffer: File.ReadAllText costs a FileStream, a StreamReader, their
        // buffers and a flock, and state/list/start/delete ask this for every container.
        Span<byte> buffer = stackalloc byte[1024];
        int fd = Interop.Sys.TryOpen($"/proc/{pid}/stat", Interop.Sys.O_RDONLY, out _);
        if (fd < 0) return null;
        int length = 0;
        try
        {
            while (length < buffer.Length)
            {
                int n = Interop.Sys.Read(fd, buffer[length..]);
                if (n == 0) break;
                length += n;
            }
        }
        catch (Interop.SyscallException)
        {
            return null;
        }
        finally
        {
            Interop.Sys.Close(fd);
        }
        return ParseStartTime(buffer[..length]);
    }

    /// <summary>Field 22 of a /proc/PID/stat line, or null for a zombie, a dead process or a malformed line.</summary>
    internal static ulong? ParseStartTime(ReadOnlySpan<byte> stat)
    {
        // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
        int close = stat.LastIndexOf((byte)')');
        if (close < 0 || close + 2 > stat.Length) return null;
        var rest = stat[(close + 2)..];
        for (int field = 3; field < 22; field++)
        {
            if (field == 3 && rest.Length > 0 && rest[0] is (byte)'Z' or (byte)'X') return null;
            int space = rest.IndexOf((byte)' ');
            if (space < 0) return null;
            rest = rest[(space + 1)..];
        }
        int end = rest.IndexOfAny((byte)' ', (byte)'\n');
        if (end >= 0) rest = rest[..end];
        return System.Buffers.Text.Utf8Parser.TryParse(rest, out ulong value, out int consumed) && consumed == rest.Length
            ? value
            : null;
    }

    /// <summary>The parent pid (field 4 of /proc/PID/stat) of a process, or null when there is no such process.</summary>
    public static int? ParentPid(int pid)
    {
        string? stat = pid > 0 ? Interop.Sys.TryReadText($"/proc/{pid}/stat") : null;
        int close = stat?.LastIndexOf(')') ?? -1;
        if (stat is null || close < 0) return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 && int.TryParse(fields[1], System.Globalization.CultureInfo.InvariantCulture, out int parent) ? parent : null;
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
