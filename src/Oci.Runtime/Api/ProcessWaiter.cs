using Oci.Runtime.Interop;

namespace Oci.Runtime;

/// <summary>A process watched through a pidfd: waits for its end without blocking a signal handler or a
/// <c>waitpid(-1)</c>, and reaps it when it is this process's child (so that it never stays a zombie), once.</summary>
internal sealed class ProcessWaiter : IDisposable
{
    readonly object gate = new();
    int pidfd;
    ExitStatus? status;

    ProcessWaiter(int pid, int pidfd, bool child)
    {
        Pid = pid;
        this.pidfd = pidfd;
        IsChild = child;
    }

    public int Pid { get; }

    /// <summary>Whether the process is this process's child (created here), so that its status can be reaped.</summary>
    public bool IsChild { get; }

    /// <summary>Watches <paramref name="pid"/>; null when it no longer exists. For a child, the pid cannot be reused
    /// until it is reaped, so the pidfd is the process's; for another, the caller checks it is still the one it meant
    /// after this returns.</summary>
    public static ProcessWaiter? Open(int pid, bool child)
    {
        int fd = Sys.PidfdOpen(pid);
        return fd < 0 ? null : new ProcessWaiter(pid, fd, child);
    }

    /// <summary>Whether the process has ended (a zombie counts as ended).</summary>
    public bool HasExited
    {
        get
        {
            lock (gate) return status is not null || pidfd < 0 || Sys.PollReadable(pidfd, 0);
        }
    }

    /// <summary>Waits for the end (polling for cancellation between waits) and reaps it.</summary>
    public Task<ExitStatus> WaitAsync(CancellationToken cancel)
    {
        lock (gate)
            if (status is { } known) return Task.FromResult(known);
        return Task.Run(() =>
        {
            while (true)
            {
                int fd;
                lock (gate)
                {
                    if (status is { } known) return known;
                    fd = pidfd;
                }
                if (fd < 0 || Sys.PollReadable(fd, 100))
                    return Reap() ?? default;
                cancel.ThrowIfCancellationRequested();
            }
        }, cancel);
    }

    /// <summary>Reaps the process if it has ended: its status, or null while it runs.</summary>
    public ExitStatus? Reap()
    {
        lock (gate)
        {
            if (status is not null || pidfd < 0) return status;
            if (!Sys.PollReadable(pidfd, 0)) return null;
            status = IsChild ? ExitStatus.FromReaped(Sys.TryReapPidfd(pidfd, block: false)) : default(ExitStatus);
            return status;
        }
    }

    /// <summary>Waits at most <paramref name="milliseconds"/> for the end, then reaps it.</summary>
    public ExitStatus? WaitAndReap(int milliseconds)
    {
        int fd;
        lock (gate) fd = pidfd;
        if (fd >= 0) Sys.PollReadable(fd, milliseconds);
        return Reap();
    }

    public void Dispose()
    {
        lock (gate)
        {
            Sys.Close(pidfd);
            pidfd = -1;
        }
    }
}
