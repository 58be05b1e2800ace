using Oci.Runtime.Spec;

namespace Oci.Runtime.Cgroups;

/// <summary>
/// A cgroup driver's view of one container's cgroups. <see cref="CgroupManager"/> is the cgroupfs driver (it writes
/// the cgroup filesystem itself, as runc's fs and fs2 managers do); a systemd driver (<c>--systemd-cgroup</c>,
/// <c>slice:prefix:name</c> paths, units made over D-Bus) would implement the same interface.
/// </summary>
internal interface ICgroupManager
{
    /// <summary>Directory of the container's cgroup in each hierarchy, keyed by controllers ("" for cgroup2).</summary>
    IReadOnlyDictionary<string, string> Paths { get; }

    /// <summary>The host's layout.</summary>
    CgroupLayout Layout { get; }

    /// <summary>Container cgroup directories that existed before <see cref="Create"/> (joined, not made).</summary>
    IReadOnlyList<string> Joined { get; }

    /// <summary>Parent directories <see cref="Create"/> makes on the way to the container's cgroups.</summary>
    IReadOnlyList<string> CreatedParents { get; }

    /// <summary>Settles, without changing anything, what <see cref="Create"/> will join and make, so that the
    /// caller can record it before any cgroup exists.</summary>
    void Plan();

    /// <summary>Creates (or joins) the container's cgroups.</summary>
    void Create();

    /// <summary>Moves a process into the container's cgroups.</summary>
    void AddProcess(int pid);

    /// <summary>Opens what a new process needs to join the container's cgroups by itself (see
    /// <see cref="CgroupJoin"/>), or null when this driver must move it by pid (<see cref="AddProcess"/>).</summary>
    CgroupJoin? OpenJoin();

    /// <summary>Applies resource limits (create and update).</summary>
    void Apply(LinuxResources? resources, ResourceApplyOptions options);

    /// <summary>Every process of the container.</summary>
    IReadOnlyList<int> GetPids();

    /// <summary>Signals every process of the container.</summary>
    void Signal(int signal);

    /// <summary>Freezes the container.</summary>
    void Freeze();

    /// <summary>Thaws the container.</summary>
    void Thaw();

    /// <summary>Whether the container is frozen.</summary>
    bool IsFrozen();

    /// <summary>Usage statistics.</summary>
    CgroupStats GetStats();

    /// <summary>OOM kills so far.</summary>
    ulong OomKillCount();

    /// <summary>Removes the container's cgroups: every one of <see cref="Paths"/>, whether it was made for the
    /// container or existed before, as runc does.</summary>
    void Destroy();

    /// <summary><see cref="Destroy()"/>, with warnings about cgroups left in place sent to <paramref name="warn"/>.</summary>
    void Destroy(Action<string>? warn);

    /// <summary>Undoes <see cref="Create"/> after a create failed, leaving what existed before.</summary>
    void DestroyCreated();
}

/// <summary>Chooses the cgroup driver.</summary>
internal static class CgroupDriver
{
    /// <summary>The manager for a new container: the cgroupfs driver, or (with <paramref name="systemd"/>) the
    /// systemd driver, which makes a transient scope per container over D-Bus.</summary>
    public static ICgroupManager ForContainer(string containerId, string? cgroupsPath, CgroupMounts mounts, bool systemd = false) =>
        systemd
            ? Systemd.SystemdCgroupManager.ForContainer(containerId, cgroupsPath, mounts)
            : CgroupManager.ForContainer(containerId, cgroupsPath, mounts);

    /// <summary>The manager of an existing container from what its record saved: the systemd driver when it has
    /// a unit, else the cgroupfs driver.</summary>
    public static ICgroupManager Restore(IReadOnlyDictionary<string, string> paths, CgroupLayout layout,
        IEnumerable<string>? joined, IEnumerable<string>? createdParents, string? systemdSlice, string? systemdUnit) =>
        systemdUnit is not null
            ? new Systemd.SystemdCgroupManager(new Systemd.SystemdUnitName(systemdSlice ?? Systemd.SystemdUnitName.DefaultSlice, systemdUnit),
                paths, layout, started: true)
            : new CgroupManager(paths, layout, joined, createdParents);
}
