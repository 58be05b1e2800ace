using Oci.Runtime.Spec;
using static Oci.Runtime.Cgroups.CgroupFiles;

namespace Oci.Runtime.Cgroups;

/// <summary>
/// Writes <c>linux.resources</c> into cgroup v1 controllers as runc's libcontainer/cgroups/fs does: 0 means "not
/// set" for the numeric fields runc treats so, -1 means unlimited, and each controller's write order avoids the
/// kernel's cross-checks (memory before or after memsw, period before or after quota).
/// </summary>
internal static class V1Resources
{
    /// <summary>Applies <paramref name="r"/> to the controllers in <paramref name="paths"/> (keyed by their
    /// comma-joined controllers). <paramref name="unifiedDir"/> is the container's cgroup2 directory on a hybrid
    /// host: controllers not bound to v1 there (hugetlb) and <c>unified</c> keys are applied through it.</summary>
    public static void Apply(IReadOnlyDictionary<string, string> paths, string? unifiedDir, LinuxResources r, ResourceApplyOptions options)
    {
        if (r.Memory is { } memory) Memory(Require(paths, "memory", "linux.resources.memory"), memory, options);
        if (r.Cpu is { } cpu)
        {
            if (cpu.Shares is > 0 || cpu.Quota is not (null or 0) || cpu.Period is > 0 || cpu.Burst is not null
                || cpu.Idle is not null || cpu.RealtimePeriod is > 0 || cpu.RealtimeRuntime is not (null or 0))
                Cpu(Require(paths, "cpu", "linux.resources.cpu"), cpu);
            if (!string.IsNullOrEmpty(cpu.Cpus))
                Write(Require(paths, "cpuset", "linux.resources.cpu.cpus"), "cpuset.cpus", cpu.Cpus, "linux.resources.cpu.cpus");
            if (!string.IsNullOrEmpty(cpu.Mems))
                Write(Require(paths, "cpuset", "linux.resources.cpu.mems"), "cpuset.mems", cpu.Mems, "linux.resources.cpu.mems");
        }
        if (CgroupConversions.PidsMax(r.Pids?.Limit) is { } pidsMax)
            Write(Require(paths, "pids", "linux.resources.pids.limit"), "pids.max", pidsMax, "linux.resources.pids.limit");
        if (r.BlockIO is { } blockIO) BlockIO(paths, blockIO);
        if (r.HugepageLimits is { Count: > 0 } hugepages)
        {
            if (Find(paths, "hugetlb") is { } hugetlb) Hugetlb(hugetlb, hugepages, "limit_in_bytes");
            else if (unifiedDir is not null && V2Resources.ControllerAvailable(unifiedDir, "hugetlb"))
                V2Resources.Hugetlb(unifiedDir, hugepages);
            else throw NotMounted("hugetlb", "linux.resources.hugepageLimits");
        }
        if (r.Network is { } network)
        {
            if (network.ClassId is { } classId and not 0)
                Write(Require(paths, "net_cls", "linux.resources.network.classID"), "net_cls.classid", Number(classId), "linux.resources.network.classID");
            if (network.Priorities is { Count: > 0 } priorities)
            {
                string dir = Require(paths, "net_prio", "linux.resources.network.priorities");
                for (int i = 0; i < priorities.Count; i++)
                    Write(dir, "net_prio.ifpriomap", $"{priorities[i].Name} {priorities[i].Priority}", $"linux.resources.network.priorities[{i}]");
            }
        }
        if (r.Rdma is { Count: > 0 } rdma)
        {
            string dir = Require(paths, "rdma", "linux.resources.rdma");
            foreach (var (device, limits) in rdma)
                Write(dir, "rdma.max", V2Resources.RdmaLine(device, limits), $"linux.resources.rdma[\"{device}\"]");
        }
        if (r.Unified is { Count: > 0 } unified)
        {
            if (unifiedDir is null)
                throw new CgroupResourceException("linux.resources.unified", "cannot use unified on cgroup v1 (this host has no cgroup2 hierarchy)");
            // On a hybrid host the cgroup2 hierarchy takes the keys of the controllers it has (and cgroup.*).
            V2Resources.Unified(unifiedDir, unified);
        }
    }

    /// <summary>Applies device rules through devices.allow and devices.deny: the fewest writes from the cgroup's
    /// current devices.list to <paramref name="target"/>.</summary>
    public static void Devices(IReadOnlyDictionary<string, string> paths, DeviceRuleSet target)
    {
        string dir = Require(paths, "devices", "linux.resources.devices");
        var current = DeviceRuleSet.FromDevicesList(TryRead(dir, "devices.list") ?? "");
        foreach (var rule in target.TransitionFrom(current))
            Write(dir, rule.Allow ? "devices.allow" : "devices.deny", rule.CgroupString(), "linux.resources.devices");
    }

