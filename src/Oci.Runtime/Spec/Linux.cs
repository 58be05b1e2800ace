using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>Linux-specific configuration (config-linux.md).</summary>
public sealed class Linux
{
    /// <summary>Namespaces to create or join.</summary>
    [JsonPropertyName("namespaces")] public List<LinuxNamespace>? Namespaces { get; set; }
    /// <summary>User id mappings of the user namespace.</summary>
    [JsonPropertyName("uidMappings")] public List<LinuxIdMapping>? UidMappings { get; set; }
    /// <summary>Group id mappings of the user namespace.</summary>
    [JsonPropertyName("gidMappings")] public List<LinuxIdMapping>? GidMappings { get; set; }
    /// <summary>Offsets of the time namespace's clocks, keyed by clock (<c>monotonic</c>, <c>boottime</c>).</summary>
    [JsonPropertyName("timeOffsets")] public Dictionary<string, LinuxTimeOffset>? TimeOffsets { get; set; }
    /// <summary>Devices that must exist in the container.</summary>
    [JsonPropertyName("devices")] public List<LinuxDevice>? Devices { get; set; }
    /// <summary>Path of the container's cgroup.</summary>
    [JsonPropertyName("cgroupsPath")] public string? CgroupsPath { get; set; }
    /// <summary>Cgroup resource limits.</summary>
    [JsonPropertyName("resources")] public LinuxResources? Resources { get; set; }
    /// <summary>Network devices moved into the container's network namespace, keyed by host interface name.</summary>
    [JsonPropertyName("netDevices")] public Dictionary<string, LinuxNetDevice>? NetDevices { get; set; }
    /// <summary>Intel RDT settings.</summary>
    [JsonPropertyName("intelRdt")] public LinuxIntelRdt? IntelRdt { get; set; }
    /// <summary>Kernel parameters set in the container.</summary>
    [JsonPropertyName("sysctl")] public Dictionary<string, string>? Sysctl { get; set; }
    /// <summary>Seccomp filter.</summary>
    [JsonPropertyName("seccomp")] public LinuxSeccomp? Seccomp { get; set; }
    /// <summary>Propagation of the rootfs mount: private, shared, slave or unbindable.</summary>
    [JsonPropertyName("rootfsPropagation")] public string? RootfsPropagation { get; set; }
    /// <summary>Paths masked so that the container cannot read them.</summary>
    [JsonPropertyName("maskedPaths")] public List<string>? MaskedPaths { get; set; }
    /// <summary>Paths made read-only in the container.</summary>
    [JsonPropertyName("readonlyPaths")] public List<string>? ReadonlyPaths { get; set; }
    /// <summary>SELinux context of the container's mounts.</summary>
    [JsonPropertyName("mountLabel")] public string? MountLabel { get; set; }
    /// <summary>Execution domain of the container (personality(2)).</summary>
    [JsonPropertyName("personality")] public LinuxPersonality? Personality { get; set; }
    /// <summary>NUMA memory policy.</summary>
    [JsonPropertyName("memoryPolicy")] public LinuxMemoryPolicy? MemoryPolicy { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A namespace to create (no path) or join (path).</summary>
public sealed class LinuxNamespace
{
    /// <summary>pid, network, mount, ipc, uts, user, cgroup or time.</summary>
    [JsonPropertyName("type"), JsonRequired] public string Type { get; set; } = "";
    /// <summary>Namespace file to join; absent to create a new namespace.</summary>
    [JsonPropertyName("path")] public string? Path { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>One range of a user or group id mapping.</summary>
public sealed class LinuxIdMapping
{
    /// <summary>First id in the container.</summary>
    [JsonPropertyName("containerID"), JsonRequired] public uint ContainerId { get; set; }
    /// <summary>First id on the host.</summary>
    [JsonPropertyName("hostID"), JsonRequired] public uint HostId { get; set; }
    /// <summary>Number of ids mapped.</summary>
    [JsonPropertyName("size"), JsonRequired] public uint Size { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Offset of one clock of a time namespace.</summary>
public sealed class LinuxTimeOffset
{
    /// <summary>Seconds.</summary>
    [JsonPropertyName("secs")] public long Secs { get; set; }
    /// <summary>Nanoseconds.</summary>
    [JsonPropertyName("nanosecs")] public uint Nanosecs { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A device node created in the container.</summary>
public sealed class LinuxDevice
{
    /// <summary>Path inside the container.</summary>
    [JsonPropertyName("path"), JsonRequired] public string Path { get; set; } = "";
    /// <summary>c, b, u or p.</summary>
    [JsonPropertyName("type"), JsonRequired] public string Type { get; set; } = "";
    /// <summary>Major number (not for p).</summary>
    [JsonPropertyName("major")] public long? Major { get; set; }
    /// <summary>Minor number (not for p).</summary>
    [JsonPropertyName("minor")] public long? Minor { get; set; }
    /// <summary>Permission bits of the node.</summary>
    [JsonPropertyName("fileMode")] public uint? FileMode { get; set; }
    /// <summary>Owner.</summary>
    [JsonPropertyName("uid")] public uint? Uid { get; set; }
    /// <summary>Group.</summary>
    [JsonPropertyName("gid")] public uint? Gid { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}
