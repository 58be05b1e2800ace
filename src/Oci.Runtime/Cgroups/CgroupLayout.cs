namespace Oci.Runtime.Cgroups;

/// <summary>How the host's cgroup hierarchies are mounted.</summary>
internal enum CgroupLayout
{
    /// <summary>Only v1 controllers.</summary>
    V1,
    /// <summary>v1 controllers plus a cgroup2 hierarchy (usually /sys/fs/cgroup/unified) without controllers.</summary>
    Hybrid,
    /// <summary>A single cgroup2 hierarchy at /sys/fs/cgroup.</summary>
    Unified,
}
