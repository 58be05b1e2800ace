using Oci.Runtime.Interop;

namespace Oci.Runtime;

/// <summary>A process started in a running container by <see cref="Container.ExecAsync"/>: its pid, its stdio
/// streams when pipes were asked for, and its own wait. It is the caller's child: <see cref="WaitForExitAsync"/> (or
/// deleting the container) reaps it.</summary>
public sealed class ContainerProcess : IAsyncDisposable, IDisposable
{
    readonly ProcessWaiter waiter;

    internal ContainerProcess(ProcessWaiter waiter, StdioPlumbing stdio, Stream? terminal)
    {
        this.waiter = waiter;
        StandardInput = stdio.Input;
        StandardOutput = stdio.Output;
        StandardError = stdio.Error;
        Terminal = terminal;
    }

    /// <summary>The process's pid in the caller's PID namespace.</summary>
    public int Pid => waiter.Pid;

    /// <summary>The write end of its standard input when <see cref="ExecProcessOptions.StandardInput"/> is
    /// <see cref="Stdio.Pipe"/>; dispose it to send end-of-file.</summary>
    public Stream? StandardInput { get; }

    /// <summary>The read end of its standard output when <see cref="ExecProcessOptions.StandardOutput"/> is
    /// <see cref="Stdio.Pipe"/>.</summary>
    public Stream? StandardOutput { get; }

    /// <summary>The read end of its standard error when <see cref="ExecProcessOptions.StandardError"/> is
    /// <see cref="Stdio.Pipe"/>.</summary>
    public Stream? StandardError { get; }

    /// <summary>The pty master when the process has <c>terminal</c> set and no console socket was given: what the
    /// process writes is read from it, what is written to it is the process's input.</summary>
    public Stream? Terminal { get; }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => waiter.HasExited;

    internal ProcessWaiter Waiter => waiter;

    /// <summary>Waits for the process to end and reaps it: its exit code or the signal that killed it.</summary>
    public Task<ExitStatus> WaitForExitAsync(CancellationToken cancellationToken = default) => waiter.WaitAsync(cancellationToken);

    /// <summary>Sends <paramref name="signal"/> to the process.</summary>
    /// <exception cref="OciException">The process has ended.</exception>
    public void Kill(Signal signal = Signal.Term)
    {
        if (waiter.HasExited) throw new OciException("process already finished");
        int errno = Sys.Kill(Pid, (int)signal);
        if (errno != 0) throw new SyscallException($"kill {Pid}", errno);
    }

    /// <summary>Closes the streams; reaps the process if it has ended. A process still running is left running
    /// (deleting the container ends and reaps it).</summary>
    public void Dispose()
    {
        StandardInput?.Dispose();
        StandardOutput?.Dispose();
        StandardError?.Dispose();
        Terminal?.Dispose();
        waiter.Reap();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
