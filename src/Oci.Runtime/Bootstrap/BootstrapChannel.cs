using Oci.Runtime.Interop;

namespace Oci.Runtime.Bootstrap;

/// <summary>Record types on the bootstrap socket; the numbers are shared with bootstrap.c.</summary>
internal enum BootstrapRecord : uint
{
    End = 0,
    CloneFlags = 1,
    NamespacePath = 2,
    TimeNamespaceOffsets = 3,
    UserNamespaceReady = 16,
    UserNamespaceMapped = 17,
    ChildPid = 18,
    Error = 19,
    /// <summary>A JSON message between the runtime and the managed init, after the bootstrap.</summary>
    Json = 32,
}

/// <summary>
/// The socket between the runtime and its init: framed records of { uint32 type; uint32 length; data }, first for
/// the C bootstrap, then JSON messages with the managed init. Owns the descriptor.
/// </summary>
internal sealed class BootstrapChannel(int fd) : IDisposable
{
    const int MaxRecord = 16 << 20;

    public int Fd { get; private set; } = fd;

    public void Write(BootstrapRecord type, ReadOnlySpan<byte> data) => Write(type, data, default);

    /// <summary>Writes a record with <paramref name="fds"/> attached to its header (SCM_RIGHTS).</summary>
    void Write(BootstrapRecord type, ReadOnlySpan<byte> data, ReadOnlySpan<int> fds)
    {
        if (data.Length > MaxRecord)
            throw new OciException($"init protocol: a message of {data.Length} bytes is more than the {MaxRecord >> 20} MiB init accepts");
        Span<byte> header = stackalloc byte[8];
        BitConverter.TryWriteBytes(header, (uint)type);
        BitConverter.TryWriteBytes(header[4..], (uint)data.Length);
        try
        {
            Sys.WriteWithFds(Fd, header, fds);
            if (data.Length > 0) Sys.WriteAll(Fd, data);
        }
        catch (SyscallException e) when (e.Errno is EPIPE or ECONNRESET)
        {
            throw new EndOfStreamException("the other end of the channel is gone", e);
        }
    }

    // The other end died (killed by the OOM killer, say): the same as its orderly end-of-file to every caller, which
    // then says which end it was, instead of "recvmsg: Connection reset by peer".
    const int EPIPE = 32, ECONNRESET = 104;

    public (BootstrapRecord Type, byte[] Data) Read() => Read(out _);

    /// <summary>Reads a record and the descriptors that came with it (close-on-exec).</summary>
    (BootstrapRecord Type, byte[] Data) Read(out int[] fds)
    {
        Span<byte> header = stackalloc byte[8];
        try
        {
            fds = Sys.ReadExactlyWithFds(Fd, header, MaxFds);
            var type = (BootstrapRecord)BitConverter.ToUInt32(header);
            int length = (int)BitConverter.ToUInt32(header[4..]);
            if (length is < 0 or > MaxRecord) throw new OciException($"init protocol: record of {length} bytes");
            var data = new byte[length];
            Sys.ReadExactly(Fd, data);
            return (type, data);
        }
        catch (SyscallException e) when (e.Errno == ECONNRESET)
        {
            throw new EndOfStreamException("the other end of the channel is gone", e);
        }
    }

    /// <summary>Sends a JSON message (<see cref="Init.InitWire"/>), with <paramref name="fds"/> attached.</summary>
    public void SendJson(byte[] utf8Json, ReadOnlySpan<int> fds = default) => Write(BootstrapRecord.Json, utf8Json, fds);

    /// <summary>Receives a JSON message; an error record from the other end becomes an exception.</summary>
    public byte[] ReceiveJson() => ReceiveJson(out _);

    /// <summary>Receives a JSON message and the descriptors that came with it (close-on-exec).</summary>
    public byte[] ReceiveJson(out int[] fds)
    {
        var (type, data) = Read(out fds);
        if (type == BootstrapRecord.Error)
            throw new OciException(System.Text.Encoding.UTF8.GetString(data));
        if (type != BootstrapRecord.Json) throw new OciException($"init protocol: unexpected record {type}");
        return data;
    }

    /// <summary>The most descriptors a message carries (the exec fifo and the console socket).</summary>
    const int MaxFds = 4;

    /// <summary>Sends init its config, with the descriptors it names.</summary>
    public void Send(Init.InitConfig config)
    {
        var (json, fds) = Init.InitWire.Write(config);
        SendJson(json, fds);
    }

    /// <summary>Receives init's config. The descriptors that came with it are moved above its
    /// <see cref="Init.InitConfig.FirstRuntimeFd"/>: below it are the caller's descriptors that pass to the container
    /// (<c>--preserve-fds</c>), and a received descriptor must not stay among them when one of those was not open.</summary>
    public Init.InitConfig ReceiveConfig()
    {
        var json = ReceiveJson(out var received);
        Init.InitConfig config;
        try
        {
            config = Init.InitWire.ReadConfig(json, received);
        }
        catch
        {
            foreach (int fd in received) Sys.Close(fd);
            throw;
        }
        foreach (int fd in received)
            if (fd != config.ExecFifoFd && fd != config.ConsoleSocketFd) Sys.Close(fd);
        config.ExecFifoFd = MoveAbove(config.ExecFifoFd, config.FirstRuntimeFd);
        config.ConsoleSocketFd = MoveAbove(config.ConsoleSocketFd, config.FirstRuntimeFd);
        return config;
    }

    static int MoveAbove(int fd, int floor)
    {
        if (fd < 0 || fd > floor) return fd;
        int moved = Sys.DupCloexec(fd, floor + 1);
        Sys.Close(fd);
        return moved;
    }

    /// <summary>Sends a message between init and the runtime.</summary>
    public void Send(Init.InitMessage message) => SendJson(Init.InitWire.Write(message));

    /// <summary>Receives a message between init and the runtime.</summary>
    public Init.InitMessage ReceiveMessage() => Init.InitWire.ReadMessage(ReceiveJson());

    public void Dispose()
    {
        Sys.Close(Fd);
        Fd = -1;
    }
}
