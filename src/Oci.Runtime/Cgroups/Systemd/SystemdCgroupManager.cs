using Oci.Runtime.Spec;

namespace Oci.Runtime.Cgroups.Systemd;

/// <summary>
/// The systemd cgroup driver (<c>--systemd-cgroup</c>), as runc's: the container is a transient scope that systemd
/// makes (with <c>Delegate=yes</c>, in the slice <c>linux.cgroupsPath</c> names) when its first process exists, the
/// resources systemd can express are set as unit properties, and everything else works on the scope's cgroup files
/// through the cgroupfs driver (<see cref="CgroupManager"/>): the resources again (and those systemd cannot express),
/// the hierarchies systemd does not manage on v1, pids, signals, freezing, statistics. Delete stops the unit.
/// </summary>
internal sealed class SystemdCgroupManager : ICgroupManager
{
    readonly CgroupManager files;
    readonly string? busAddress;
    readonly string containerId;
    bool started;
    LinuxResources? pending;
    ResourceApplyOptions? pendingOptions;

    /// <summary>The container's slice and scope.</summary>
    public SystemdUnitName Name { get; }

    /// <summary>A manager for a container whose scope exists (<paramref name="started"/>) or is still to be
    /// made, at <paramref name="paths"/>.</summary>
    public SystemdCgroupManager(SystemdUnitName name, IReadOnlyDictionary<string, string> paths, CgroupLayout layout,
        bool started, string? busAddress = null, string? containerId = null)
    {
        Name = name;
        this.containerId = containerId ?? name.Unit;
        files = new CgroupManager(paths, layout);
        this.started = started;
        this.busAddress = busAddress;
    }

    /// <summary>Places a new container: its scope's cgroup in each hierarchy is where systemd puts it, below
    /// systemd's own root (PID 1's cgroup, without the init.scope systemd moves itself into: runc's initPath).</summary>
    public static SystemdCgroupManager ForContainer(string containerId, string? cgroupsPath, CgroupMounts mounts,
        string? busAddress = null)
    {
        var name = SystemdUnitName.Parse(cgroupsPath, containerId);
        var init = CgroupMounts.ReadProcessCgroups("1");
        var paths = new Dictionary<string, string>();
        foreach (var hierarchy in mounts.Hierarchies)
        {
            string root = init.TryGetValue(hierarchy.ProcKey, out var c) ? c : "/";
            if (root.EndsWith("/init.scope", StringComparison.Ordinal)) root = root[..^"/init.scope".Length];
            paths[hierarchy.ProcKey] = CgroupManager.Combine(hierarchy, root.TrimEnd('/') + name.CgroupPath);
        }
        return new SystemdCgroupManager(name, paths, mounts.Layout, started: false, busAddress, containerId);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string> Paths => files.Paths;

    /// <inheritdoc/>
    public CgroupLayout Layout => files.Layout;

    /// <summary>None: systemd makes the scope, and it must not exist before.</summary>
    public IReadOnlyList<string> Joined => [];

    /// <summary>None: systemd makes the slices.</summary>
    public IReadOnlyList<string> CreatedParents => [];

    /// <summary>Nothing to settle: the scope is made by systemd in <see cref="AddProcess"/>.</summary>
    public void Plan() { }

    bool Unified => Layout == CgroupLayout.Unified;

    T WithBus<T>(Func<SystemdBus, T> action)
    {
        using var bus = SystemdBus.Connect(busAddress);
        return action(bus);
    }

    /// <summary>Checks that systemd is reachable and that the scope does not exist yet; the scope itself can only
    /// be made with its first process (<see cref="AddProcess"/>).</summary>
    public void Create()
    {
        if (started) return;
        if (WithBus(bus => bus.UnitLoaded(Name.Unit)))
            throw new OciException($"linux.cgroupsPath: systemd unit {Name.Unit} already exists");
    }

    /// <summary>The first process starts the scope with it in it and the resources given so far as properties;
    /// then the cgroupfs driver makes the hierarchies systemd left alone (on v1), puts the process in each and
    /// writes the resources. Later processes (exec) are written to the scope's cgroups.</summary>
    public void AddProcess(int pid)
    {
        if (started)
        {
            files.AddProcess(pid);
            return;
        }
        WithBus(bus =>
        {
            var properties = SystemdProperties.ForNewScope(Name.Slice, containerId, pid, Unified);
            properties.AddRange(SystemdProperties.ForResources(pending, Unified, bus.Version(), includeDevices: true, pendingOptions?.Warn));
            bus.StartTransientUnit(Name.Unit, properties);
            return true;
        });
        started = true;
        files.Create();
        files.AddProcess(pid);
        if (pendingOptions is not null) files.Apply(pending, pendingOptions);
    }

    /// <summary>The first process is systemd's to place (it starts the scope with it); later ones (exec) join the
    /// scope's cgroups by themselves.</summary>
    public CgroupJoin? OpenJoin() => started ? files.OpenJoin() : null;

    /// <summary>Before the scope exists the resources wait for it (they become its initial properties); after,
    /// they are set on the unit, then written to the cgroup files. Setting device properties makes systemd
    /// rewrite the device rules, briefly denying devices: the container is frozen meanwhile, as runc does.</summary>
    public void Apply(LinuxResources? resources, ResourceApplyOptions options)
    {
        if (!started)
        {
            // Validate now: a bad value fails create before anything exists.
            SystemdProperties.ForResources(resources, Unified, int.MaxValue, includeDevices: true);
            pending = resources;
            pendingOptions = options;
            return;
        }
        bool devices = !options.IsUpdate || resources?.Devices is not null;
        WithBus(bus =>
        {
            var properties = SystemdProperties.ForResources(resources, Unified, bus.Version(), devices, options.Warn);
            bool freeze = devices && !files.IsFrozen();
            if (freeze) files.Freeze();
            try
            {
                bus.SetUnitProperties(Name.Unit, properties);
            }
            finally
            {
                if (freeze) files.Thaw();
            }
            return true;
        });
        files.Apply(resources, options);
    }

    /// <inheritdoc/>
    public IReadOnlyList<int> GetPids() => started ? files.GetPids() : [];

    /// <inheritdoc/>
    public void Signal(int signal) => files.Signal(signal);

    /// <inheritdoc/>
    public void Freeze() => files.Freeze();

    /// <inheritdoc/>
    public void Thaw() => files.Thaw();

    /// <inheritdoc/>
    public bool IsFrozen() => started && files.IsFrozen();

    /// <inheritdoc/>
    public CgroupStats GetStats() => files.GetStats();

    /// <inheritdoc/>
    public ulong OomKillCount() => files.OomKillCount();

    /// <summary>Stops the scope (systemd removes its cgroups) and forgets it if it failed, then removes what is
    /// left of the container's cgroups (the v1 hierarchies systemd does not manage). A systemd that cannot be
    /// reached (gone since create) is a warning, not a failure: the container's cgroups are removed all the same,
    /// so that delete never gets stuck on a container whose systemd went away.</summary>
    public void Destroy(Action<string>? warn)
    {
        try
        {
            WithBus(bus =>
            {
                bus.StopUnit(Name.Unit);
                bus.ResetFailedUnit(Name.Unit);
                return true;
            });
        }
        catch (OciException e)
        {
            warn?.Invoke($"stopping systemd unit {Name.Unit}: {e.Message}");
        }
        files.Destroy(warn);
    }

    /// <inheritdoc/>
    public void Destroy() => Destroy(null);

    /// <summary>After a failed create: stops the scope if it was started.</summary>
    public void DestroyCreated()
    {
        if (started) Destroy(null);
    }
}
