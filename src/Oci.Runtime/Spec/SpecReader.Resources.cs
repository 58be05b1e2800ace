namespace Oci.Runtime.Spec;

// The hand-written spec reader (see SpecReader.cs: it replaces the serializer's metadata, whose building cost a
// quarter of `oci-run run`): linux.resources, for config.json and for `update --resources`.
internal static partial class SpecReader
{
    private static LinuxResources? ReadLinuxResources(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var resources = new LinuxResources();
        while (c.NextProperty())
        {
            if (c.Property("devices")) resources.Devices = c.ObjectList(ReadDeviceCgroup);
            else if (c.Property("memory")) resources.Memory = ReadMemory(ref c);
            else if (c.Property("cpu")) resources.Cpu = ReadCpu(ref c);
            else if (c.Property("pids")) resources.Pids = ReadPids(ref c);
            else if (c.Property("blockIO")) resources.BlockIO = ReadBlockIO(ref c);
            else if (c.Property("hugepageLimits")) resources.HugepageLimits = c.ObjectList(ReadHugepageLimit);
            else if (c.Property("network")) resources.Network = ReadNetwork(ref c);
            else if (c.Property("rdma")) resources.Rdma = c.ObjectMap(ReadRdma);
            else if (c.Property("unified")) resources.Unified = c.StringMap();
            else resources.Extensions = c.Unknown(resources.Extensions);
            c.EndProperty();
        }
        return resources;
    }

    private static LinuxDeviceCgroup? ReadDeviceCgroup(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var rule = new LinuxDeviceCgroup();
        bool allow = false;
        while (c.NextProperty())
        {
            if (c.Property("allow")) { rule.Allow = c.Bool(); allow = true; }
            else if (c.Property("type")) rule.Type = c.NullableString();
            else if (c.Property("major")) rule.Major = c.NullableInt64();
            else if (c.Property("minor")) rule.Minor = c.NullableInt64();
            else if (c.Property("access")) rule.Access = c.NullableString();
            else rule.Extensions = c.Unknown(rule.Extensions);
            c.EndProperty();
        }
        if (!allow) throw c.Missing("allow");
        return rule;
    }

    private static LinuxMemory? ReadMemory(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var memory = new LinuxMemory();
        while (c.NextProperty())
        {
            if (c.Property("limit")) memory.Limit = c.NullableInt64();
            else if (c.Property("reservation")) memory.Reservation = c.NullableInt64();
            else if (c.Property("swap")) memory.Swap = c.NullableInt64();
            else if (c.Property("kernel")) memory.Kernel = c.NullableInt64();
            else if (c.Property("kernelTCP")) memory.KernelTcp = c.NullableInt64();
            else if (c.Property("swappiness")) memory.Swappiness = c.NullableUInt64();
            else if (c.Property("disableOOMKiller")) memory.DisableOomKiller = c.NullableBool();
            else if (c.Property("useHierarchy")) memory.UseHierarchy = c.NullableBool();
            else if (c.Property("checkBeforeUpdate")) memory.CheckBeforeUpdate = c.NullableBool();
            else memory.Extensions = c.Unknown(memory.Extensions);
            c.EndProperty();
        }
        return memory;
    }

    private static LinuxCPU? ReadCpu(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var cpu = new LinuxCPU();
        while (c.NextProperty())
        {
            if (c.Property("shares")) cpu.Shares = c.NullableUInt64();
            else if (c.Property("quota")) cpu.Quota = c.NullableInt64();
            else if (c.Property("burst")) cpu.Burst = c.NullableUInt64();
            else if (c.Property("period")) cpu.Period = c.NullableUInt64();
            else if (c.Property("realtimeRuntime")) cpu.RealtimeRuntime = c.NullableInt64();
            else if (c.Property("realtimePeriod")) cpu.RealtimePeriod = c.NullableUInt64();
            else if (c.Property("cpus")) cpu.Cpus = c.NullableString();
            else if (c.Property("mems")) cpu.Mems = c.NullableString();
            else if (c.Property("idle")) cpu.Idle = c.NullableInt64();
            else cpu.Extensions = c.Unknown(cpu.Extensions);
            c.EndProperty();
        }
        return cpu;
    }

    private static LinuxPids? ReadPids(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var pids = new LinuxPids();
        while (c.NextProperty())
        {
            if (c.Property("limit")) pids.Limit = c.NullableInt64();
            else pids.Extensions = c.Unknown(pids.Extensions);
            c.EndProperty();
        }
        return pids;
    }