    static void Memory(string dir, LinuxMemory m, ResourceApplyOptions options)
    {
        long limit = m.Limit ?? 0, swap = m.Swap ?? 0;
        // Unlimited memory with swap not given means unlimited swap too (where swap accounting exists).
        if (limit == -1 && swap == 0 && Exists(dir, "memory.memsw.limit_in_bytes")) swap = -1;
        bool swapFirst = false;
        if (limit != 0 && swap != 0)
        {
            // Order the writes so that the kernel's check memsw >= limit holds after each one.
            ulong current = TryReadUInt(dir, "memory.limit_in_bytes") ?? 0;
            swapFirst = swap == -1 || current < (ulong)swap;
        }
        if (swapFirst)
        {
            SetSwap(dir, swap);
            SetLimit(dir, limit);
        }
        else
        {
            SetLimit(dir, limit);
            SetSwap(dir, swap);
        }
        if (m.Kernel is not (null or 0) || m.KernelTcp is not (null or 0))
            options.Warn?.Invoke("Kernel memory settings are ignored and will be removed");
        if (m.Reservation is { } reservation and not 0)
            Write(dir, "memory.soft_limit_in_bytes", Number(reservation), "linux.resources.memory.reservation");
        if (m.DisableOomKiller == true)
            Write(dir, "memory.oom_control", "1", "linux.resources.memory.disableOOMKiller");
        if (m.Swappiness is { } swappiness && swappiness != ulong.MaxValue)
        {
            if (swappiness > 100)
                throw new CgroupResourceException("linux.resources.memory.swappiness", $"invalid memory swappiness value: {swappiness} (valid range is 0-100)");
            Write(dir, "memory.swappiness", Number(swappiness), "linux.resources.memory.swappiness");
        }
        if (m.UseHierarchy is { } useHierarchy)
        {
            // Kernels since 5.16 always account hierarchically; runc never writes the file. Only a request the
            // kernel cannot honour is reported.
            if (!useHierarchy && TryRead(dir, "memory.use_hierarchy")?.Trim() == "1"
                && TryWrite(dir, "memory.use_hierarchy", "0") != 0)
                options.Warn?.Invoke("linux.resources.memory.useHierarchy: the kernel always accounts memory hierarchically; false is ignored");
        }
    }

    static void SetLimit(string dir, long limit)
    {
        if (limit == 0) return;
        int errno = TryWrite(dir, "memory.limit_in_bytes", Number(limit));
        if (errno == EBUSY)
            throw new CgroupResourceException("linux.resources.memory.limit",
                $"unable to set memory limit to {limit} (current usage: {TryReadUInt(dir, "memory.usage_in_bytes")}, peak usage: {TryReadUInt(dir, "memory.max_usage_in_bytes")})", errno);
        if (errno != 0) throw Failure(dir, "memory.limit_in_bytes", Number(limit), "linux.resources.memory.limit", errno);
    }

    static void SetSwap(string dir, long swap)
    {
        if (swap == 0) return;
        Write(dir, "memory.memsw.limit_in_bytes", Number(swap), "linux.resources.memory.swap");
    }

    static void Cpu(string dir, LinuxCPU c)
    {
        if (c.Shares is { } shares and not 0)
        {
            Write(dir, "cpu.shares", Number(shares), "linux.resources.cpu.shares");
            ulong read = TryReadUInt(dir, "cpu.shares") ?? shares;
            if (shares > read)
                throw new CgroupResourceException("linux.resources.cpu.shares", $"the maximum allowed cpu-shares is {read}");
            if (shares < read)
                throw new CgroupResourceException("linux.resources.cpu.shares", $"the minimum allowed cpu-shares is {read}");
        }
        long quota = c.Quota ?? 0;
        string? pendingPeriod = null;
        if (c.Period is { } period and not 0)
        {
            // A period smaller than the current one can be refused (EINVAL) while the old quota is in place: then
            // it is written again after the quota.
            int errno = TryWrite(dir, "cpu.cfs_period_us", Number(period));
            if (errno == EINVAL && quota != 0) pendingPeriod = Number(period);
            else if (errno != 0) throw Failure(dir, "cpu.cfs_period_us", Number(period), "linux.resources.cpu.period", errno);
        }
        if (quota != 0)
        {
            Write(dir, "cpu.cfs_quota_us", Number(quota), "linux.resources.cpu.quota");
            if (pendingPeriod is not null) Write(dir, "cpu.cfs_period_us", pendingPeriod, "linux.resources.cpu.period");
        }
        if (c.Burst is { } burst) Write(dir, "cpu.cfs_burst_us", Number(burst), "linux.resources.cpu.burst");
        if (c.Idle is { } idle) Write(dir, "cpu.idle", Number(idle), "linux.resources.cpu.idle");
        if (c.RealtimePeriod is { } rtPeriod and not 0)
            Write(dir, "cpu.rt_period_us", Number(rtPeriod), "linux.resources.cpu.realtimePeriod");
        if (c.RealtimeRuntime is { } rtRuntime and not 0)
            Write(dir, "cpu.rt_runtime_us", Number(rtRuntime), "linux.resources.cpu.realtimeRuntime");
    }

