using System.Net.Sockets;
using Oci.Runtime.Interop;

namespace Oci.Runtime.Lifecycle;

/// <summary>The caller's console socket (<c>--console-socket</c>): a unix stream socket that receives the pty
/// master.</summary>
internal static class ConsoleSocket
{
    /// <summary>Connects and returns a descriptor the runtime owns.</summary>
    public static int Connect(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return Sys.DupCloexec((int)socket.SafeHandle.DangerousGetHandle(), 3);
        }
        catch (SocketException e)
        {
            throw new OciException($"--console-socket: connecting to {path}: {e.Message}", e);
        }
        finally
        {
            socket.Dispose();
        }
    }
}
