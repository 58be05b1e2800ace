using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>The runtime's features document, the output of <c>features</c> (features.md).</summary>
public sealed class Features
{
    /// <summary>The minimum recognized runtime-spec version.</summary>
    [JsonPropertyName("ociVersionMin"), JsonRequired] public string OciVersionMin { get; set; } = "";
    /// <summary>The maximum recognized runtime-spec version.</summary>
    [JsonPropertyName("ociVersionMax"), JsonRequired] public string OciVersionMax { get; set; } = "";
    /// <summary>The recognized hook names.</summary>
    [JsonPropertyName("hooks")] public List<string>? Hooks { get; set; }
    /// <summary>The recognized mount option names, including options the host might not support.</summary>
    [JsonPropertyName("mountOptions")] public List<string>? MountOptions { get; set; }
    /// <summary>Linux-specific features.</summary>
    [JsonPropertyName("linux")] public LinuxFeatures? Linux { get; set; }
    /// <summary>Arbitrary metadata of the runtime.</summary>
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    /// <summary>Config annotations (or prefixes ending in a dot) that may change the runtime's behavior in unsafe ways.</summary>
    [JsonPropertyName("potentiallyUnsafeConfigAnnotations")] public List<string>? PotentiallyUnsafeConfigAnnotations { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Linux-specific features (features-linux.md).</summary>
public sealed class LinuxFeatures
{
    /// <summary>The recognized namespace types.</summary>
    [JsonPropertyName("namespaces")] public List<string>? Namespaces { get; set; }
    /// <summary>The recognized capability names.</summary>
    [JsonPropertyName("capabilities")] public List<string>? Capabilities { get; set; }
    /// <summary>Implementation status of the cgroup managers.</summary>
    [JsonPropertyName("cgroup")] public CgroupFeatures? Cgroup { get; set; }
    /// <summary>Implementation status of seccomp.</summary>
    [JsonPropertyName("seccomp")] public SeccompFeatures? Seccomp { get; set; }
    /// <summary>Implementation status of AppArmor.</summary>
    [JsonPropertyName("apparmor")] public AppArmorFeatures? AppArmor { get; set; }
    /// <summary>Implementation status of SELinux.</summary>
    [JsonPropertyName("selinux")] public SelinuxFeatures? Selinux { get; set; }
    /// <summary>Implementation status of Intel RDT.</summary>
    [JsonPropertyName("intelRdt")] public IntelRdtFeatures? IntelRdt { get; set; }
    /// <summary>Supported mount extensions.</summary>
    [JsonPropertyName("mountExtensions")] public MountExtensionsFeatures? MountExtensions { get; set; }
    /// <summary>Implementation status of moving network devices into the container.</summary>
    [JsonPropertyName("netDevices")] public NetDevicesFeatures? NetDevices { get; set; }
    /// <summary>Implementation status of the NUMA memory policy.</summary>
    [JsonPropertyName("memoryPolicy")] public MemoryPolicyFeatures? MemoryPolicy { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Implementation status of the cgroup managers (features-linux.md "Cgroup").</summary>
public sealed class CgroupFeatures
{
    /// <summary>Whether cgroup v1 is supported.</summary>
    [JsonPropertyName("v1")] public bool? V1 { get; set; }
    /// <summary>Whether cgroup v2 is supported.</summary>
    [JsonPropertyName("v2")] public bool? V2 { get; set; }
    /// <summary>Whether the system-wide systemd cgroup manager is supported.</summary>
    [JsonPropertyName("systemd")] public bool? Systemd { get; set; }
    /// <summary>Whether the user-scoped systemd cgroup manager is supported.</summary>
    [JsonPropertyName("systemdUser")] public bool? SystemdUser { get; set; }
    /// <summary>Whether the RDMA cgroup controller is supported.</summary>
    [JsonPropertyName("rdma")] public bool? Rdma { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Implementation status of seccomp (features-linux.md "Seccomp").</summary>
public sealed class SeccompFeatures
{
    /// <summary>Whether seccomp is supported.</summary>
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
    /// <summary>The recognized seccomp actions.</summary>
    [JsonPropertyName("actions")] public List<string>? Actions { get; set; }
    /// <summary>The recognized seccomp operators.</summary>
    [JsonPropertyName("operators")] public List<string>? Operators { get; set; }
    /// <summary>The recognized seccomp architectures.</summary>
    [JsonPropertyName("archs")] public List<string>? Archs { get; set; }
    /// <summary>The recognized seccomp filter flags.</summary>
    [JsonPropertyName("knownFlags")] public List<string>? KnownFlags { get; set; }
    /// <summary>The recognized seccomp filter flags the host supports.</summary>
    [JsonPropertyName("supportedFlags")] public List<string>? SupportedFlags { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Implementation status of AppArmor.</summary>
public sealed class AppArmorFeatures
{
    /// <summary>Whether AppArmor is supported.</summary>
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Implementation status of SELinux.</summary>
public sealed class SelinuxFeatures
{
    /// <summary>Whether SELinux is supported.</summary>
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Implementation status of Intel RDT.</summary>
public sealed class IntelRdtFeatures
{
    /// <summary>Whether Intel RDT is supported.</summary>
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
    /// <summary>Whether the <c>schemata</c> field of <see cref="LinuxIntelRdt"/> is supported.</summary>
    [JsonPropertyName("schemata")] public bool? Schemata { get; set; }
    /// <summary>Whether the <c>enableMonitoring</c> field of <see cref="LinuxIntelRdt"/> is supported.</summary>
    [JsonPropertyName("monitoring")] public bool? Monitoring { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Supported mount extensions (features-linux.md "MountExtensions").</summary>
public sealed class MountExtensionsFeatures
{
    /// <summary>Support of id-mapped mounts.</summary>
    [JsonPropertyName("idmap")] public IdMapFeatures? IdMap { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Support of id-mapped mounts (the <c>uidMappings</c> and <c>gidMappings</c> of a mount).</summary>
public sealed class IdMapFeatures
{
    /// <summary>Whether id-mapped mounts are supported.</summary>
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Implementation status of <c>linux.netDevices</c>.</summary>
public sealed class NetDevicesFeatures
{
    /// <summary>Whether moving network devices into the container is supported.</summary>
    [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Implementation status of <c>linux.memoryPolicy</c>.</summary>
public sealed class MemoryPolicyFeatures
{
    /// <summary>The recognized memory policy modes.</summary>
    [JsonPropertyName("modes")] public List<string>? Modes { get; set; }
    /// <summary>The recognized memory policy flags.</summary>
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}
