using Microsoft.Extensions.Logging;
using Oci.Runtime.Cgroups;
using Oci.Runtime.Spec;
using Oci.Runtime.State;

namespace Oci.Runtime.Lifecycle;

/// <summary>runc's cgroup commands: update, pause, resume, the processes and statistics of ps and events.</summary>
public sealed partial class ContainerRuntime
{
    /// <summary>Applies the config's <c>linux.resources</c> to a new container's cgroups (create), all but a
    /// <c>pids.limit</c> of 0 (see <see cref="ApplyZeroPidsLimit"/>).</summary>
    void ApplyResources(ICgroupManager cgroups, RuntimeSpec spec)
    {
        var resources = spec.Linux?.Resources;
        if (resources?.Pids?.Limit == 0)
        {
            resources = ResourceUpdate.Merge(resources, new LinuxResources());
            resources.Pids = null;
        }
        cgroups.Apply(resources, new ResourceApplyOptions { Warn = Warn });
    }

    /// <summary>A <c>pids.limit</c> of 0 lets no process of the cgroup fork, and the executor, which joins the cgroup
    /// first, forks into the container's PID namespace: that limit is written once init exists.</summary>
    static void ApplyZeroPidsLimit(ICgroupManager cgroups, RuntimeSpec spec)
    {
        if (spec.Linux?.Resources?.Pids is { Limit: 0 } pids)
            cgroups.Apply(new LinuxResources { Pids = pids }, new ResourceApplyOptions { IsUpdate = true });
    }

    void Warn(string message) => RuntimeLog.Warning(logger, message);

    /// <summary>Applies <paramref name="update"/> over the container's current resources (fields absent keep their
    /// value) and saves the result as the container's resources. Device rules change only when the update has
    /// them; then the v1 lists or the v2 program are replaced.</summary>
    public void Update(string id, LinuxResources update)
    {
        using var directory = store.Open(id);
        var record = directory.Load();
        if (StatusOf(record, directory.Path) == ContainerStatus.Stopped) throw new OciException("container not running");
        var merged = ResourceUpdate.Merge(record.Config.Linux?.Resources, update);
        var toApply = ResourceUpdate.Merge(merged, new LinuxResources());
        toApply.Devices = update.Devices;
        if (toApply.Memory is { } memory && update.Memory?.Kernel is null && update.Memory?.KernelTcp is null)
        {
            // Warn about ignored kernel memory limits only when this update asks for them.
            toApply.Memory = ResourceUpdate.Merge(new LinuxResources { Memory = new LinuxMemory() }, new LinuxResources { Memory = memory }).Memory;
            toApply.Memory!.Kernel = null;
            toApply.Memory.KernelTcp = null;
        }
        Cgroups(record).Apply(toApply, new ResourceApplyOptions { IsUpdate = true, Warn = Warn });
        record.Config.Linux ??= new Linux();
        record.Config.Linux.Resources = merged;
        directory.Save(record);
    }

    /// <summary>Freezes every process of a running (or created) container.</summary>
    public void Pause(string id)
    {
        using var directory = store.Open(id);
        var record = directory.Load();
        var status = StatusOf(record, directory.Path);
        if (status is not (ContainerStatus.Running or ContainerStatus.Created)) throw new OciException("container not running");
        Cgroups(record).Freeze();
    }

    /// <summary>Thaws a paused container.</summary>
    public void Resume(string id)
    {
        using var directory = store.Open(id);
        var record = directory.Load();
        if (StatusOf(record, directory.Path) != ContainerStatus.Paused) throw new OciException("container not paused");
        Cgroups(record).Thaw();
    }

    /// <summary>The pids (in the runtime's PID namespace) of every process of the container.</summary>
    public IReadOnlyList<int> Processes(string id)
    {
        StateStore.ValidateId(id);
        var record = store.TryLoad(id) ?? throw new ContainerNotFoundException(id);
        return Cgroups(record).GetPids();
    }

    /// <summary>The container's cgroup statistics now (runc's <c>events --stats</c>).</summary>
    /// <exception cref="ContainerNotFoundException">No such container.</exception>
    /// <exception cref="OciException">The container has stopped (<c>container not running</c>).</exception>
    public CgroupStats Stats(string id)
    {
        StateStore.ValidateId(id);
        var record = store.TryLoad(id) ?? throw new ContainerNotFoundException(id);
        if (StatusOf(record, Path.Combine(store.Root, id)) == ContainerStatus.Stopped) throw new OciException("container not running");
        return Cgroups(record).GetStats();
    }

    /// <summary>runc's <c>events</c>: a stats event every <paramref name="interval"/> and an <c>oom</c> event
    /// whenever the OOM killer kills a process of the container, until the container stops or
    /// <paramref name="cancel"/> fires.</summary>
    public void Events(string id, TimeSpan interval, Action<ContainerEvent> emit, CancellationToken cancel = default)
    {
        if (interval <= TimeSpan.Zero) throw new OciException("duration interval must be greater than 0");
        StateStore.ValidateId(id);
        var record = store.TryLoad(id) ?? throw new ContainerNotFoundException(id);
        var cgroups = Cgroups(record);
        string stateDirectory = Path.Combine(store.Root, id);
        ulong ooms = cgroups.OomKillCount();
        var poll = TimeSpan.FromMilliseconds(Math.Min(100, interval.TotalMilliseconds));
        var nextStats = DateTime.UtcNow;
        while (!cancel.IsCancellationRequested)
        {
            // An OOM kill often ends the container: report it before noticing that.
            ulong now = cgroups.OomKillCount();
            if (now > ooms) emit(new ContainerEvent { Type = "oom", Id = id });
            ooms = now;
            if (StatusOf(record, stateDirectory) == ContainerStatus.Stopped) return;
            if (DateTime.UtcNow >= nextStats)
            {
                emit(new ContainerEvent { Type = "stats", Id = id, Data = cgroups.GetStats() });
                nextStats = DateTime.UtcNow + interval;
            }
            cancel.WaitHandle.WaitOne(poll);
        }
    }
}
