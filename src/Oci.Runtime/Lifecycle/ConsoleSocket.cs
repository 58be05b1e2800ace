using System.Net.Sockets;
using Oci.Runtime.Interop;

namespace Oci.Runtime.Lifecycle;

/// <summary>The caller's console socket (<c>--console-socket</c>): a unix stream socket that receives the pty
/// master.</summary>
internal static class ConsoleSocket
{
    /// <summary>Connects and returns a descriptor the runtime owns; errors name <paramref name="what"/>.</summary>
    public static int Connect(string path, string what = "--console-socket")
    {
        UnixDomainSocketEndPoint endpoint;
        try
        {
            endpoint = new UnixDomainSocketEndPoint(path);
        }
        catch (ArgumentException e)
        {
            throw new OciException($"{what} {path}: the path is too long for a unix socket (at most 107 bytes)", e);
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(endpoint);
            return Sys.DupCloexec((int)socket.SafeHandle.DangerousGetHandle(), 3);
        }
        catch (SocketException e)
        {
            throw new OciException($"{what} {path}: {Problem(path, e)}", e);
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>Why connecting failed, in words: .NET reports a missing socket file as "Cannot assign requested
    /// address" (EADDRNOTAVAIL), so the file is looked at.</summary>
    static string Problem(string path, SocketException e)
    {
        const uint S_IFSOCK = 0xC000;
        const int ENOENT = 2, ENOTDIR = 20;
        int fd = Sys.TryOpen(path, Sys.O_PATH, out int errno);
        if (fd < 0) return errno is ENOENT or ENOTDIR ? "does not exist" : new SyscallException("open", errno).Message;
        try
        {
            if (Sys.FileTypeAndDevice(fd).Type != S_IFSOCK) return "is not a socket";
        }
        finally
        {
            Sys.Close(fd);
        }
        return e.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused: nothing listens on the socket",
            SocketError.AccessDenied => "permission denied",
            _ => $"connecting: {e.SocketErrorCode}",
        };
    }
}
