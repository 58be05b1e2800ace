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

    public void Write(BootstrapRecord type, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[8];
        BitConverter.TryWriteBytes(header, (uint)type);
        BitConverter.TryWriteBytes(header[4..], (uint)data.Length);
        Sys.WriteAll(Fd, header);
        if (data.Length > 0) Sys.WriteAll(Fd, data);
    }

    public (BootstrapRecord Type, byte[] Data) Read()
    {
        Span<byte> header = stackalloc byte[8];
        Sys.ReadExactly(Fd, header);
        var type = (BootstrapRecord)BitConverter.ToUInt32(header);
        int length = (int)BitConverter.ToUInt32(header[4..]);
        if (length is < 0 or > MaxRecord) throw new OciException($"init protocol: record of {length} bytes");
        var data = new byte[length];
        Sys.ReadExactly(Fd, data);
        return (type, data);
    }

    /// <summary>Sends a JSON message (<see cref="Init.InitWire"/>).</summary>
    public void SendJson(byte[] utf8Json) => Write(BootstrapRecord.Json, utf8Json);

    /// <summary>Receives a JSON message; an error record from the other end becomes an exception.</summary>
    public byte[] ReceiveJson()
    {
        var (type, data) = Read();
        if (type == BootstrapRecord.Error)
            throw new OciException(System.Text.Encoding.UTF8.GetString(data));
        if (type != BootstrapRecord.Json) throw new OciException($"init protocol: unexpected record {type}");
        return data;
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
