// CRIU's RPC messages (criu swrk), written by hand: the part of CRIU's images/rpc.proto that oci-run speaks, with
// CRIU's message and field numbers (see third_party/criu/NOTICE.md) and protobuf's wire format.
//
// Not Google.Protobuf with protoc's generated classes, although that is the well-kept way: measured, that library
// cost every command of the CLI, checkpoint or not. Its generated code (descriptors, reflection, JSON formatting)
// put ~2,600 types and ~460 static bases into the NativeAOT image, which the runtime allocates at every start:
// +0.9 MiB of peak RSS for `oci-run state` (6.2 -> 7.1 MiB) and ~3% of the CPU of `run` and `exec`, for 20 small
// messages that only `checkpoint` and `restore` send.
//
// Only the fields oci-run uses are declared. Reading skips fields it does not know, as protobuf does, so a newer
// CRIU's answers still parse. proto2's presence is kept: a field is sent when it was set, even to its default.
using System.Buffers;
using System.Text;

namespace Oci.Runtime.Checkpoint.Rpc;

/// <summary>rpc.proto's <c>ext_mount_map</c>: an external bind mount, by its key in the images.</summary>
internal sealed class ExtMountMap
{
    public string Key { get; set; } = "";
    public string Val { get; set; } = "";

    internal void Write(ProtoWriter w)
    {
        w.String(1, Key);
        w.String(2, Val);
    }
}

/// <summary>rpc.proto's <c>join_namespace</c>: a namespace to restore into, by path.</summary>
internal sealed class JoinNamespace
{
    public string Ns { get; set; } = "";
    public string NsFile { get; set; } = "";
    public string? ExtraOpt { get; set; }

    internal void Write(ProtoWriter w)
    {
        w.String(1, Ns);
        w.String(2, NsFile);
        w.String(3, ExtraOpt);
    }
}

/// <summary>rpc.proto's <c>inherit_fd</c>: a descriptor CRIU is given for an external resource of the images.</summary>
internal sealed class InheritFd
{
    public string Key { get; set; } = "";
    public int Fd { get; set; }

    internal void Write(ProtoWriter w)
    {
        w.String(1, Key);
        w.Int32(2, Fd);
    }
}

/// <summary>rpc.proto's <c>criu_page_server_info</c>: where a dump sends its pages (a <c>criu page-server</c>), or,
/// with lazy pages, the port the dump serves them on to <c>criu lazy-pages</c>.</summary>
internal sealed class PageServerInfo
{
    int? port, pid, fd;

    public string? Address { get; set; }
    public int Port { get => port ?? 0; set => port = value; }
    public int Pid { get => pid ?? 0; set => pid = value; }
    public int Fd { get => fd ?? 0; set => fd = value; }

    internal void Write(ProtoWriter w)
    {
        w.String(1, Address);
        w.Int32(2, port);
        w.Int32(3, pid);
        w.Int32(4, fd);
    }
}

/// <summary>rpc.proto's <c>cgroup_root</c>: where a controller's (or every) cgroup of the container is.</summary>
internal sealed class CgroupRoot
{
    public string? Ctrl { get; set; }
    public string Path { get; set; } = "";

    internal void Write(ProtoWriter w)
    {
        w.String(1, Ctrl);
        w.String(2, Path);
    }
}

/// <summary>rpc.proto's <c>criu_cg_mode</c>.</summary>
internal enum CgroupMode
{
    CgIgnore = 0,
    CgNone = 1,
    CgProps = 2,
    CgSoft = 3,
    CgFull = 4,
    CgStrict = 5,
    CgDefault = 6,
}

/// <summary>rpc.proto's <c>criu_opts</c>: what a dump or restore does.</summary>
internal sealed class Options
{
    int? pid, logLevel, workDirFd, statusFd;
    bool? leaveRunning, extUnixSk, tcpEstablished, evasiveDevices, shellJob, fileLocks, notifyScripts, trackMem,
        autoDedup, manageCgroups, rstSibling, lazyPages, orphanPtsMaster;
    CgroupMode? manageCgroupsMode;
    uint? emptyNs;