    static void BlockIO(IReadOnlyDictionary<string, string> paths, LinuxBlockIO b)
    {
        bool any = b.Weight is > 0 || b.LeafWeight is > 0 || b.WeightDevice is { Count: > 0 }
                   || b.ThrottleReadBpsDevice is { Count: > 0 } || b.ThrottleWriteBpsDevice is { Count: > 0 }
                   || b.ThrottleReadIOPSDevice is { Count: > 0 } || b.ThrottleWriteIOPSDevice is { Count: > 0 };
        if (!any) return;
        string dir = Require(paths, "blkio", "linux.resources.blockIO");
        // BFQ's files when the kernel has them, else CFQ's (runc's detectWeightFilenames).
        bool bfq = Exists(dir, "blkio.bfq.weight");
        string weightFile = bfq ? "blkio.bfq.weight" : "blkio.weight";
        string weightDeviceFile = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";
        if (b.Weight is { } weight and not 0) Write(dir, weightFile, Number(weight), "linux.resources.blockIO.weight");
        if (b.LeafWeight is { } leaf and not 0) Write(dir, "blkio.leaf_weight", Number(leaf), "linux.resources.blockIO.leafWeight");
        if (b.WeightDevice is { } devices)
        {
            for (int i = 0; i < devices.Count; i++)
            {
                var d = devices[i];
                if (d.Weight is { } w and not 0)
                    Write(dir, weightDeviceFile, $"{d.Major}:{d.Minor} {w}", $"linux.resources.blockIO.weightDevice[{i}].weight");
                if (d.LeafWeight is { } lw and not 0)
                    Write(dir, "blkio.leaf_weight_device", $"{d.Major}:{d.Minor} {lw}", $"linux.resources.blockIO.weightDevice[{i}].leafWeight");
            }
        }
        Throttle(dir, "blkio.throttle.read_bps_device", b.ThrottleReadBpsDevice, "throttleReadBpsDevice");
        Throttle(dir, "blkio.throttle.write_bps_device", b.ThrottleWriteBpsDevice, "throttleWriteBpsDevice");
        Throttle(dir, "blkio.throttle.read_iops_device", b.ThrottleReadIOPSDevice, "throttleReadIOPSDevice");
        Throttle(dir, "blkio.throttle.write_iops_device", b.ThrottleWriteIOPSDevice, "throttleWriteIOPSDevice");
    }

    static void Throttle(string dir, string file, List<LinuxThrottleDevice>? devices, string name)
    {
        if (devices is null) return;
        for (int i = 0; i < devices.Count; i++)
            Write(dir, file, $"{devices[i].Major}:{devices[i].Minor} {devices[i].Rate}", $"linux.resources.blockIO.{name}[{i}]");
    }

    static void Hugetlb(string dir, List<LinuxHugepageLimit> limits, string suffix)
    {
        bool rsvd = true;
        for (int i = 0; i < limits.Count; i++)
        {
            string prefix = "hugetlb." + limits[i].PageSize;
            string value = Number(limits[i].Limit);
            string field = $"linux.resources.hugepageLimits[{i}]";
            if (!Exists(dir, $"{prefix}.{suffix}"))
                throw new CgroupResourceException(field + ".pageSize", $"this host has no {limits[i].PageSize} huge pages ({Path.Combine(dir, prefix + "." + suffix)} does not exist)");
            Write(dir, $"{prefix}.{suffix}", value, field + ".limit");
            if (!rsvd) continue;
            // The reservation limit (kernel 5.7) follows the limit, as runc does; older kernels lack the file.
            int errno = TryWrite(dir, $"{prefix}.rsvd.{suffix}", value);
            if (errno == ENOENT) rsvd = false;
            else if (errno != 0) throw Failure(dir, $"{prefix}.rsvd.{suffix}", value, field + ".limit", errno);
        }
    }

    /// <summary>The directory of the hierarchy holding <paramref name="controller"/>, or null.</summary>
    public static string? Find(IReadOnlyDictionary<string, string> paths, string controller)
    {
        foreach (var (key, dir) in paths)
            if (key.Length > 0 && key.Split(',').Contains(controller)) return dir;
        return null;
    }

    static string Require(IReadOnlyDictionary<string, string> paths, string controller, string field) =>
        Find(paths, controller) ?? throw NotMounted(controller, field);

    static CgroupResourceException NotMounted(string controller, string field) =>
        new(field, $"this host cannot apply it: the {controller} cgroup controller is not mounted");
}
