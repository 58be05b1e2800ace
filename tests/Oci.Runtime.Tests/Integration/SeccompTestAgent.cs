using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Oci.Runtime.Interop;

namespace Oci.Runtime.Tests.Integration;

/// <summary>
/// A seccomp agent for tests: listens on a unix socket, takes each container process state and its seccompFd (one
/// per process that loads the filter: the init, and every exec), and answers every notification with success
/// (return value 0) without making the call.
/// </summary>
public sealed class SeccompTestAgent : IDisposable
{
    const ulong NotifRecv = 0xc0502100, NotifSend = 0xc0182101; // SECCOMP_IOCTL_NOTIF_RECV / _SEND
    readonly Socket listener;
    readonly Thread thread;
    readonly List<Thread> answering = [];
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
    /// <summary>The first container process state received.</summary>
    public string State => States.FirstOrDefault() ?? "";
    /// <summary>Every container process state received, in order.</summary>
    public List<string> States { get; } = [];
    /// <summary>The system call numbers answered.</summary>
    public List<int> Answered { get; } = [];
    public string? Error { get; private set; }

    void Serve()
    {
        try
        {
            while (!stopping)
            {
                int fd;
                using (var connection = listener.Accept())
                {
                    var buffer = new byte[65536];
                    int n = Sys.ReceiveMessage((int)connection.SafeHandle.DangerousGetHandle(), buffer, 4, out var fds);
                    lock (States) States.Add(Encoding.UTF8.GetString(buffer, 0, n));
                    fd = fds.Single();
                }
                var thread = new Thread(() => Answer(fd)) { IsBackground = true };
                lock (answering) answering.Add(thread);
                thread.Start();
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

    void Answer(int fd)
    {
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
        catch (Exception e) when (!stopping)
        {
            Error = e.ToString();
        }
        finally
        {
            Sys.Close(fd);
        }
    }

    [DllImport("libc", SetLastError = true)]
    static extern int ioctl(int fd, ulong request, byte[] argument);

    public void Dispose()
    {
        stopping = true;
        listener.Dispose();
        thread.Join();
        lock (answering)
            foreach (var t in answering) t.Join();
        File.Delete(Path);
    }
}
