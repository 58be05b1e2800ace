namespace Oci.Runtime.Spec;

// The hand-written spec reader (see SpecReader.cs: it replaces the serializer's metadata, whose building cost a
// quarter of `oci-run run`): linux, except its resources and seccomp.
internal static partial class SpecReader
{
    private static Linux? ReadLinux(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var linux = new Linux();
        while (c.NextProperty())
        {
            if (c.Property("namespaces")) linux.Namespaces = c.ObjectList(ReadNamespace);
            else if (c.Property("uidMappings")) linux.UidMappings = c.ObjectList(ReadIdMapping);
            else if (c.Property("gidMappings")) linux.GidMappings = c.ObjectList(ReadIdMapping);
            else if (c.Property("timeOffsets")) linux.TimeOffsets = c.ObjectMap(ReadTimeOffset);
            else if (c.Property("devices")) linux.Devices = c.ObjectList(ReadDevice);
            else if (c.Property("cgroupsPath")) linux.CgroupsPath = c.NullableString();
            else if (c.Property("resources")) linux.Resources = ReadLinuxResources(ref c);
            else if (c.Property("netDevices")) linux.NetDevices = c.ObjectMap(ReadNetDevice);
            else if (c.Property("intelRdt")) linux.IntelRdt = ReadIntelRdt(ref c);
            else if (c.Property("sysctl")) linux.Sysctl = c.StringMap();
            else if (c.Property("seccomp")) linux.Seccomp = ReadSeccomp(ref c);
            else if (c.Property("rootfsPropagation")) linux.RootfsPropagation = c.NullableString();
            else if (c.Property("maskedPaths")) linux.MaskedPaths = c.StringList();
            else if (c.Property("readonlyPaths")) linux.ReadonlyPaths = c.StringList();
            else if (c.Property("mountLabel")) linux.MountLabel = c.NullableString();
            else if (c.Property("personality")) linux.Personality = ReadPersonality(ref c);
            else if (c.Property("memoryPolicy")) linux.MemoryPolicy = ReadMemoryPolicy(ref c);
            else linux.Extensions = c.Unknown(linux.Extensions);
            c.EndProperty();
        }
        return linux;
    }

    private static LinuxNamespace? ReadNamespace(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var ns = new LinuxNamespace();
        bool type = false;
        while (c.NextProperty())
        {
            if (c.Property("type")) { ns.Type = c.String(); type = true; }
            else if (c.Property("path")) ns.Path = c.NullableString();
            else ns.Extensions = c.Unknown(ns.Extensions);
            c.EndProperty();
        }
        if (!type) throw c.Missing("type");
        return ns;
    }

    private static LinuxIdMapping? ReadIdMapping(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var mapping = new LinuxIdMapping();
        bool containerId = false, hostId = false, size = false;
        while (c.NextProperty())
        {
            if (c.Property("containerID")) { mapping.ContainerId = c.UInt32(); containerId = true; }
            else if (c.Property("hostID")) { mapping.HostId = c.UInt32(); hostId = true; }
            else if (c.Property("size")) { mapping.Size = c.UInt32(); size = true; }
            else mapping.Extensions = c.Unknown(mapping.Extensions);
            c.EndProperty();
        }
        if (!containerId || !hostId || !size)
            throw c.Missing(containerId ? null : "containerID", hostId ? null : "hostID", size ? null : "size");
        return mapping;
    }

    private static LinuxTimeOffset? ReadTimeOffset(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var offset = new LinuxTimeOffset();
        while (c.NextProperty())
        {
            if (c.Property("secs")) offset.Secs = c.Int64();
            else if (c.Property("nanosecs")) offset.Nanosecs = c.UInt32();
            else offset.Extensions = c.Unknown(offset.Extensions);
            c.EndProperty();
        }
        return offset;
    }

    private static LinuxDevice? ReadDevice(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var device = new LinuxDevice();
        bool path = false, type = false;
        while (c.NextProperty())
        {
            if (c.Property("path")) { device.Path = c.String(); path = true; }
            else if (c.Property("type")) { device.Type = c.String(); type = true; }
            else if (c.Property("major")) device.Major = c.NullableInt64();
            else if (c.Property("minor")) device.Minor = c.NullableInt64();
            else if (c.Property("fileMode")) device.FileMode = c.NullableUInt32();
            else if (c.Property("uid")) device.Uid = c.NullableUInt32();
            else if (c.Property("gid")) device.Gid = c.NullableUInt32();
            else device.Extensions = c.Unknown(device.Extensions);
            c.EndProperty();
        }
        if (!path || !type) throw c.Missing(path ? null : "path", type ? null : "type");
        return device;
    }

    private static LinuxNetDevice? ReadNetDevice(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var device = new LinuxNetDevice();
        while (c.NextProperty())
        {
            if (c.Property("name")) device.Name = c.NullableString();
            else device.Extensions = c.Unknown(device.Extensions);
            c.EndProperty();
        }
        return device;
    }

    private static LinuxIntelRdt? ReadIntelRdt(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var rdt = new LinuxIntelRdt();
        while (c.NextProperty())
        {
            if (c.Property("closID")) rdt.ClosId = c.NullableString();
            else if (c.Property("schemata")) rdt.Schemata = c.StringList();
            else if (c.Property("l3CacheSchema")) rdt.L3CacheSchema = c.NullableString();
            else if (c.Property("memBwSchema")) rdt.MemBwSchema = c.NullableString();
            else if (c.Property("enableMonitoring")) rdt.EnableMonitoring = c.NullableBool();
            else rdt.Extensions = c.Unknown(rdt.Extensions);
            c.EndProperty();
        }
        return rdt;
    }

    private static LinuxPersonality? ReadPersonality(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var personality = new LinuxPersonality();
        bool domain = false;
        while (c.NextProperty())
        {
            if (c.Property("domain")) { personality.Domain = c.String(); domain = true; }
            else if (c.Property("flags")) personality.Flags = c.StringList();
            else personality.Extensions = c.Unknown(personality.Extensions);
            c.EndProperty();
        }
        if (!domain) throw c.Missing("domain");
        return personality;
    }

    private static LinuxMemoryPolicy? ReadMemoryPolicy(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var policy = new LinuxMemoryPolicy();
        bool mode = false;
        while (c.NextProperty())
        {
            if (c.Property("mode")) { policy.Mode = c.String(); mode = true; }
            else if (c.Property("nodes")) policy.Nodes = c.NullableString();
            else if (c.Property("flags")) policy.Flags = c.StringList();
            else policy.Extensions = c.Unknown(policy.Extensions);
            c.EndProperty();
        }
        if (!mode) throw c.Missing("mode");
        return policy;
    }
}