    public int ImagesDirFd { get; set; }
    public int Pid { get => pid ?? 0; set => pid = value; }
    public bool LeaveRunning { get => leaveRunning ?? false; set => leaveRunning = value; }
    public bool ExtUnixSk { get => extUnixSk ?? false; set => extUnixSk = value; }
    public bool TcpEstablished { get => tcpEstablished ?? false; set => tcpEstablished = value; }
    public bool EvasiveDevices { get => evasiveDevices ?? false; set => evasiveDevices = value; }
    public bool ShellJob { get => shellJob ?? false; set => shellJob = value; }
    public bool FileLocks { get => fileLocks ?? false; set => fileLocks = value; }
    /// <summary>CRIU's log level; 2 (errors and warnings) unless set.</summary>
    public int LogLevel { get => logLevel ?? 2; set => logLevel = value; }
    public string? LogFile { get; set; }
    public PageServerInfo? Ps { get; set; }
    public bool NotifyScripts { get => notifyScripts ?? false; set => notifyScripts = value; }
    public string? Root { get; set; }
    public string? ParentImg { get; set; }
    public bool TrackMem { get => trackMem ?? false; set => trackMem = value; }
    public bool AutoDedup { get => autoDedup ?? false; set => autoDedup = value; }
    public int WorkDirFd { get => workDirFd ?? 0; set => workDirFd = value; }
    public List<ExtMountMap> ExtMnt { get; } = [];
    public bool ManageCgroups { get => manageCgroups ?? false; set => manageCgroups = value; }
    public List<CgroupRoot> CgRoot { get; } = [];
    public bool RstSibling { get => rstSibling ?? false; set => rstSibling = value; }
    public List<InheritFd> InheritFd { get; } = [];
    public CgroupMode ManageCgroupsMode { get => manageCgroupsMode ?? CgroupMode.CgIgnore; set => manageCgroupsMode = value; }
    public List<string> External { get; } = [];
    public uint EmptyNs { get => emptyNs ?? 0; set => emptyNs = value; }
    public List<JoinNamespace> JoinNs { get; } = [];
    public string? FreezeCgroup { get; set; }
    public bool LazyPages { get => lazyPages ?? false; set => lazyPages = value; }
    public int StatusFd { get => statusFd ?? 0; set => statusFd = value; }
    public bool OrphanPtsMaster { get => orphanPtsMaster ?? false; set => orphanPtsMaster = value; }
    public string? ConfigFile { get; set; }

    internal void Write(ProtoWriter w)
    {
        w.Int32(1, ImagesDirFd);
        w.Int32(2, pid);
        w.Bool(3, leaveRunning);
        w.Bool(4, extUnixSk);
        w.Bool(5, tcpEstablished);
        w.Bool(6, evasiveDevices);
        w.Bool(7, shellJob);
        w.Bool(8, fileLocks);
        w.Int32(9, logLevel);
        w.String(10, LogFile);
        if (Ps is { } ps) w.Message(11, ps.Write);
        w.Bool(12, notifyScripts);
        w.String(13, Root);
        w.String(14, ParentImg);
        w.Bool(15, trackMem);
        w.Bool(16, autoDedup);
        w.Int32(17, workDirFd);
        foreach (var m in ExtMnt) w.Message(23, m.Write);
        w.Bool(24, manageCgroups);
        foreach (var r in CgRoot) w.Message(25, r.Write);
        w.Bool(26, rstSibling);
        foreach (var f in InheritFd) w.Message(27, f.Write);
        w.Int32(34, (int?)manageCgroupsMode);
        foreach (var e in External) w.String(37, e);
        w.UInt32(38, emptyNs);
        foreach (var j in JoinNs) w.Message(39, j.Write);
        w.String(44, FreezeCgroup);
        w.Bool(48, lazyPages);
        w.Int32(49, statusFd);
        w.Bool(50, orphanPtsMaster);
        w.String(51, ConfigFile);
    }
}

/// <summary>rpc.proto's <c>criu_dump_resp</c>.</summary>
internal sealed class DumpResponse
{
    public bool Restored { get; set; }

    internal static DumpResponse Read(ProtoReader r)
    {
        var m = new DumpResponse();
        while (r.Next(out int field, out int wire))
            if (field == 1) m.Restored = r.Bool(wire);
            else r.Skip(wire);
        return m;
    }
}

/// <summary>rpc.proto's <c>criu_restore_resp</c>.</summary>
internal sealed class RestoreResponse
{
    public int Pid { get; set; }

    internal static RestoreResponse Read(ProtoReader r)
    {
        var m = new RestoreResponse();
        while (r.Next(out int field, out int wire))
            if (field == 1) m.Pid = r.Int32(wire);
            else r.Skip(wire);
        return m;
    }
}

