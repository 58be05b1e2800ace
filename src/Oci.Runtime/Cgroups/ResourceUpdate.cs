using Oci.Runtime.Spec;

namespace Oci.Runtime.Cgroups;

/// <summary>What <c>update</c> does with a new set of resources: merged over the container's current ones (a
/// field given replaces the current value, a field absent keeps it), with runc's fix-ups.</summary>
internal static class ResourceUpdate
{
    /// <summary>The resources after <paramref name="update"/> is applied over <paramref name="current"/>.</summary>
    public static LinuxResources Merge(LinuxResources? current, LinuxResources update)
    {
        current ??= new LinuxResources();
        var merged = new LinuxResources
        {
            Devices = update.Devices ?? current.Devices,
            Memory = MergeMemory(current.Memory, update.Memory),
            Cpu = MergeCpu(current.Cpu, update.Cpu),
            Pids = update.Pids?.Limit is not null ? update.Pids : current.Pids,
            BlockIO = MergeBlockIO(current.BlockIO, update.BlockIO),
            HugepageLimits = update.HugepageLimits ?? current.HugepageLimits,
            Network = update.Network ?? current.Network,
            Rdma = update.Rdma ?? current.Rdma,
            Unified = MergeUnified(current.Unified, update.Unified),
            Extensions = update.Extensions ?? current.Extensions,
        };
        return merged;
    }

    static LinuxMemory? MergeMemory(LinuxMemory? current, LinuxMemory? update)
    {
        if (update is null) return current;
        current ??= new LinuxMemory();
        var merged = new LinuxMemory
        {
            Limit = update.Limit ?? current.Limit,
            Reservation = update.Reservation ?? current.Reservation,
            Swap = update.Swap ?? current.Swap,
            Kernel = update.Kernel ?? current.Kernel,
            KernelTcp = update.KernelTcp ?? current.KernelTcp,
            Swappiness = update.Swappiness ?? current.Swappiness,
            DisableOomKiller = update.DisableOomKiller ?? current.DisableOomKiller,
            UseHierarchy = update.UseHierarchy ?? current.UseHierarchy,
            CheckBeforeUpdate = update.CheckBeforeUpdate ?? current.CheckBeforeUpdate,
        };
        // runc: an unlimited memory without a swap value means unlimited swap, not the old swap limit
        // (which would need a memory limit).
        if (update.Limit == -1 && update.Swap is null) merged.Swap = 0;
        return merged;
    }

    static LinuxCPU? MergeCpu(LinuxCPU? current, LinuxCPU? update)
    {
        if (update is null) return current;
        current ??= new LinuxCPU();
        return new LinuxCPU
        {
            Shares = update.Shares ?? current.Shares,
            Quota = update.Quota ?? current.Quota,
            Burst = update.Burst ?? current.Burst,
            Period = update.Period ?? current.Period,
            RealtimeRuntime = update.RealtimeRuntime ?? current.RealtimeRuntime,
            RealtimePeriod = update.RealtimePeriod ?? current.RealtimePeriod,
            Cpus = update.Cpus ?? current.Cpus,
            Mems = update.Mems ?? current.Mems,
            Idle = update.Idle ?? current.Idle,
        };
    }

    static LinuxBlockIO? MergeBlockIO(LinuxBlockIO? current, LinuxBlockIO? update)
    {
        if (update is null) return current;
        current ??= new LinuxBlockIO();
        return new LinuxBlockIO
        {
            Weight = update.Weight ?? current.Weight,
            LeafWeight = update.LeafWeight ?? current.LeafWeight,
            WeightDevice = update.WeightDevice ?? current.WeightDevice,
            ThrottleReadBpsDevice = update.ThrottleReadBpsDevice ?? current.ThrottleReadBpsDevice,
            ThrottleWriteBpsDevice = update.ThrottleWriteBpsDevice ?? current.ThrottleWriteBpsDevice,
            ThrottleReadIOPSDevice = update.ThrottleReadIOPSDevice ?? current.ThrottleReadIOPSDevice,
            ThrottleWriteIOPSDevice = update.ThrottleWriteIOPSDevice ?? current.ThrottleWriteIOPSDevice,
        };
    }

    static Dictionary<string, string>? MergeUnified(Dictionary<string, string>? current, Dictionary<string, string>? update)
    {
        if (update is null) return current;
        var merged = current is null ? new Dictionary<string, string>() : new Dictionary<string, string>(current);
        foreach (var (key, value) in update) merged[key] = value;
        return merged;
    }
}
