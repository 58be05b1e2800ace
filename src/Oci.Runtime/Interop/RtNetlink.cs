using System.Buffers.Binary;
using System.Runtime.InteropServices;
using static Tmds.Linux.LibC;

namespace Oci.Runtime.Interop;

/// <summary>One address of a network interface as rtnetlink reports it: struct ifaddrmsg and the attributes needed
/// to add it again (IFA_ADDRESS, IFA_LOCAL, IFA_BROADCAST, IFA_FLAGS).</summary>
internal sealed record InterfaceAddress(byte Family, byte PrefixLength, byte Scope, uint Flags, byte[]? Address,
    byte[]? Local, byte[]? Broadcast)
{
    public const uint IFA_F_PERMANENT = 0x80;
    public const byte RT_SCOPE_UNIVERSE = 0;

    /// <summary>A permanent address (IFA_F_PERMANENT: no lifetime) of global scope (RT_SCOPE_UNIVERSE).</summary>
    public bool IsPermanentGlobal => (Flags & IFA_F_PERMANENT) != 0 && Scope == RT_SCOPE_UNIVERSE;

    /// <summary>The address as <c>ip</c> prints it: <c>10.0.0.2/24</c>, <c>fd00::2/64</c>.</summary>
    public override string ToString() =>
        (Local ?? Address) is { Length: 4 or 16 } a ? $"{new System.Net.IPAddress(a)}/{PrefixLength}" : $"address of family {Family}/{PrefixLength}";
}

/// <summary>An rtnetlink socket (NETLINK_ROUTE), bound to the network namespace it was opened in, which stays its
/// namespace whatever the calling thread does later. Owns the socket. Requests are acknowledged one at a time; a
/// refusal is a <see cref="SyscallException"/> with the kernel's errno.</summary>
internal sealed unsafe class RtNetlink : IDisposable
{
    const ushort RTM_NEWLINK = 16, RTM_NEWADDR = 20, RTM_GETADDR = 22, NLMSG_ERROR = 2, NLMSG_DONE = 3;
    const ushort NLM_F_REQUEST = 1, NLM_F_ACK = 4, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400, NLM_F_DUMP = 0x300;
    const ushort IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_BROADCAST = 4, IFA_FLAGS = 8;
    const ushort IFLA_IFNAME = 3, IFLA_NET_NS_FD = 28;
    const uint IFF_UP = 1;
    const int CLONE_NEWNET = 0x40000000;
    // The flags RTM_NEWADDR takes from a caller (IFA_F_NODAD, IFA_F_HOMEADDRESS, IFA_F_MANAGETEMPADDR,
    // IFA_F_NOPREFIXROUTE, IFA_F_MCAUTOJOIN); the others (tentative, deprecated, ...) are the kernel's state.
    const uint SettableAddressFlags = 0x02 | 0x10 | 0x100 | 0x200 | 0x400;

    int fd;
    uint sequence;

    RtNetlink(int fd) => this.fd = fd;

    /// <summary>A socket in the calling thread's network namespace.</summary>
    public static RtNetlink Open() => new(NewSocket());

