using System.Globalization;
using System.Runtime.InteropServices;
using Oci.Runtime.Interop;

namespace Oci.Runtime.Cgroups;

/// <summary>
/// What a new process needs to be put in a container's cgroups without the runtime moving it by pid. A move by
/// pid (a write to <c>cgroup.procs</c>) takes the kernel's global threadgroup lock for writing, which waits for an
/// RCU grace period: 2 to 20 ms on this project's test host, in about half of all creates and execs. Instead:
/// <list type="bullet">
/// <item>on each cgroup v1 hierarchy, the single-threaded executor writes <c>0</c> (itself) to <c>tasks</c>, a move
/// of the calling thread, which the kernel (6.x) makes without that lock;</item>
/// <item>into the cgroup2 cgroup (unified host, or the controller-less hierarchy of a hybrid one) the container's
/// process is born, with <c>clone3(CLONE_INTO_CGROUP)</c>, as crun does.</item>
/// </list>
/// The descriptors are opened here, by the runtime, on the host's cgroup filesystems.
/// </summary>
internal sealed class CgroupJoin : IDisposable
{
    /// <summary>Whether this kernel has <c>CLONE_INTO_CGROUP</c> (5.7; oci-run needs 5.6).</summary>
    public static bool KernelClonesIntoCgroups { get; } = Environment.OSVersion.Version >= new Version(5, 7);

    readonly List<(string Directory, int Fd)> tasks = [];

    /// <summary>The <c>tasks</c> file of each v1 hierarchy, open for writing.</summary>
    public IReadOnlyList<(string Directory, int Fd)> Tasks => tasks;

    /// <summary>The container's cgroup2 directory, open, or null when it has none.</summary>
    public (string Directory, int Fd)? Unified { get; private set; }

    /// <summary>Opens the files to join <paramref name="paths"/> (keyed as <see cref="CgroupManager.Paths"/>: ""
    /// is cgroup2).</summary>
    public static CgroupJoin Open(IReadOnlyDictionary<string, string> paths)
    {
        var join = new CgroupJoin();
        try
        {
            foreach (var (key, dir) in paths)
            {
                if (key.Length == 0) join.Unified = (dir, Open(dir, "", Sys.O_RDONLY | Sys.O_DIRECTORY));
                else join.tasks.Add((dir, Open(dir, "tasks", Sys.O_WRONLY)));
            }
            return join;
        }
        catch
        {
            join.Dispose();
            throw;
        }
    }

    static int Open(string dir, string file, int flags)
    {
        string path = file.Length == 0 ? dir : Path.Combine(dir, file);
        int fd = Sys.TryOpen(path, flags | Sys.O_CLOEXEC, out int errno);
        if (fd < 0) throw new OciException($"joining cgroup {dir}: {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        return fd;
    }

    /// <summary>Moves process <paramref name="pid"/> into the cgroup2 cgroup by pid: for a process that cannot be
    /// born there (one that makes or joins a user namespace first, or a kernel before 5.7).</summary>
    public void MoveIntoUnified(int pid)
    {
        if (Unified is not { } unified) return;
        int errno = CgroupFiles.TryWrite(unified.Directory, "cgroup.procs", pid.ToString(CultureInfo.InvariantCulture));
        if (errno != 0) throw new OciException($"joining cgroup {unified.Directory}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Closes the descriptors (the executor has its own copies once they are sent).</summary>
    public void Dispose()
    {
        foreach (var (_, fd) in tasks) Sys.Close(fd);
        tasks.Clear();
        if (Unified is { } unified) Sys.Close(unified.Fd);
        Unified = null;
    }
}
