using System.Text.Json;

namespace Oci.Runtime.Spec;

// The features document (features.md, features-linux.md), the output of the features command. Written by hand rather
// than by the serializer, whose metadata cost more CPU than the rest of the command (SpecWriter.cs).
internal static partial class SpecWriter
{
    /// <summary>Writes a features document.</summary>
    public static void Write(Utf8JsonWriter writer, Features features)
    {
        writer.WriteStartObject();
        Str(writer, "ociVersionMin"u8, features.OciVersionMin);
        Str(writer, "ociVersionMax"u8, features.OciVersionMax);
        Strings(writer, "hooks"u8, features.Hooks);
        Strings(writer, "mountOptions"u8, features.MountOptions);
        if (features.Linux is { } linux) { writer.WritePropertyName("linux"u8); WriteLinuxFeatures(writer, linux); }
        StringMap(writer, "annotations"u8, features.Annotations);
        Strings(writer, "potentiallyUnsafeConfigAnnotations"u8, features.PotentiallyUnsafeConfigAnnotations);
        EndObject(writer, features.Extensions);
    }

    static void WriteLinuxFeatures(Utf8JsonWriter writer, LinuxFeatures linux)
    {
        writer.WriteStartObject();
        Strings(writer, "namespaces"u8, linux.Namespaces);
        Strings(writer, "capabilities"u8, linux.Capabilities);
        if (linux.Cgroup is { } cgroup)
        {
            writer.WriteStartObject("cgroup"u8);
            Bool(writer, "v1"u8, cgroup.V1);
            Bool(writer, "v2"u8, cgroup.V2);
            Bool(writer, "systemd"u8, cgroup.Systemd);
            Bool(writer, "systemdUser"u8, cgroup.SystemdUser);
            Bool(writer, "rdma"u8, cgroup.Rdma);
            EndObject(writer, cgroup.Extensions);
        }
        if (linux.Seccomp is { } seccomp)
        {
            writer.WriteStartObject("seccomp"u8);
            Bool(writer, "enabled"u8, seccomp.Enabled);
            Strings(writer, "actions"u8, seccomp.Actions);
            Strings(writer, "operators"u8, seccomp.Operators);
            Strings(writer, "archs"u8, seccomp.Archs);
            Strings(writer, "knownFlags"u8, seccomp.KnownFlags);
            Strings(writer, "supportedFlags"u8, seccomp.SupportedFlags);
            EndObject(writer, seccomp.Extensions);
        }
        if (linux.AppArmor is { } apparmor)
        {
            writer.WriteStartObject("apparmor"u8);
            Bool(writer, "enabled"u8, apparmor.Enabled);
            EndObject(writer, apparmor.Extensions);
        }
        if (linux.Selinux is { } selinux)
        {
            writer.WriteStartObject("selinux"u8);
            Bool(writer, "enabled"u8, selinux.Enabled);
            EndObject(writer, selinux.Extensions);
        }
        if (linux.IntelRdt is { } rdt)
        {
            writer.WriteStartObject("intelRdt"u8);
            Bool(writer, "enabled"u8, rdt.Enabled);
            Bool(writer, "schemata"u8, rdt.Schemata);
            Bool(writer, "monitoring"u8, rdt.Monitoring);
            EndObject(writer, rdt.Extensions);
        }
        if (linux.MountExtensions is { } mountExtensions)
        {
            writer.WriteStartObject("mountExtensions"u8);
            if (mountExtensions.IdMap is { } idmap)
            {
                writer.WriteStartObject("idmap"u8);
                Bool(writer, "enabled"u8, idmap.Enabled);
                EndObject(writer, idmap.Extensions);
            }
            EndObject(writer, mountExtensions.Extensions);
        }
        if (linux.NetDevices is { } netDevices)
        {
            writer.WriteStartObject("netDevices"u8);
            Bool(writer, "enabled"u8, netDevices.Enabled);
            EndObject(writer, netDevices.Extensions);
        }
        if (linux.MemoryPolicy is { } memoryPolicy)
        {
            writer.WriteStartObject("memoryPolicy"u8);
            Strings(writer, "modes"u8, memoryPolicy.Modes);
            Strings(writer, "flags"u8, memoryPolicy.Flags);
            EndObject(writer, memoryPolicy.Extensions);
        }
        EndObject(writer, linux.Extensions);
    }
}