/// <summary>rpc.proto's <c>criu_notify</c>: a point of the dump or restore where CRIU waits for the runtime.</summary>
internal sealed class Notify
{
    public string Script { get; set; } = "";
    public int Pid { get; set; }

    internal static Notify Read(ProtoReader r)
    {
        var m = new Notify();
        while (r.Next(out int field, out int wire))
            if (field == 1) m.Script = r.String(wire);
            else if (field == 2) m.Pid = r.Int32(wire);
            else r.Skip(wire);
        return m;
    }
}

/// <summary>rpc.proto's <c>criu_req_type</c>.</summary>
internal enum RequestType
{
    Empty = 0,
    Dump = 1,
    Restore = 2,
    Check = 3,
    PreDump = 4,
    PageServer = 5,
    Notify = 6,
    CpuinfoDump = 7,
    CpuinfoCheck = 8,
    FeatureCheck = 9,
    Version = 10,
}

/// <summary>rpc.proto's <c>criu_features</c>: asked for in a FEATURE_CHECK request, answered with what works.</summary>
internal sealed class Features
{
    bool? memTrack, lazyPages;

    public bool MemTrack { get => memTrack ?? false; set => memTrack = value; }
    public bool LazyPages { get => lazyPages ?? false; set => lazyPages = value; }

    internal void Write(ProtoWriter w)
    {
        w.Bool(1, memTrack);
        w.Bool(2, lazyPages);
    }

    internal static Features Read(ProtoReader r)
    {
        var m = new Features();
        while (r.Next(out int field, out int wire))
            if (field == 1) m.MemTrack = r.Bool(wire);
            else if (field == 2) m.LazyPages = r.Bool(wire);
            else r.Skip(wire);
        return m;
    }
}

/// <summary>rpc.proto's <c>criu_req</c>.</summary>
internal sealed class Request
{
    bool? notifySuccess, keepOpen;

    public RequestType Type { get; set; }
    public Options? Opts { get; set; }
    public bool NotifySuccess { get => notifySuccess ?? false; set => notifySuccess = value; }
    public bool KeepOpen { get => keepOpen ?? false; set => keepOpen = value; }
    public Features? Features { get; set; }

    /// <summary>The request in protobuf's wire format.</summary>
    public byte[] ToByteArray()
    {
        var w = new ProtoWriter();
        w.Int32(1, (int)Type);
        if (Opts is { } opts) w.Message(2, opts.Write);
        w.Bool(3, notifySuccess);
        w.Bool(4, keepOpen);
        if (Features is { } features) w.Message(5, features.Write);
        return w.ToArray();
    }
}

/// <summary>rpc.proto's <c>criu_version</c>.</summary>
internal sealed class Version
{
    public int MajorNumber { get; set; }
    public int MinorNumber { get; set; }
    public string Gitid { get; set; } = "";
    public int Sublevel { get; set; }
    public int Extra { get; set; }
    public string Name { get; set; } = "";

    internal static Version Read(ProtoReader r)
    {
        var m = new Version();
        while (r.Next(out int field, out int wire))
            switch (field)
            {
                case 1: m.MajorNumber = r.Int32(wire); break;
                case 2: m.MinorNumber = r.Int32(wire); break;
                case 3: m.Gitid = r.String(wire); break;
                case 4: m.Sublevel = r.Int32(wire); break;
                case 5: m.Extra = r.Int32(wire); break;
                case 6: m.Name = r.String(wire); break;
                default: r.Skip(wire); break;
            }
        return m;
    }
}

/// <summary>rpc.proto's <c>criu_resp</c>.</summary>
internal sealed class Response
{
    public RequestType Type { get; set; }
    public bool Success { get; set; }
    public DumpResponse? Dump { get; set; }
    public RestoreResponse? Restore { get; set; }
    public Notify? Notify { get; set; }
    public int CrErrno { get; set; }
    public Features? Features { get; set; }
    public string? CrErrmsg { get; set; }
    public Version? Version { get; set; }
    public int Status { get; set; }

    /// <summary>Parses a response; throws <see cref="FormatException"/> for bytes that are not one.</summary>
    public static Response Parse(ReadOnlySpan<byte> bytes) => Read(new ProtoReader(bytes.ToArray()));

