using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Google.Protobuf;
using Oci.Runtime.Checkpoint.Rpc;
using Xunit;

namespace Oci.Runtime.Tests.Checkpoint;

/// <summary>The hand-written CRIU RPC messages against Google.Protobuf's own reader and writer (the test project has
/// the package for the CRI tests): what we send reads back field by field, and what CRIU sends parses.</summary>
public class CriuRpcTests
{
    [Fact]
    public void A_request_reads_back_with_protobufs_reader()
    {
        var opts = new Options
        {
            ImagesDirFd = 5,
            Pid = -1,
            LeaveRunning = false,
            LogLevel = 4,
            LogFile = "dump.log",
            ManageCgroupsMode = CgroupMode.CgSoft,
            EmptyNs = 0x40000000,
            ConfigFile = "/etc/criu/runc.conf",
        };
        opts.ExtMnt.Add(new ExtMountMap { Key = "/proc/sys", Val = "/proc/sys" });
        opts.External.Add("net[4026531840]:extRootNetNS");
        opts.External.Add("mnt[1]:x");
        var bytes = new Request { Type = RequestType.Dump, Opts = opts, NotifySuccess = true }.ToByteArray();

        var input = new CodedInputStream(bytes);
        Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.Varint), input.ReadTag());
        Assert.Equal((int)RequestType.Dump, input.ReadEnum());
        Assert.Equal(WireFormat.MakeTag(2, WireFormat.WireType.LengthDelimited), input.ReadTag());
        var inner = new CodedInputStream(input.ReadBytes().ToByteArray());
        Assert.Equal(WireFormat.MakeTag(3, WireFormat.WireType.Varint), input.ReadTag());
        Assert.True(input.ReadBool());
        Assert.True(input.IsAtEnd);

        var fields = new List<(int Field, object Value)>();
        while (!inner.IsAtEnd)
        {
            uint tag = inner.ReadTag();
            int field = WireFormat.GetTagFieldNumber(tag);
            object value = field switch
            {
                1 or 2 or 9 => inner.ReadInt32(),
                3 => inner.ReadBool(),
                34 => inner.ReadEnum(),
                38 => inner.ReadUInt32(),
                10 or 37 or 51 => inner.ReadString(),
                23 => inner.ReadBytes().ToByteArray(),
                _ => throw new Xunit.Sdk.XunitException($"unexpected field {field}"),
            };
            fields.Add((field, value));
        }
        var expectedMount = new CodedInputStream(((byte[])fields.Single(f => f.Field == 23).Value));
        Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited), expectedMount.ReadTag());
        Assert.Equal("/proc/sys", expectedMount.ReadString());
        Assert.Equal(WireFormat.MakeTag(2, WireFormat.WireType.LengthDelimited), expectedMount.ReadTag());
        Assert.Equal("/proc/sys", expectedMount.ReadString());
        Assert.Equal(
            new (int, object)[]
            {
                (1, 5), (2, -1), (3, false), (9, 4), (10, "dump.log"), (34, (int)CgroupMode.CgSoft),
                (37, "net[4026531840]:extRootNetNS"), (37, "mnt[1]:x"), (38, 0x40000000u), (51, "/etc/criu/runc.conf"),
            },
            fields.Where(f => f.Field != 23).ToArray());
    }

    [Fact]
    public void A_page_server_and_lazy_pages_read_back_with_protobufs_reader()
    {
        // criu_opts.ps (11) is a criu_page_server_info: address (1), port (2), pid (3), fd (4); lazy_pages is 48.
        var opts = new Options { ImagesDirFd = 3, LazyPages = true, Ps = new PageServerInfo { Address = "::1", Port = 27277 } };
        var inner = OptsOf(new Request { Type = RequestType.Dump, Opts = opts }.ToByteArray());
        Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.Varint), inner.ReadTag());
        Assert.Equal(3, inner.ReadInt32());
        Assert.Equal(WireFormat.MakeTag(11, WireFormat.WireType.LengthDelimited), inner.ReadTag());
        var ps = new CodedInputStream(inner.ReadBytes().ToByteArray());
        Assert.Equal(WireFormat.MakeTag(48, WireFormat.WireType.Varint), inner.ReadTag());
        Assert.True(inner.ReadBool());
        Assert.True(inner.IsAtEnd);
        Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited), ps.ReadTag());
        Assert.Equal("::1", ps.ReadString());
        Assert.Equal(WireFormat.MakeTag(2, WireFormat.WireType.Varint), ps.ReadTag());
        Assert.Equal(27277, ps.ReadInt32());
        Assert.True(ps.IsAtEnd);

        // A lazy dump's page server has a port only; pid and fd are sent once set.
        var portOnly = OptsOf(new Request { Type = RequestType.Dump, Opts = new Options { Ps = new PageServerInfo { Port = 1, Pid = 0, Fd = 7 } } }.ToByteArray());
        portOnly.ReadTag();
        portOnly.ReadInt32();
        Assert.Equal(WireFormat.MakeTag(11, WireFormat.WireType.LengthDelimited), portOnly.ReadTag());
        Assert.Equal(new byte[] { 0x10, 0x01, 0x18, 0x00, 0x20, 0x07 }, portOnly.ReadBytes().ToByteArray());
    }

    /// <summary>The criu_opts of a request (its field 2), to read on.</summary>
    static CodedInputStream OptsOf(byte[] request)
    {
        var input = new CodedInputStream(request);
        Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.Varint), input.ReadTag());
        input.ReadEnum();
        Assert.Equal(WireFormat.MakeTag(2, WireFormat.WireType.LengthDelimited), input.ReadTag());
        return new CodedInputStream(input.ReadBytes().ToByteArray());
    }

    [Fact]
    public void Fields_never_set_are_not_sent()
    {
        Assert.Equal(new byte[] { 0x08, 0x0a }, new Request { Type = RequestType.Version }.ToByteArray());
        Assert.Equal(new byte[] { 0x08, 0x09, 0x2a, 0x02, 0x08, 0x01 },
            new Request { Type = RequestType.FeatureCheck, Features = new Features { MemTrack = true } }.ToByteArray());
    }

    [Fact]
    public void A_response_written_by_protobuf_parses_and_unknown_fields_are_skipped()
    {
        var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteEnum((int)RequestType.Notify);
        output.WriteTag(2, WireFormat.WireType.Varint);
        output.WriteBool(true);
        output.WriteTag(5, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("post-dump");
            o.WriteTag(2, WireFormat.WireType.Varint);
            o.WriteInt32(4242);
            o.WriteTag(77, WireFormat.WireType.Fixed32);
            o.WriteFixed32(7);
        }));
        output.WriteTag(99, WireFormat.WireType.LengthDelimited);
        output.WriteString("a field of a newer CRIU");
        output.WriteTag(98, WireFormat.WireType.Fixed64);
        output.WriteFixed64(1);
        output.WriteTag(7, WireFormat.WireType.Varint);
        output.WriteInt32(-2);
        output.WriteTag(9, WireFormat.WireType.LengthDelimited);
        output.WriteString("Dumping FAILED\nmore");
        output.WriteTag(10, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt32(4);
            o.WriteTag(2, WireFormat.WireType.Varint);
            o.WriteInt32(1);
            o.WriteTag(4, WireFormat.WireType.Varint);
            o.WriteInt32(1);
        }));
        output.Flush();

        var response = Response.Parse(stream.ToArray());
        Assert.Equal(RequestType.Notify, response.Type);
        Assert.True(response.Success);
        Assert.Equal("post-dump", response.Notify!.Script);
        Assert.Equal(4242, response.Notify.Pid);
        Assert.Equal(-2, response.CrErrno);
        Assert.Equal("Dumping FAILED\nmore", response.CrErrmsg);
        Assert.Equal((4, 1, 1), (response.Version!.MajorNumber, response.Version.MinorNumber, response.Version.Sublevel));
        Assert.Null(response.Restore);
    }

    [Theory]
    [InlineData(new byte[] { 0x08 })]                    // a varint cut off
    [InlineData(new byte[] { 0x4a, 0x05, 0x61 })]        // a string longer than the message
    [InlineData(new byte[] { 0x0b })]                    // a group (wire type 3)
    [InlineData(new byte[] { 0x00, 0x00 })]              // field number 0
    [InlineData(new byte[] { 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 })] // 11 bytes
    [InlineData(new byte[] { 0x0a, 0x00 })]              // a length-delimited value for a varint field
    public void Malformed_answers_are_a_format_error(byte[] bytes) =>
        Assert.Throws<FormatException>(() => Response.Parse(bytes));

    [Property(MaxTest = 500)]
    public Property Any_bytes_parse_or_give_a_format_error() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            try
            {
                Response.Parse(bytes);
            }
            catch (FormatException)
            {
            }
        });

    static ByteString Message(Action<CodedOutputStream> write)
    {
        var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        write(output);
        output.Flush();
        return ByteString.CopyFrom(stream.ToArray());
    }
}
