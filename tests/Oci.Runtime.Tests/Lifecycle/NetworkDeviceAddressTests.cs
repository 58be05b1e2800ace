using System.Buffers.Binary;
using Oci.Runtime.Interop;
using Xunit;

namespace Oci.Runtime.Tests.Lifecycle;

/// <summary>The addresses a moved network device keeps (config-linux.md: the permanent ones of global scope) and the
/// rtnetlink messages that read and add them. No privileges needed.</summary>
public sealed class NetworkDeviceAddressTests
{
    /// <summary>An RTM_NEWADDR payload as the kernel writes it: struct ifaddrmsg, IFA_ADDRESS, IFA_LOCAL, IFA_FLAGS.</summary>
    static byte[] Payload(byte family, byte prefix, byte scope, uint flags, int index, byte[] address)
    {
        var bytes = new List<byte> { family, prefix, (byte)flags, scope };
        bytes.AddRange(BitConverter.GetBytes(index));
        void Attribute(ushort type, byte[] value)
        {
            bytes.AddRange(BitConverter.GetBytes((ushort)(4 + value.Length)));
            bytes.AddRange(BitConverter.GetBytes(type));
            bytes.AddRange(value);
            while (bytes.Count % 4 != 0) bytes.Add(0);
        }
        Attribute(1, address);
        if (family == 2) Attribute(2, address);
        Attribute(8, BitConverter.GetBytes(flags));
        return [.. bytes];
    }

    [Theory]
    [InlineData(0, 0x80u, true)]     // global, permanent
    [InlineData(253, 0x80u, false)]  // RT_SCOPE_LINK
    [InlineData(254, 0x80u, false)]  // RT_SCOPE_HOST
    [InlineData(0, 0x00u, false)]    // a lifetime: not IFA_F_PERMANENT
    [InlineData(0, 0x282u, true)]    // permanent with IFA_F_NODAD and IFA_F_NOPREFIXROUTE (IFA_FLAGS beyond 8 bits)
    public void OnlyPermanentGlobalAddressesAreKept(byte scope, uint flags, bool kept)
    {
        var address = RtNetlink.ParseAddress(Payload(2, 24, scope, flags, 7, [10, 1, 2, 3]), out int index);
        Assert.NotNull(address);
        Assert.Equal(7, index);
        Assert.Equal(flags, address.Flags);
        Assert.Equal(kept, address.IsPermanentGlobal);
        Assert.Equal("10.1.2.3/24", address.ToString());
    }

    [Fact]
    public void TheAddRequestCarriesTheAddressAndOnlyTheFlagsACallerMaySet()
    {
        byte[] v6 = [0xfd, 0, 0x0c, 0x0f, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        // permanent | nodad | tentative: only nodad is the caller's to give
        var read = RtNetlink.ParseAddress(Payload(10, 64, 0, 0x80 | 0x02 | 0x40, 3, v6), out _)!;
        byte[] message = RtNetlink.NewAddressMessage(42, 9, read);
        var (type, sequence, payload) = Assert.Single(RtNetlink.Messages(message));
        Assert.Equal(20, type); // RTM_NEWADDR
        Assert.Equal(42u, sequence);
        Assert.Equal(message.Length, (int)BinaryPrimitives.ReadUInt32LittleEndian(message));
        // NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE: add, never replace
        Assert.Equal(0x605, BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(6)));
        var sent = RtNetlink.ParseAddress(payload, out int index)!;
        Assert.Equal(9, index);
        Assert.Equal("fd00:c0f:1::2/64", sent.ToString());
        Assert.Equal(0x02u, sent.Flags);
        Assert.Equal(v6, sent.Address);
    }

    [Fact]
    public void TheLoopbacksAddressIsReadAndNotGlobal()
    {
        using var netlink = RtNetlink.Open();
        var addresses = netlink.Addresses(Sys.InterfaceIndex("lo"), "reading the addresses of lo");
        var loopback = Assert.Single(addresses, a => a.ToString() == "127.0.0.1/8");
        Assert.False(loopback.IsPermanentGlobal); // RT_SCOPE_HOST
    }
}
