using System.Net.Sockets;
using Xunit;

namespace Oci.Runtime.Tests.Integration;

/// <summary><c>process.terminal</c>: the container's stdio is a pseudo-terminal, handed to the caller through
/// <c>--console-socket</c>, or relayed by a foreground <c>run</c> itself.</summary>
public sealed class TerminalTests
{
    [ContainerFact]
    public void A_foreground_run_relays_the_terminal()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("sh", "-c", "tty; [ -t 0 ] && [ -t 1 ] && echo both-terminals; exit 3");
        spec.Process!.Terminal = true;
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("/dev/pts/0", result.Stdout);
        Assert.Contains("both-terminals", result.Stdout);
    }

    [ContainerFact]
    public void Create_sends_the_pty_master_to_the_console_socket()
    {
        using var h = new OciRunHarness();
        string socketPath = Path.Combine(h.Root, "console.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        var spec = OciRunHarness.NewSpec("sh", "-c", "echo hello-through-the-pty; sleep 1000");
        spec.Process!.Terminal = true;
        string id = h.NewId();
        var accepted = listener.AcceptAsync();
        var created = h.Run("create", "--console-socket", socketPath, "--bundle", h.WriteBundle(spec), id);
        Assert.True(created.ExitCode == 0, created.ToString());
        using var connection = accepted.Result;
        int master = Interop.Sys.TryReceiveFd((int)connection.Handle);
        Assert.True(master >= 0, "no descriptor arrived on the console socket");
        try
        {
            Assert.Equal(0, h.Run("start", id).ExitCode);
            using var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(master, ownsHandle: false), FileAccess.Read);
            Assert.Contains("hello-through-the-pty", OciRunHarness.ReadUntil(stream, "hello-through-the-pty"));
        }
        finally
        {
            Interop.Sys.Close(master);
        }
    }

    [ContainerFact]
    public void Create_with_a_terminal_and_no_console_socket_is_refused()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("true");
        spec.Process!.Terminal = true;
        string id = h.NewId();
        var result = h.Run("create", "--bundle", h.WriteBundle(spec), id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("console socket", result.Stderr);
        Assert.Empty(h.LeftoverState());
    }
}
