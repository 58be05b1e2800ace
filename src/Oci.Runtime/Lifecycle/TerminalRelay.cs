using Oci.Runtime.Interop;

namespace Oci.Runtime.Lifecycle;

/// <summary>
/// A foreground <c>run</c> of a container with <c>process.terminal</c> and no <c>--console-socket</c>: like runc, the
/// runtime takes the pty master itself and copies between it and its own stdio, with its terminal in raw mode.
/// </summary>
internal sealed class TerminalRelay : IDisposable
{
    readonly int ourEnd;
    int master = -1;
    byte[]? savedTerminal;
    Thread? output;

    TerminalRelay(int ourEnd, int containerEnd)
    {
        this.ourEnd = ourEnd;
        ContainerEnd = containerEnd;
    }

    /// <summary>The socket handed to the container's init as its console socket.</summary>
    public int ContainerEnd { get; private set; }

    public static TerminalRelay Create()
    {
        var (ours, theirs) = Sys.SocketPair();
        return new TerminalRelay(ours, theirs);
    }

    /// <summary>Starts copying if init sent a pty master (it does so before create returns); false when the
    /// container has no terminal.</summary>
    public bool Start()
    {
        Sys.Close(ContainerEnd);
        ContainerEnd = -1;
        master = Sys.TryReceiveFd(ourEnd);
        if (master < 0) return false;
        if (Sys.IsTerminal(0))
        {
            if (Sys.GetWindowSize(0) is var (rows, columns)) Sys.SetWindowSize(master, rows, columns);
            savedTerminal = Sys.MakeRaw(0);
        }
        new Thread(() => Copy(0, master)) { IsBackground = true, Name = "terminal input" }.Start();
        output = new Thread(() => Copy(master, 1)) { IsBackground = true, Name = "terminal output" };
        output.Start();
        return true;
    }

    static void Copy(int from, int to)
    {
        var buffer = new byte[16384];
        try
        {
            int n;
            while ((n = Sys.Read(from, buffer)) > 0) Sys.WriteAll(to, buffer.AsSpan(0, n));
        }
        catch (SyscallException) { } // EIO once the container's side of the pty is gone
    }

    /// <summary>After the container exited: lets the last output through and restores the terminal.</summary>
    public void Dispose()
    {
        output?.Join(TimeSpan.FromSeconds(2));
        if (savedTerminal is not null) Sys.RestoreTerminal(0, savedTerminal);
        Sys.Close(master);
        Sys.Close(ContainerEnd);
        Sys.Close(ourEnd);
    }
}
