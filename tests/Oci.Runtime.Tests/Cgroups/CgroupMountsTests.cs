using Oci.Runtime.Cgroups;
using Oci.Runtime.Interop;
using Xunit;

namespace Oci.Runtime.Tests.Cgroups;

/// <summary>A fact that needs statmount(2) (Linux 6.8).</summary>
public sealed class StatMountFactAttribute : FactAttribute
{
    public StatMountFactAttribute()
    {
        if (Sys.StatMount(Sys.UniqueMountId("/")) is null) Skip = "this kernel has no statmount(2) (Linux 6.8)";
    }
}

/// <summary>The host's cgroup hierarchies, asked of the kernel mount by mount, against /proc/self/mountinfo.</summary>
public sealed class CgroupMountsTests
{
    static List<string> Describe(CgroupMounts mounts) =>
        [.. mounts.Hierarchies.Select(h => $"{h.MountPoint} root={h.Root} unified={h.IsUnified} {string.Join(',', h.Controllers)}").Order(StringComparer.Ordinal)];

    [StatMountFact]
    public void The_hierarchies_asked_mount_by_mount_are_those_of_mountinfo()
    {
        var fromMountInfo = CgroupMounts.Parse(File.ReadAllLines("/proc/self/mountinfo"));
        var mountByMount = CgroupMounts.ReadAtSysFsCgroup();
        // Null only where a hierarchy this process is in is not mounted at /sys/fs/cgroup: then Read() parses mountinfo.
        bool allAtSysFsCgroup = CgroupMounts.ReadProcessCgroups().Keys.All(k => fromMountInfo.Hierarchies.Any(h =>
            h.ProcKey == k && (h.MountPoint == "/sys/fs/cgroup" || Path.GetDirectoryName(h.MountPoint) == "/sys/fs/cgroup")));
        Assert.Equal(allAtSysFsCgroup, mountByMount is not null);
        if (mountByMount is not null) Assert.Equal(Describe(fromMountInfo), Describe(mountByMount));
        Assert.Equal(Describe(fromMountInfo), Describe(CgroupMounts.Read()));
        Assert.NotEmpty(fromMountInfo.Hierarchies);
    }
}