    /// <summary>A socket in the network namespace open as <paramref name="netnsFd"/>. The runtime is multithreaded
    /// and the network namespace is a per-thread attribute: a thread of its own joins the namespace, opens the
    /// socket there and goes back, so no other code ever runs in the container's namespace.</summary>
    public static RtNetlink OpenIn(int netnsFd)
    {
        int socketFd = -1;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            int own = -1;
            try
            {
                own = Sys.Open("/proc/thread-self/ns/net", Sys.O_RDONLY);
                if (Native.setns(netnsFd, CLONE_NEWNET) != 0)
                    throw new SyscallException("setns (the container's network namespace)", Marshal.GetLastPInvokeError());
                socketFd = NewSocket();
                if (Native.setns(own, CLONE_NEWNET) != 0)
                    throw new SyscallException("setns (back to the runtime's network namespace)", Marshal.GetLastPInvokeError());
            }
            catch (Exception e)
            {
                error = e;
                Sys.Close(socketFd);
                socketFd = -1;
            }
            finally
            {
                Sys.Close(own);
            }
        });
        thread.Start();
        thread.Join();
        if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        return new RtNetlink(socketFd);
    }

    static int NewSocket()
    {
        int socketFd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0 /* NETLINK_ROUTE */);
        if (socketFd < 0) throw new SyscallException("socket (rtnetlink)", Marshal.GetLastPInvokeError());
        return socketFd;
    }

    public void Dispose()
    {
        Sys.Close(fd);
        fd = -1;
    }

    /// <summary>The addresses of interface <paramref name="ifIndex"/> (an RTM_GETADDR dump, filtered here: the
    /// kernel dumps every interface's addresses).</summary>
    public List<InterfaceAddress> Addresses(int ifIndex, string what)
    {
        var message = new MessageWriter(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, ++sequence);
        message.Bytes(0, 0, 0, 0); // struct ifaddrmsg: any family
        message.Int32(0);
        Send(message.ToArray(), what);
        var addresses = new List<InterfaceAddress>();
        var buffer = new byte[32768];
        while (true)
        {
            int length = Receive(buffer, what);
            foreach (var (type, seq, payload) in Messages(buffer.AsSpan(0, length)))
            {
                if (seq != sequence) continue;
                if (type == NLMSG_DONE) return addresses;
                if (type == NLMSG_ERROR) ThrowIfError(payload, what);
                if (type == RTM_NEWADDR && ParseAddress(payload, out int index) is { } address && index == ifIndex)
                    addresses.Add(address);
            }
        }
    }

    /// <summary>Moves interface <paramref name="ifIndex"/> into the network namespace open as
    /// <paramref name="netnsFd"/>, named <paramref name="newName"/> there (a <c>%d</c> template lets the kernel
    /// number it): one RTM_NEWLINK with IFLA_NET_NS_FD and IFLA_IFNAME, as <c>ip link set … netns … name …</c>.</summary>
    public void MoveLink(int ifIndex, int netnsFd, string newName, string what)
    {
        var message = new MessageWriter(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, ++sequence);
        message.InterfaceInfo(ifIndex, 0, 0);
        message.Attribute(IFLA_NET_NS_FD, BitConverter.GetBytes(netnsFd));
        message.Attribute(IFLA_IFNAME, System.Text.Encoding.UTF8.GetBytes(newName + "\0"));
        Request(message.ToArray(), what);
    }

    /// <summary>Adds <paramref name="address"/> to interface <paramref name="ifIndex"/> (RTM_NEWADDR, create, not
    /// replace), with no lifetime, so permanent.</summary>
    public void AddAddress(int ifIndex, InterfaceAddress address, string what) =>
        Request(NewAddressMessage(++sequence, ifIndex, address), what);

    /// <summary>Sets interface <paramref name="ifIndex"/> up (IFF_UP), as <c>ip link set … up</c>.</summary>
    public void SetUp(int ifIndex, string what)
    {
        var message = new MessageWriter(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, ++sequence);
        message.InterfaceInfo(ifIndex, IFF_UP, IFF_UP);
        Request(message.ToArray(), what);
    }

    /// <summary>The RTM_NEWADDR request that adds <paramref name="address"/> to interface <paramref name="ifIndex"/>.</summary>
    internal static byte[] NewAddressMessage(uint sequence, int ifIndex, InterfaceAddress address)
    {
        var message = new MessageWriter(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, sequence);
        uint flags = address.Flags & SettableAddressFlags;
        message.Bytes(address.Family, address.PrefixLength, (byte)flags, address.Scope);
        message.Int32(ifIndex);
        if (address.Local is { } local) message.Attribute(IFA_LOCAL, local);
        if (address.Address is { } peer) message.Attribute(IFA_ADDRESS, peer);
        if (address.Broadcast is { } broadcast) message.Attribute(IFA_BROADCAST, broadcast);
        message.Attribute(IFA_FLAGS, BitConverter.GetBytes(flags));
        return message.ToArray();
    }

    /// <summary>An RTM_NEWADDR payload (struct ifaddrmsg and attributes) as an address of interface
    /// <paramref name="ifIndex"/>; null when it is too short.</summary>
    internal static InterfaceAddress? ParseAddress(ReadOnlySpan<byte> payload, out int ifIndex)
    {
        ifIndex = 0;
        if (payload.Length < 8) return null;
        byte family = payload[0], prefix = payload[1], scope = payload[3];
        uint flags = payload[2];
        ifIndex = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        byte[]? address = null, local = null, broadcast = null;
        foreach (var (type, value) in Attributes(payload[8..]))
        {
            switch (type)
            {
                case IFA_ADDRESS: address = value.ToArray(); break;
                case IFA_LOCAL: local = value.ToArray(); break;
                case IFA_BROADCAST: broadcast = value.ToArray(); break;
                // the full 32 bits of flags (struct ifaddrmsg has only the low 8)
                case IFA_FLAGS when value.Length >= 4: flags = BinaryPrimitives.ReadUInt32LittleEndian(value); break;
            }
        }
        return new InterfaceAddress(family, prefix, scope, flags, address, local, broadcast);
    }

    /// <summary>The messages of one datagram: (type, sequence, payload after struct nlmsghdr).</summary>
    internal static List<(ushort Type, uint Sequence, byte[] Payload)> Messages(ReadOnlySpan<byte> data)
    {
        var messages = new List<(ushort, uint, byte[])>();
        while (data.Length >= 16)
        {
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
            if (length < 16 || length > data.Length) break;
            messages.Add((BinaryPrimitives.ReadUInt16LittleEndian(data[4..]), BinaryPrimitives.ReadUInt32LittleEndian(data[8..]),
                data[16..length].ToArray()));
            data = data[Math.Min(Align(length), data.Length)..];
        }
        return messages;
    }

    static List<(ushort Type, byte[] Value)> Attributes(ReadOnlySpan<byte> data)
    {
        var attributes = new List<(ushort, byte[])>();
        while (data.Length >= 4)
        {
            int length = BinaryPrimitives.ReadUInt16LittleEndian(data);
            if (length < 4 || length > data.Length) break;
            attributes.Add(((ushort)(BinaryPrimitives.ReadUInt16LittleEndian(data[2..]) & 0x3fff), data[4..length].ToArray()));
            data = data[Math.Min(Align(length), data.Length)..];
        }
        return attributes;
    }

    static int Align(int length) => (length + 3) & ~3;

    /// <summary>Sends a request and waits for its acknowledgement.</summary>
    void Request(byte[] message, string what)
    {
        Send(message, what);
        var buffer = new byte[8192];
        while (true)
        {
            int length = Receive(buffer, what);
            foreach (var (type, seq, payload) in Messages(buffer.AsSpan(0, length)))
            {
                if (seq != sequence || type != NLMSG_ERROR) continue;
                ThrowIfError(payload, what);
                return; // error 0: the acknowledgement
            }
        }
    }

    static void ThrowIfError(ReadOnlySpan<byte> payload, string what)
    {
        int error = payload.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(payload) : -5 /* EIO */;
        if (error != 0) throw new SyscallException(what, -error);
    }

    void Send(byte[] message, string what)
    {
        fixed (byte* m = message)
        {
            long sent;
            do sent = (long)send(fd, m, message.Length, 0);
            while (sent < 0 && Marshal.GetLastPInvokeError() == EINTR);
            if (sent < 0) throw new SyscallException($"{what}: send (rtnetlink)", Marshal.GetLastPInvokeError());
        }
    }

    int Receive(byte[] buffer, string what)
    {
        fixed (byte* b = buffer)
        {
            long received;
            do received = (long)recv(fd, b, buffer.Length, 0);
            while (received < 0 && Marshal.GetLastPInvokeError() == EINTR);
            if (received < 0) throw new SyscallException($"{what}: recv (rtnetlink)", Marshal.GetLastPInvokeError());
            return (int)received;
        }
    }

    /// <summary>Builds one netlink message: struct nlmsghdr, a fixed header, then attributes (each padded to 4).</summary>
    sealed class MessageWriter
    {
        readonly List<byte> bytes = new(64);

        public MessageWriter(ushort type, ushort flags, uint sequence)
        {
            Int32(0); // length, set by ToArray
            UInt16(type);
            UInt16(flags);
            Int32((int)sequence);
            Int32(0); // port id: the kernel
        }

        public void Bytes(params byte[] values) => bytes.AddRange(values);

        public void UInt16(ushort value) => bytes.AddRange(BitConverter.GetBytes(value));

        public void Int32(int value) => bytes.AddRange(BitConverter.GetBytes(value));

        /// <summary>struct ifinfomsg: AF_UNSPEC, the interface, the flags to set among those in <paramref name="change"/>.</summary>
        public void InterfaceInfo(int ifIndex, uint flags, uint change)
        {
            Bytes(0, 0);
            UInt16(0);
            Int32(ifIndex);
            Int32((int)flags);
            Int32((int)change);
        }

        public void Attribute(ushort type, byte[] value)
        {
            UInt16((ushort)(4 + value.Length));
            UInt16(type);
            bytes.AddRange(value);
            while (bytes.Count % 4 != 0) bytes.Add(0);
        }

        public byte[] ToArray()
        {
            var message = bytes.ToArray();
            BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
            return message;
        }
    }
}
