using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>Cgroup resource limits of the container (config-linux.md "Control groups"; specs-go
/// <c>LinuxResources</c>).</summary>
public sealed class LinuxResources
{
    /// <summary>Device cgroup rules (allow and deny lists), applied in order.</summary>
    [JsonPropertyName("devices")] public List<LinuxDeviceCgroup>? Devices { get; set; }
    /// <summary>Memory controller settings.</summary>
    [JsonPropertyName("memory")] public LinuxMemory? Memory { get; set; }
    /// <summary>CPU and cpuset controller settings.</summary>
    [JsonPropertyName("cpu")] public LinuxCPU? Cpu { get; set; }
    /// <summary>Pids controller settings.</summary>
    [JsonPropertyName("pids")] public LinuxPids? Pids { get; set; }
    /// <summary>Block I/O (blkio / io) controller settings.</summary>
    [JsonPropertyName("blockIO")] public LinuxBlockIO? BlockIO { get; set; }
    /// <summary>Hugetlb controller limits, one per page size.</summary>
    [JsonPropertyName("hugepageLimits")] public List<LinuxHugepageLimit>? HugepageLimits { get; set; }
    /// <summary>net_cls and net_prio controller settings.</summary>
    [JsonPropertyName("network")] public LinuxNetwork? Network { get; set; }
    /// <summary>Rdma controller limits keyed by device name.</summary>
    [JsonPropertyName("rdma")] public Dictionary<string, LinuxRdma>? Rdma { get; set; }
    /// <summary>Raw cgroup v2 interface files and their values, keyed by file name (such as <c>memory.high</c>).</summary>
    [JsonPropertyName("unified")] public Dictionary<string, string>? Unified { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Memory controller settings (config-linux.md "Memory"); byte values, <c>-1</c> meaning unlimited.</summary>
public sealed class LinuxMemory
{
    /// <summary>Limit of memory usage in bytes.</summary>
    [JsonPropertyName("limit")] public long? Limit { get; set; }
    /// <summary>Soft limit of memory usage in bytes.</summary>
    [JsonPropertyName("reservation")] public long? Reservation { get; set; }
    /// <summary>Limit of memory plus swap usage in bytes.</summary>
    [JsonPropertyName("swap")] public long? Swap { get; set; }
    /// <summary>Hard limit for kernel memory in bytes (deprecated; ignored by newer kernels).</summary>
    [JsonPropertyName("kernel")] public long? Kernel { get; set; }
    /// <summary>Hard limit for kernel TCP buffer memory in bytes (cgroup v1 only).</summary>
    [JsonPropertyName("kernelTCP")] public long? KernelTcp { get; set; }
    /// <summary>Swappiness of the cgroup, 0 to 100 (cgroup v1 only).</summary>
    [JsonPropertyName("swappiness")] public ulong? Swappiness { get; set; }
    /// <summary>Disables the OOM killer for the cgroup (cgroup v1 only).</summary>
    [JsonPropertyName("disableOOMKiller")] public bool? DisableOomKiller { get; set; }
    /// <summary>Enables hierarchical memory accounting (deprecated, cgroup v1 only).</summary>
    [JsonPropertyName("useHierarchy")] public bool? UseHierarchy { get; set; }
    /// <summary>When updating, checks that the new limit is above the current usage before setting it.</summary>
    [JsonPropertyName("checkBeforeUpdate")] public bool? CheckBeforeUpdate { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>CPU and cpuset controller settings (config-linux.md "CPU").</summary>
public sealed class LinuxCPU
{
    /// <summary>Relative share of CPU time (cgroup v1 <c>cpu.shares</c>).</summary>
    [JsonPropertyName("shares")] public ulong? Shares { get; set; }
    /// <summary>CPU time in microseconds the cgroup may use per <see cref="Period"/>; <c>-1</c> for no limit.</summary>
    [JsonPropertyName("quota")] public long? Quota { get; set; }
    /// <summary>Maximum accumulated CPU time in microseconds the cgroup may use beyond its quota.</summary>
    [JsonPropertyName("burst")] public ulong? Burst { get; set; }
    /// <summary>CFS period in microseconds.</summary>
    [JsonPropertyName("period")] public ulong? Period { get; set; }
    /// <summary>Realtime scheduling runtime in microseconds per <see cref="RealtimePeriod"/>.</summary>
    [JsonPropertyName("realtimeRuntime")] public long? RealtimeRuntime { get; set; }
    /// <summary>Realtime scheduling period in microseconds.</summary>
    [JsonPropertyName("realtimePeriod")] public ulong? RealtimePeriod { get; set; }
    /// <summary>CPU list the container may run on, such as <c>0-3,7</c>.</summary>
    [JsonPropertyName("cpus")] public string? Cpus { get; set; }
    /// <summary>Memory node list the container may use, such as <c>0-1</c>.</summary>
    [JsonPropertyName("mems")] public string? Mems { get; set; }
    /// <summary>Sets the cgroup's <c>cpu.idle</c> (SCHED_IDLE for the cgroup) when 1.</summary>
    [JsonPropertyName("idle")] public long? Idle { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Pids controller settings (config-linux.md "PIDs").</summary>
public sealed class LinuxPids
{
    /// <summary>Maximum number of tasks in the cgroup; <c>-1</c> for no limit (<c>max</c>), <c>0</c> is a valid limit.</summary>
    [JsonPropertyName("limit")] public long? Limit { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Block I/O controller settings (config-linux.md "Block IO").</summary>
public sealed class LinuxBlockIO
{
    /// <summary>Per-cgroup weight, 10 to 1000.</summary>
    [JsonPropertyName("weight")] public ushort? Weight { get; set; }
    /// <summary>Weight of the cgroup's own tasks against its children (cgroup v1 CFQ), 10 to 1000.</summary>
    [JsonPropertyName("leafWeight")] public ushort? LeafWeight { get; set; }
    /// <summary>Per-device weights.</summary>
    [JsonPropertyName("weightDevice")] public List<LinuxWeightDevice>? WeightDevice { get; set; }
    /// <summary>Per-device read rate limits in bytes per second.</summary>
    [JsonPropertyName("throttleReadBpsDevice")] public List<LinuxThrottleDevice>? ThrottleReadBpsDevice { get; set; }
    /// <summary>Per-device write rate limits in bytes per second.</summary>
    [JsonPropertyName("throttleWriteBpsDevice")] public List<LinuxThrottleDevice>? ThrottleWriteBpsDevice { get; set; }
    /// <summary>Per-device read rate limits in I/O operations per second.</summary>
    [JsonPropertyName("throttleReadIOPSDevice")] public List<LinuxThrottleDevice>? ThrottleReadIOPSDevice { get; set; }
    /// <summary>Per-device write rate limits in I/O operations per second.</summary>
    [JsonPropertyName("throttleWriteIOPSDevice")] public List<LinuxThrottleDevice>? ThrottleWriteIOPSDevice { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>The weight of one block device (specs-go <c>LinuxWeightDevice</c>).</summary>
public sealed class LinuxWeightDevice
{
    /// <summary>Major number of the device.</summary>
    [JsonPropertyName("major"), JsonRequired] public long Major { get; set; }
    /// <summary>Minor number of the device.</summary>
    [JsonPropertyName("minor"), JsonRequired] public long Minor { get; set; }
    /// <summary>Bandwidth weight for the device, 10 to 1000.</summary>
    [JsonPropertyName("weight")] public ushort? Weight { get; set; }
    /// <summary>Bandwidth weight of the cgroup's own tasks for the device (cgroup v1 CFQ), 10 to 1000.</summary>
    [JsonPropertyName("leafWeight")] public ushort? LeafWeight { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A rate limit of one block device (specs-go <c>LinuxThrottleDevice</c>).</summary>
public sealed class LinuxThrottleDevice
{
    /// <summary>Major number of the device.</summary>
    [JsonPropertyName("major"), JsonRequired] public long Major { get; set; }
    /// <summary>Minor number of the device.</summary>
    [JsonPropertyName("minor"), JsonRequired] public long Minor { get; set; }
    /// <summary>The rate: bytes or operations per second.</summary>
    [JsonPropertyName("rate"), JsonRequired] public ulong Rate { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A hugetlb limit for one page size (config-linux.md "Huge page limits").</summary>
public sealed class LinuxHugepageLimit
{
    /// <summary>Huge page size, such as <c>2MB</c> or <c>1GB</c> (pattern <c>^[1-9][0-9]*[KMG]B$</c>).</summary>
    [JsonPropertyName("pageSize"), JsonRequired] public string PageSize { get; set; } = "";
    /// <summary>Limit of hugepage usage in bytes.</summary>
    [JsonPropertyName("limit"), JsonRequired] public ulong Limit { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>net_cls and net_prio controller settings (config-linux.md "Network").</summary>
public sealed class LinuxNetwork
{
    /// <summary>Class identifier tagged on the cgroup's network packets.</summary>
    [JsonPropertyName("classID")] public uint? ClassId { get; set; }
    /// <summary>Priorities of network traffic per interface.</summary>
    [JsonPropertyName("priorities")] public List<LinuxInterfacePriority>? Priorities { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>The network priority of one interface (specs-go <c>LinuxInterfacePriority</c>).</summary>
public sealed class LinuxInterfacePriority
{
    /// <summary>Interface name.</summary>
    [JsonPropertyName("name"), JsonRequired] public string Name { get; set; } = "";
    /// <summary>Priority of the interface's traffic.</summary>
    [JsonPropertyName("priority"), JsonRequired] public uint Priority { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Rdma controller limits of one device (config-linux.md "RDMA").</summary>
public sealed class LinuxRdma
{
    /// <summary>Maximum number of HCA handles.</summary>
    [JsonPropertyName("hcaHandles")] public uint? HcaHandles { get; set; }
    /// <summary>Maximum number of HCA objects.</summary>
    [JsonPropertyName("hcaObjects")] public uint? HcaObjects { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>One rule of the device cgroup's allow list (config-linux.md "Device allowlist").</summary>
public sealed class LinuxDeviceCgroup
{
    /// <summary>Whether the rule allows (true) or denies (false) access.</summary>
    [JsonPropertyName("allow"), JsonRequired] public bool Allow { get; set; }
    /// <summary>Device type: <c>a</c> (all), <c>c</c> (char) or <c>b</c> (block); absent means all.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    /// <summary>Major number; absent means all (<c>*</c>).</summary>
    [JsonPropertyName("major")] public long? Major { get; set; }
    /// <summary>Minor number; absent means all (<c>*</c>).</summary>
    [JsonPropertyName("minor")] public long? Minor { get; set; }
    /// <summary>Permissions: a combination of <c>r</c>, <c>w</c> and <c>m</c>.</summary>
    [JsonPropertyName("access")] public string? Access { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}
