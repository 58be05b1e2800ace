using System.Text.Json;

namespace Oci.Runtime.Spec;

// The cgroup resources of a config (config-linux.md "Control groups"). update rewrites the stored config with its new
// resources through this, instead of the serializer whose metadata cost more CPU than the rest of the command
// (SpecWriter.cs).
internal static partial class SpecWriter
{
    /// <summary>Writes the resources object.</summary>
    public static void Write(Utf8JsonWriter writer, LinuxResources resources)
    {
        writer.WriteStartObject();
        Objects(writer, "devices"u8, resources.Devices, WriteDeviceCgroup);
        if (resources.Memory is { } memory)
        {
            writer.WriteStartObject("memory"u8);
            Num(writer, "limit"u8, memory.Limit);
            Num(writer, "reservation"u8, memory.Reservation);
            Num(writer, "swap"u8, memory.Swap);
            Num(writer, "kernel"u8, memory.Kernel);
            Num(writer, "kernelTCP"u8, memory.KernelTcp);
            Num(writer, "swappiness"u8, memory.Swappiness);
            Bool(writer, "disableOOMKiller"u8, memory.DisableOomKiller);
            Bool(writer, "useHierarchy"u8, memory.UseHierarchy);
            Bool(writer, "checkBeforeUpdate"u8, memory.CheckBeforeUpdate);
            EndObject(writer, memory.Extensions);
        }
        if (resources.Cpu is { } cpu)
        {
            writer.WriteStartObject("cpu"u8);
            Num(writer, "shares"u8, cpu.Shares);
            Num(writer, "quota"u8, cpu.Quota);
            Num(writer, "burst"u8, cpu.Burst);
            Num(writer, "period"u8, cpu.Period);
            Num(writer, "realtimeRuntime"u8, cpu.RealtimeRuntime);
            Num(writer, "realtimePeriod"u8, cpu.RealtimePeriod);
            Str(writer, "cpus"u8, cpu.Cpus);
            Str(writer, "mems"u8, cpu.Mems);
            Num(writer, "idle"u8, cpu.Idle);
            EndObject(writer, cpu.Extensions);
        }
        if (resources.Pids is { } pids)
        {
            writer.WriteStartObject("pids"u8);
            Num(writer, "limit"u8, pids.Limit);
            EndObject(writer, pids.Extensions);
        }
        if (resources.BlockIO is { } blockIO)
        {
            writer.WriteStartObject("blockIO"u8);
            Num(writer, "weight"u8, blockIO.Weight);
            Num(writer, "leafWeight"u8, blockIO.LeafWeight);
            Objects(writer, "weightDevice"u8, blockIO.WeightDevice, WriteWeightDevice);
            Objects(writer, "throttleReadBpsDevice"u8, blockIO.ThrottleReadBpsDevice, WriteThrottleDevice);
            Objects(writer, "throttleWriteBpsDevice"u8, blockIO.ThrottleWriteBpsDevice, WriteThrottleDevice);
            Objects(writer, "throttleReadIOPSDevice"u8, blockIO.ThrottleReadIOPSDevice, WriteThrottleDevice);
            Objects(writer, "throttleWriteIOPSDevice"u8, blockIO.ThrottleWriteIOPSDevice, WriteThrottleDevice);
            EndObject(writer, blockIO.Extensions);
        }
        Objects(writer, "hugepageLimits"u8, resources.HugepageLimits, WriteHugepageLimit);
        if (resources.Network is { } network)
        {
            writer.WriteStartObject("network"u8);
            Num(writer, "classID"u8, network.ClassId);
            Objects(writer, "priorities"u8, network.Priorities, WriteInterfacePriority);
            EndObject(writer, network.Extensions);
        }
        ObjectMap(writer, "rdma"u8, resources.Rdma, WriteRdma);
        StringMap(writer, "unified"u8, resources.Unified);
        EndObject(writer, resources.Extensions);
    }

    static void WriteDeviceCgroup(Utf8JsonWriter writer, LinuxDeviceCgroup? rule)
    {
        if (rule is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        writer.WriteBoolean("allow"u8, rule.Allow);
        Str(writer, "type"u8, rule.Type);
        Num(writer, "major"u8, rule.Major);
        Num(writer, "minor"u8, rule.Minor);
        Str(writer, "access"u8, rule.Access);
        EndObject(writer, rule.Extensions);
    }

    static void WriteWeightDevice(Utf8JsonWriter writer, LinuxWeightDevice? device)
    {
        if (device is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        writer.WriteNumber("major"u8, device.Major);
        writer.WriteNumber("minor"u8, device.Minor);
        Num(writer, "weight"u8, device.Weight);
        Num(writer, "leafWeight"u8, device.LeafWeight);
        EndObject(writer, device.Extensions);
    }

    static void WriteThrottleDevice(Utf8JsonWriter writer, LinuxThrottleDevice? device)
    {
        if (device is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        writer.WriteNumber("major"u8, device.Major);
        writer.WriteNumber("minor"u8, device.Minor);
        writer.WriteNumber("rate"u8, device.Rate);
        EndObject(writer, device.Extensions);
    }

    static void WriteHugepageLimit(Utf8JsonWriter writer, LinuxHugepageLimit? limit)
    {
        if (limit is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        Str(writer, "pageSize"u8, limit.PageSize);
        writer.WriteNumber("limit"u8, limit.Limit);
        EndObject(writer, limit.Extensions);
    }

    static void WriteInterfacePriority(Utf8JsonWriter writer, LinuxInterfacePriority? priority)
    {
        if (priority is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        Str(writer, "name"u8, priority.Name);
        writer.WriteNumber("priority"u8, priority.Priority);
        EndObject(writer, priority.Extensions);
    }

    static void WriteRdma(Utf8JsonWriter writer, LinuxRdma? rdma)
    {
        if (rdma is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        Num(writer, "hcaHandles"u8, rdma.HcaHandles);
        Num(writer, "hcaObjects"u8, rdma.HcaObjects);
        EndObject(writer, rdma.Extensions);
    }
}