    private static LinuxBlockIO? ReadBlockIO(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var blockIO = new LinuxBlockIO();
        while (c.NextProperty())
        {
            if (c.Property("weight")) blockIO.Weight = c.NullableUInt16();
            else if (c.Property("leafWeight")) blockIO.LeafWeight = c.NullableUInt16();
            else if (c.Property("weightDevice")) blockIO.WeightDevice = c.ObjectList(ReadWeightDevice);
            else if (c.Property("throttleReadBpsDevice")) blockIO.ThrottleReadBpsDevice = c.ObjectList(ReadThrottleDevice);
            else if (c.Property("throttleWriteBpsDevice")) blockIO.ThrottleWriteBpsDevice = c.ObjectList(ReadThrottleDevice);
            else if (c.Property("throttleReadIOPSDevice")) blockIO.ThrottleReadIOPSDevice = c.ObjectList(ReadThrottleDevice);
            else if (c.Property("throttleWriteIOPSDevice")) blockIO.ThrottleWriteIOPSDevice = c.ObjectList(ReadThrottleDevice);
            else blockIO.Extensions = c.Unknown(blockIO.Extensions);
            c.EndProperty();
        }
        return blockIO;
    }

    private static LinuxWeightDevice? ReadWeightDevice(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var device = new LinuxWeightDevice();
        bool major = false, minor = false;
        while (c.NextProperty())
        {
            if (c.Property("major")) { device.Major = c.Int64(); major = true; }
            else if (c.Property("minor")) { device.Minor = c.Int64(); minor = true; }
            else if (c.Property("weight")) device.Weight = c.NullableUInt16();
            else if (c.Property("leafWeight")) device.LeafWeight = c.NullableUInt16();
            else device.Extensions = c.Unknown(device.Extensions);
            c.EndProperty();
        }
        if (!major || !minor) throw c.Missing(major ? null : "major", minor ? null : "minor");
        return device;
    }

    private static LinuxThrottleDevice? ReadThrottleDevice(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var device = new LinuxThrottleDevice();
        bool major = false, minor = false, rate = false;
        while (c.NextProperty())
        {
            if (c.Property("major")) { device.Major = c.Int64(); major = true; }
            else if (c.Property("minor")) { device.Minor = c.Int64(); minor = true; }
            else if (c.Property("rate")) { device.Rate = c.UInt64(); rate = true; }
            else device.Extensions = c.Unknown(device.Extensions);
            c.EndProperty();
        }
        if (!major || !minor || !rate) throw c.Missing(major ? null : "major", minor ? null : "minor", rate ? null : "rate");
        return device;
    }

    private static LinuxHugepageLimit? ReadHugepageLimit(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var limit = new LinuxHugepageLimit();
        bool pageSize = false, bytes = false;
        while (c.NextProperty())
        {
            if (c.Property("pageSize")) { limit.PageSize = c.String(); pageSize = true; }
            else if (c.Property("limit")) { limit.Limit = c.UInt64(); bytes = true; }
            else limit.Extensions = c.Unknown(limit.Extensions);
            c.EndProperty();
        }
        if (!pageSize || !bytes) throw c.Missing(pageSize ? null : "pageSize", bytes ? null : "limit");
        return limit;
    }

    private static LinuxNetwork? ReadNetwork(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var network = new LinuxNetwork();
        while (c.NextProperty())
        {
            if (c.Property("classID")) network.ClassId = c.NullableUInt32();
            else if (c.Property("priorities")) network.Priorities = c.ObjectList(ReadInterfacePriority);
            else network.Extensions = c.Unknown(network.Extensions);
            c.EndProperty();
        }
        return network;
    }

    private static LinuxInterfacePriority? ReadInterfacePriority(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var priority = new LinuxInterfacePriority();
        bool name = false, value = false;
        while (c.NextProperty())
        {
            if (c.Property("name")) { priority.Name = c.String(); name = true; }
            else if (c.Property("priority")) { priority.Priority = c.UInt32(); value = true; }
            else priority.Extensions = c.Unknown(priority.Extensions);
            c.EndProperty();
        }
        if (!name || !value) throw c.Missing(name ? null : "name", value ? null : "priority");
        return priority;
    }

    private static LinuxRdma? ReadRdma(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var rdma = new LinuxRdma();
        while (c.NextProperty())
        {
            if (c.Property("hcaHandles")) rdma.HcaHandles = c.NullableUInt32();
            else if (c.Property("hcaObjects")) rdma.HcaObjects = c.NullableUInt32();
            else rdma.Extensions = c.Unknown(rdma.Extensions);
            c.EndProperty();
        }
        return rdma;
    }
}