    static Response Read(ProtoReader r)
    {
        var m = new Response();
        while (r.Next(out int field, out int wire))
            switch (field)
            {
                case 1: m.Type = (RequestType)r.Int32(wire); break;
                case 2: m.Success = r.Bool(wire); break;
                case 3: m.Dump = DumpResponse.Read(r.Message(wire)); break;
                case 4: m.Restore = RestoreResponse.Read(r.Message(wire)); break;
                case 5: m.Notify = Notify.Read(r.Message(wire)); break;
                case 7: m.CrErrno = r.Int32(wire); break;
                case 8: m.Features = Features.Read(r.Message(wire)); break;
                case 9: m.CrErrmsg = r.String(wire); break;
                case 10: m.Version = Version.Read(r.Message(wire)); break;
                case 11: m.Status = r.Int32(wire); break;
                default: r.Skip(wire); break;
            }
        return m;
    }
}

/// <summary>Protobuf's wire format, the part these messages use: varints (int32, uint32, bool, enums) and
/// length-delimited fields (strings, messages). A null value is a field that is not set.</summary>
internal sealed class ProtoWriter
{
    readonly ArrayBufferWriter<byte> buffer = new(256);

    public byte[] ToArray() => buffer.WrittenSpan.ToArray();

    public void Int32(int field, int? value)
    {
        if (value is not { } v) return;
        Tag(field, 0);
        Varint((ulong)(long)v); // proto2 int32: a negative value is sign-extended to ten bytes
    }

    public void UInt32(int field, uint? value)
    {
        if (value is not { } v) return;
        Tag(field, 0);
        Varint(v);
    }

    public void Bool(int field, bool? value)
    {
        if (value is not { } v) return;
        Tag(field, 0);
        Varint(v ? 1UL : 0UL);
    }

    public void String(int field, string? value)
    {
        if (value is null) return;
        Tag(field, 2);
        int length = Encoding.UTF8.GetByteCount(value);
        Varint((ulong)length);
        Encoding.UTF8.GetBytes(value, buffer.GetSpan(length));
        buffer.Advance(length);
    }

    public void Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        Tag(field, 2);
        Varint((ulong)inner.buffer.WrittenCount);
        buffer.Write(inner.buffer.WrittenSpan);
    }

    void Tag(int field, int wire) => Varint((ulong)((field << 3) | wire));

    void Varint(ulong value)
    {
        var span = buffer.GetSpan(10);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        buffer.Advance(n);
    }
}

/// <summary>Reads protobuf's wire format field by field; a nested message is read by a reader of its own.
/// Malformed input (a truncated field, a varint over ten bytes, a group) throws <see cref="FormatException"/>.</summary>
internal sealed class ProtoReader(byte[] bytes, int start = 0, int end = -1)
{
    int at = start;
    readonly int limit = end < 0 ? bytes.Length : end;

    /// <summary>The next field's number and wire type; false at the end of the message.</summary>
    public bool Next(out int field, out int wire)
    {
        field = wire = 0;
        if (at == limit) return false;
        ulong tag = Varint();
        field = (int)(tag >> 3);
        wire = (int)(tag & 7);
        if (field == 0) throw new FormatException("a field numbered 0");
        return true;
    }

    public int Int32(int wire) => (int)Scalar(wire);

    public bool Bool(int wire) => Scalar(wire) != 0;

    public string String(int wire)
    {
        var (from, length) = Delimited(wire);
        return Encoding.UTF8.GetString(bytes, from, length);
    }

    public ProtoReader Message(int wire)
    {
        var (from, length) = Delimited(wire);
        return new ProtoReader(bytes, from, from + length);
    }

    /// <summary>Skips a field this side does not know.</summary>
    public void Skip(int wire)
    {
        switch (wire)
        {
            case 0: Varint(); break;
            case 1: Advance(8); break;
            case 2: Delimited(wire); break;
            case 5: Advance(4); break;
            default: throw new FormatException($"wire type {wire}");
        }
    }

    ulong Scalar(int wire) => wire == 0 ? Varint() : throw new FormatException($"wire type {wire} for a varint field");

    (int From, int Length) Delimited(int wire)
    {
        if (wire != 2) throw new FormatException($"wire type {wire} for a length-delimited field");
        ulong length = Varint();
        if (length > (ulong)(limit - at)) throw new FormatException("a field longer than its message");
        int from = at;
        at += (int)length;
        return (from, (int)length);
    }

    void Advance(int n)
    {
        if (n > limit - at) throw new FormatException("a truncated field");
        at += n;
    }

    ulong Varint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (at == limit) throw new FormatException("a truncated varint");
            byte b = bytes[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
        throw new FormatException("a varint over ten bytes");
    }
}
