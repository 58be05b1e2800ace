using System.Text.Json;

namespace Oci.Runtime.Spec;

// The linux object of a config (config-linux.md) and its smaller parts; resources and seccomp have files of their
// own. Written by hand rather than by the serializer, whose metadata cost more CPU than the rest of a command
// (SpecWriter.cs).
internal static partial class SpecWriter
{
    static void WriteLinux(Utf8JsonWriter writer, Linux linux)
    {
        writer.WriteStartObject();
        Objects(writer, "namespaces"u8, linux.Namespaces, WriteNamespace);
        Objects(writer, "uidMappings"u8, linux.UidMappings, WriteIdMapping);
        Objects(writer, "gidMappings"u8, linux.GidMappings, WriteIdMapping);
        ObjectMap(writer, "timeOffsets"u8, linux.TimeOffsets, WriteTimeOffset);
        Objects(writer, "devices"u8, linux.Devices, WriteDevice);
        Str(writer, "cgroupsPath"u8, linux.CgroupsPath);
        if (linux.Resources is { } resources) { writer.WritePropertyName("resources"u8); Write(writer, resources); }
        ObjectMap(writer, "netDevices"u8, linux.NetDevices, WriteNetDevice);
        if (linux.IntelRdt is { } rdt)
        {
            writer.WriteStartObject("intelRdt"u8);
            Str(writer, "closID"u8, rdt.ClosId);
            Strings(writer, "schemata"u8, rdt.Schemata);
            Str(writer, "l3CacheSchema"u8, rdt.L3CacheSchema);
            Str(writer, "memBwSchema"u8, rdt.MemBwSchema);
            Bool(writer, "enableMonitoring"u8, rdt.EnableMonitoring);
            EndObject(writer, rdt.Extensions);
        }
        StringMap(writer, "sysctl"u8, linux.Sysctl);
        if (linux.Seccomp is { } seccomp) { writer.WritePropertyName("seccomp"u8); WriteSeccomp(writer, seccomp); }
        Str(writer, "rootfsPropagation"u8, linux.RootfsPropagation);
        Strings(writer, "maskedPaths"u8, linux.MaskedPaths);
        Strings(writer, "readonlyPaths"u8, linux.ReadonlyPaths);
        Str(writer, "mountLabel"u8, linux.MountLabel);
        if (linux.Personality is { } personality)
        {
            writer.WriteStartObject("personality"u8);
            Str(writer, "domain"u8, personality.Domain);
            Strings(writer, "flags"u8, personality.Flags);
            EndObject(writer, personality.Extensions);
        }
        if (linux.MemoryPolicy is { } policy)
        {
            writer.WriteStartObject("memoryPolicy"u8);
            Str(writer, "mode"u8, policy.Mode);
            Str(writer, "nodes"u8, policy.Nodes);
            Strings(writer, "flags"u8, policy.Flags);
            EndObject(writer, policy.Extensions);
        }
        EndObject(writer, linux.Extensions);
    }

    static void WriteNamespace(Utf8JsonWriter writer, LinuxNamespace? ns)
    {
        if (ns is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        Str(writer, "type"u8, ns.Type);
        Str(writer, "path"u8, ns.Path);
        EndObject(writer, ns.Extensions);
    }

    static void WriteIdMapping(Utf8JsonWriter writer, LinuxIdMapping? mapping)
    {
        if (mapping is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        writer.WriteNumber("containerID"u8, mapping.ContainerId);
        writer.WriteNumber("hostID"u8, mapping.HostId);
        writer.WriteNumber("size"u8, mapping.Size);
        EndObject(writer, mapping.Extensions);
    }

    static void WriteTimeOffset(Utf8JsonWriter writer, LinuxTimeOffset? offset)
    {
        if (offset is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        writer.WriteNumber("secs"u8, offset.Secs);
        writer.WriteNumber("nanosecs"u8, offset.Nanosecs);
        EndObject(writer, offset.Extensions);
    }

    static void WriteDevice(Utf8JsonWriter writer, LinuxDevice? device)
    {
        if (device is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        Str(writer, "path"u8, device.Path);
        Str(writer, "type"u8, device.Type);
        Num(writer, "major"u8, device.Major);
        Num(writer, "minor"u8, device.Minor);
        Num(writer, "fileMode"u8, device.FileMode);
        Num(writer, "uid"u8, device.Uid);
        Num(writer, "gid"u8, device.Gid);
        EndObject(writer, device.Extensions);
    }

    static void WriteNetDevice(Utf8JsonWriter writer, LinuxNetDevice? device)
    {
        if (device is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        Str(writer, "name"u8, device.Name);
        EndObject(writer, device.Extensions);
    }
}
