using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Oci.Conformance.Framework;

/// <summary>What a runtime sent over one connection to an <see cref="FdReceiver"/>.</summary>
public sealed class ReceivedMessage
{
    public byte[] Data { get; init; } = [];
    /// <summary>Descriptors received (SCM_RIGHTS), now owned by the receiver's caller through <see cref="ReceivedMessage.Dispose"/>.</summary>
    public List<int> Fds { get; } = [];
    /// <summary>Did the descriptors arrive with the first chunk of data (one sendmsg call)?</summary>
    public bool FdsInFirstChunk { get; set; }
    /// <summary>Did the peer close its end after the message (end of stream seen)?</summary>
    public bool PeerClosed { get; set; }
    public string Text => System.Text.Encoding.UTF8.GetString(Data);

    public void CloseFds()
    {
        foreach (var fd in Fds) FdReceiver.Close(fd);
        Fds.Clear();
    }
}

/// <summary>
/// A Unix stream socket that a runtime connects to and sends descriptors over (the console socket of `create
/// --console-socket`, the seccomp agent socket of linux.seccomp.listenerPath). Accepts one connection on a background
/// thread and collects everything sent on it until the peer closes or the time runs out.
/// </summary>
public sealed unsafe partial class FdReceiver : IDisposable
{
    private readonly Socket _listener;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _done = new();
    private volatile bool _disposed;
    private ReceivedMessage? _message;
    private string? _error;

    public string Path { get; }

    public FdReceiver(string path, TimeSpan timeout)
    {
        Path = path;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(4);
        _thread = new Thread(() => Serve(timeout)) { IsBackground = true, Name = "fd-receiver" };
        _thread.Start();
    }

    /// <summary>Waits for the message of the first connection; null if none came in time (see <see cref="Error"/>).</summary>
    public ReceivedMessage? Wait(TimeSpan timeout)
    {
        _done.Wait(timeout);
        return _message;
    }

    public string? Error => _error;

    private void Serve(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            if (!_listener.Poll((int)Math.Min(int.MaxValue, timeout.TotalMicroseconds), SelectMode.SelectRead))
            {
                _error = "nobody connected to the socket";
                return;
            }
            using var conn = _listener.Accept();
            var msg = new ReceivedMessage();
            var data = new MemoryStream();
            bool first = true;
            int fd = (int)conn.Handle;
            while (DateTime.UtcNow < deadline && !_disposed)
            {
                var left = deadline - DateTime.UtcNow;
                if (!conn.Poll((int)Math.Max(1, Math.Min(int.MaxValue, left.TotalMicroseconds)), SelectMode.SelectRead)) break;
                var (n, fds) = ReceiveChunk(fd);
                if (n < 0) { _error = $"recvmsg failed: errno {Marshal.GetLastPInvokeError()}"; break; }
                if (fds.Count > 0 && first) msg.FdsInFirstChunk = true;
                msg.Fds.AddRange(fds);
                if (n == 0 && fds.Count == 0) { msg.PeerClosed = true; break; }
                data.Write(_buffer, 0, n);
                if (n > 0) first = false;
            }
            _message = new ReceivedMessage { Data = data.ToArray(), FdsInFirstChunk = msg.FdsInFirstChunk, PeerClosed = msg.PeerClosed };
            _message.Fds.AddRange(msg.Fds);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            _error ??= e.Message;
        }
        finally { _done.Set(); }
    }

    private readonly byte[] _buffer = new byte[65536];

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec { public void* Base; public nuint Len; }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    private const int SolSocket = 1, ScmRights = 1, MsgCmsgCloexec = 0x40000000;

    /// <summary>One recvmsg: bytes read (0 at end of stream, -1 on error) and the descriptors that came with them.</summary>
    private (int N, List<int> Fds) ReceiveChunk(int sock)
    {
        var fds = new List<int>();
        const int controlSize = 512;
        byte* control = stackalloc byte[controlSize];
        fixed (byte* buf = _buffer)
        {
            var iov = new IoVec { Base = buf, Len = (nuint)_buffer.Length };
            var hdr = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = controlSize };
            nint n = RecvMsg(sock, &hdr, MsgCmsgCloexec);
            if (n < 0) return (-1, fds);
            // struct cmsghdr { size_t len; int level; int type; } followed by data, each aligned to sizeof(size_t)
            nuint offset = 0;
            while (offset + (nuint)sizeof(nuint) + 8 <= hdr.ControlLen)
            {
                byte* c = control + offset;
                nuint len = *(nuint*)c;
                int level = *(int*)(c + sizeof(nuint));
                int type = *(int*)(c + sizeof(nuint) + 4);
                if (len < (nuint)(sizeof(nuint) + 8)) break;
                if (level == SolSocket && type == ScmRights)
                {
                    int count = (int)((len - (nuint)(sizeof(nuint) + 8)) / 4);
                    int* p = (int*)(c + sizeof(nuint) + 8);
                    for (int i = 0; i < count; i++) fds.Add(p[i]);
                }
                offset += (len + (nuint)sizeof(nuint) - 1) & ~((nuint)sizeof(nuint) - 1);
            }
            return ((int)n, fds);
        }
    }

    /// <summary>Where a received descriptor points (readlink /proc/self/fd/N).</summary>
    public static string? Describe(int fd)
    {
        try { return new FileInfo($"/proc/self/fd/{fd}").LinkTarget; }
        catch (IOException) { return null; }
    }

    public static void Close(int fd) => CloseFd(fd);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsg(int sockfd, MsgHdr* msg, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseFd(int fd);

    public void Dispose()
    {
        _disposed = true;
        try { _listener.Dispose(); } catch (SocketException) { }
        _done.Wait(TimeSpan.FromSeconds(5));
        _message?.CloseFds();
        try { File.Delete(Path); } catch (IOException) { }
    }
}

/// <summary>Reads a pty master on a background thread until the terminal hangs up (EIO) or the time runs out.</summary>
public sealed class PtyReader
{
    private readonly MemoryStream _data = new();
    private readonly Thread _thread;
    private readonly FileStream _stream;

    private PtyReader(int fd)
    {
        _stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: false), FileAccess.Read, 1);
        _thread = new Thread(Run) { IsBackground = true, Name = "pty-reader" };
    }

    public static PtyReader Start(int fd)
    {
        var r = new PtyReader(fd);
        r._thread.Start();
        return r;
    }

    private void Run()
    {
        var buf = new byte[4096];
        try
        {
            int n;
            while ((n = _stream.Read(buf, 0, buf.Length)) > 0)
                lock (_data) _data.Write(buf, 0, n);
        }
        catch (IOException) { } // EIO: the last slave descriptor was closed
        catch (ObjectDisposedException) { }
    }

    /// <summary>What was read, once the reader ended or after <paramref name="timeout"/>.</summary>
    public string Finish(TimeSpan timeout)
    {
        _thread.Join(timeout);
        lock (_data) return System.Text.Encoding.UTF8.GetString(_data.ToArray());
    }
}
