using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Oci.Runtime.Interop;

namespace Oci.Runtime.Tests.Integration;

/// <summary>
/// A seccomp agent for tests: listens on a unix socket, takes the one container process state and its seccompFd,
/// and answers every notification with success (return value 0) without making the call.
/// </summary>
public sealed class SeccompTestAgent : IDisposable
{
    const ulong NotifRecv = 0xc0502100, NotifSend = 0xc0182101; // SECCOMP_IOCTL_NOTIF_RECV / _SEND
    readonly Socket listener;
    readonly Thread thread;
    volatile bool stopping;

    public SeccompTestAgent(string path)
    {
        Path = path;
        listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        thread = new Thread(Serve) { IsBackground = true };
        thread.Start();
    }

    public string Path { get; }
    /// <summary>The container process state received.</summary>
    public string State { get; private set; } = "";
    /// <summary>The system call numbers answered.</summary>
    public List<int> Answered { get; } = [];
    public string? Error { get; private set; }

    void Serve()
    {
        try
        {
            using var connection = listener.Accept();
            var buffer = new byte[65536];
            int n = Sys.ReceiveMessage((int)connection.SafeHandle.DangerousGetHandle(), buffer, 4, out var fds);
            State = Encoding.UTF8.GetString(buffer, 0, n);
            int fd = fds.Single();
            try
            {
                var notification = new byte[80];
                var response = new byte[24];
                while (!stopping)
                {
                    if (!Sys.PollReadable(fd, 100)) continue;
                    Array.Clear(notification);
                    if (ioctl(fd, NotifRecv, notification) < 0)
                    {
                        int errno = Marshal.GetLastPInvokeError();
                        if (errno is 4 or 2) continue; // EINTR, ENOENT (the caller went away)
                        break;
                    }
                    ulong id = BinaryPrimitives.ReadUInt64LittleEndian(notification);
                    int nr = BinaryPrimitives.ReadInt32LittleEndian(notification.AsSpan(16));
                    lock (Answered) Answered.Add(nr);
                    Array.Clear(response);
                    BinaryPrimitives.WriteUInt64LittleEndian(response, id); // val 0, error 0: success, not made
                    ioctl(fd, NotifSend, response);
                }
            }
            finally
            {
                Sys.Close(fd);
            }
        }
        catch (Exception e) when (!stopping)
        {
            Error = e.ToString();
        }
        catch (Exception)
        {
        }
    }

    [DllImport("libc", SetLastError = true)]
    static extern int ioctl(int fd, ulong request, byte[] argument);

    public void Dispose()
    {
        stopping = true;
        listener.Dispose();
        thread.Join();
        File.Delete(Path);
    }
}
