using Oci.Runtime.Spec;
using static Oci.Runtime.Cgroups.CgroupFiles;

namespace Oci.Runtime.Cgroups;

/// <summary>
/// Writes <c>linux.resources</c> into one cgroup2 directory as runc's libcontainer/cgroups/fs2 does, converting
/// the spec's v1 units (cpu shares → cpu.weight, blkio weight → io.weight, memory+swap → memory.swap.max). Settings
/// that cgroup v2 has no file for are errors naming the field, except the kernel memory limits, which runc ignores
/// with a warning on both versions. Device rules are not files on v2: see <see cref="BpfDeviceFilter"/>.
/// </summary>
internal static class V2Resources
{
    /// <summary>Applies <paramref name="r"/> to the cgroup2 directory <paramref name="dir"/>.</summary>
    public static void Apply(string dir, LinuxResources r, ResourceApplyOptions options)
    {
        if (CgroupConversions.PidsMax(r.Pids?.Limit) is { } pidsMax)
            Write(dir, "pids.max", pidsMax, "linux.resources.pids.limit", "pids");
        if (r.Memory is { } memory) Memory(dir, memory, options);
        if (r.BlockIO is { } blockIO) Io(dir, blockIO);
        if (r.Cpu is { } cpu) Cpu(dir, cpu);
        if (r.HugepageLimits is { Count: > 0 } hugepages) Hugetlb(dir, hugepages);
        if (r.Network is { } network)
        {
            if (network.ClassId is not (null or 0))
                throw new CgroupResourceException("linux.resources.network.classID", "cgroup v2 has no net_cls controller");
            if (network.Priorities is { Count: > 0 })
                throw new CgroupResourceException("linux.resources.network.priorities", "cgroup v2 has no net_prio controller");
        }
        if (r.Rdma is { Count: > 0 } rdma)
            foreach (var (device, limits) in rdma)
                Write(dir, "rdma.max", RdmaLine(device, limits), $"linux.resources.rdma[\"{device}\"]", "rdma");
        if (r.Unified is { Count: > 0 } unified) Unified(dir, unified);
    }

    /// <summary>Writes a file of a controller, saying which controller is missing when its files are.</summary>
    static void Write(string dir, string file, string value, string field, string controller)
    {
        int errno = TryWrite(dir, file, value);
        if (errno != 0) throw Fail(dir, file, value, field, controller, errno);
    }

    static CgroupResourceException Fail(string dir, string file, string value, string field, string controller, int errno) =>
        errno == ENOENT && !ControllerAvailable(dir, controller)
            ? new CgroupResourceException(field,
                $"this host cannot apply it: the {controller} controller is not enabled for {dir} (its parent's cgroup.subtree_control lacks it)", errno)
            : Failure(dir, file, value, field, errno);

    /// <summary>Whether the cgroup2 directory has <paramref name="controller"/>'s files (it is in the parent's
    /// cgroup.subtree_control, which cgroup.controllers of the directory lists).</summary>
    public static bool ControllerAvailable(string dir, string controller)
    {
        var controllers = TryRead(dir, "cgroup.controllers");
        return controllers is not null && controllers.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Contains(controller);
    }

    static void Memory(string dir, LinuxMemory m, ResourceApplyOptions options)
    {
        if (m.Kernel is not (null or 0) || m.KernelTcp is not (null or 0))
            options.Warn?.Invoke("Kernel memory settings are ignored and will be removed");
        if (m.Swappiness is { } swappiness && swappiness != ulong.MaxValue)
            throw new CgroupResourceException("linux.resources.memory.swappiness", "cgroup v2 has no per-cgroup swappiness");
        if (m.DisableOomKiller == true)
            throw new CgroupResourceException("linux.resources.memory.disableOOMKiller", "cgroup v2 cannot disable the OOM killer of a cgroup");
        // useHierarchy: cgroup v2 always accounts hierarchically.
        if (m.UseHierarchy == false)
            throw new CgroupResourceException("linux.resources.memory.useHierarchy", "cgroup v2 always accounts memory hierarchically");

        long limit = m.Limit ?? 0, swap = m.Swap ?? 0, reservation = m.Reservation ?? 0;
        if (limit == 0 && swap == 0 && reservation == 0) return;
        if (options.IsUpdate && m.CheckBeforeUpdate == true && limit > 0
            && TryReadUInt(dir, "memory.current") is { } usage && (ulong)limit < usage)
            throw new CgroupResourceException("linux.resources.memory.limit",
                $"rejecting memory limit {limit} below the current usage {usage} (checkBeforeUpdate)");
        long swapMax;
        try
        {
            swapMax = CgroupConversions.MemorySwapToV2(swap, limit);
        }
        catch (ArgumentException e)
        {
            throw new CgroupResourceException("linux.resources.memory.swap", e.Message);
        }
        string? swapText = CgroupConversions.V2Number(swapMax);
        // memory and memory+swap equal: no swap at all.
        if (swapText is null && swapMax == 0 && swap > 0) swapText = "0";
        if (swapText is not null)
        {
            int errno = TryWrite(dir, "memory.swap.max", swapText);
            // Without swap accounting the file is missing: "max" and "0" then hold anyway.
            bool noSwapAccounting = errno == ENOENT && swapText is "max" or "0" && ControllerAvailable(dir, "memory");
            if (errno != 0 && !noSwapAccounting) throw Fail(dir, "memory.swap.max", swapText, "linux.resources.memory.swap", "memory", errno);
        }
        if (CgroupConversions.V2Number(limit) is { } max) Write(dir, "memory.max", max, "linux.resources.memory.limit", "memory");
        if (CgroupConversions.V2Number(reservation) is { } low) Write(dir, "memory.low", low, "linux.resources.memory.reservation", "memory");
    }

    static void Cpu(string dir, LinuxCPU c)
    {
        if (c.RealtimePeriod is not (null or 0))
            throw new CgroupResourceException("linux.resources.cpu.realtimePeriod", "cgroup v2 has no realtime group scheduling");
        if (c.RealtimeRuntime is not (null or 0))
            throw new CgroupResourceException("linux.resources.cpu.realtimeRuntime", "cgroup v2 has no realtime group scheduling");
        if (c.Shares is { } shares and not 0)
            Write(dir, "cpu.weight", Number(CgroupConversions.CpuSharesToWeight(shares)), "linux.resources.cpu.shares", "cpu");
        if (CgroupConversions.CpuMax(c.Quota, c.Period) is { } cpuMax)
            Write(dir, "cpu.max", cpuMax, c.Quota is not (null or 0) ? "linux.resources.cpu.quota" : "linux.resources.cpu.period", "cpu");
        if (c.Burst is { } burst) Write(dir, "cpu.max.burst", Number(burst), "linux.resources.cpu.burst", "cpu");
        if (c.Idle is { } idle) Write(dir, "cpu.idle", Number(idle), "linux.resources.cpu.idle", "cpu");
        if (!string.IsNullOrEmpty(c.Cpus)) Write(dir, "cpuset.cpus", c.Cpus, "linux.resources.cpu.cpus", "cpuset");
        if (!string.IsNullOrEmpty(c.Mems)) Write(dir, "cpuset.mems", c.Mems, "linux.resources.cpu.mems", "cpuset");
    }

    static void Io(string dir, LinuxBlockIO b)
    {
        if (b.LeafWeight is not (null or 0))
            throw new CgroupResourceException("linux.resources.blockIO.leafWeight", "cgroup v2 has no leaf weights");
        // BFQ's io.bfq.weight takes the v1 range and per-device weights; io.weight takes the converted value.
        bool bfq = Exists(dir, "io.bfq.weight");
        if (b.Weight is { } weight and not 0)
        {
            if (bfq) Write(dir, "io.bfq.weight", Number(weight), "linux.resources.blockIO.weight", "io");
            else Write(dir, "io.weight", Number(CgroupConversions.BlkioWeightToIoWeight(weight)), "linux.resources.blockIO.weight", "io");
        }
        if (b.WeightDevice is { } devices)
        {
            for (int i = 0; i < devices.Count; i++)
            {
                var d = devices[i];
                string field = $"linux.resources.blockIO.weightDevice[{i}]";
                if (d.LeafWeight is not (null or 0))
                    throw new CgroupResourceException(field + ".leafWeight", "cgroup v2 has no leaf weights");
                if (d.Weight is not { } w || w == 0) continue;
                if (!bfq)
                    throw new CgroupResourceException(field + ".weight", "per-device weights need the BFQ I/O scheduler (io.bfq.weight), which this host lacks");
                Write(dir, "io.bfq.weight", $"{d.Major}:{d.Minor} {w}", field + ".weight", "io");
            }
        }
        Throttle(dir, "rbps", b.ThrottleReadBpsDevice, "throttleReadBpsDevice");
        Throttle(dir, "wbps", b.ThrottleWriteBpsDevice, "throttleWriteBpsDevice");
        Throttle(dir, "riops", b.ThrottleReadIOPSDevice, "throttleReadIOPSDevice");
        Throttle(dir, "wiops", b.ThrottleWriteIOPSDevice, "throttleWriteIOPSDevice");
    }

    static void Throttle(string dir, string key, List<LinuxThrottleDevice>? devices, string name)
    {
        if (devices is null) return;
        for (int i = 0; i < devices.Count; i++)
            Write(dir, "io.max", $"{devices[i].Major}:{devices[i].Minor} {key}={devices[i].Rate}", $"linux.resources.blockIO.{name}[{i}]", "io");
    }

    /// <summary>hugetlb.SIZE.max and, where the kernel has it, hugetlb.SIZE.rsvd.max.</summary>
    public static void Hugetlb(string dir, List<LinuxHugepageLimit> limits)
    {
        bool rsvd = true;
        for (int i = 0; i < limits.Count; i++)
        {
            string prefix = "hugetlb." + limits[i].PageSize;
            string value = Number(limits[i].Limit);
            string field = $"linux.resources.hugepageLimits[{i}]";
            if (ControllerAvailable(dir, "hugetlb") && !Exists(dir, prefix + ".max"))
                throw new CgroupResourceException(field + ".pageSize", $"this host has no {limits[i].PageSize} huge pages ({Path.Combine(dir, prefix + ".max")} does not exist)");
            Write(dir, prefix + ".max", value, field + ".limit", "hugetlb");
            if (!rsvd) continue;
            int errno = TryWrite(dir, prefix + ".rsvd.max", value);
            if (errno == ENOENT) rsvd = false;
            else if (errno != 0) throw Failure(dir, prefix + ".rsvd.max", value, field + ".limit", errno);
        }
    }

    /// <summary>The rdma.max line of one device: "mlx5_0 hca_handle=2 hca_object=2000".</summary>
    public static string RdmaLine(string device, LinuxRdma limits)
    {
        string line = device;
        if (limits.HcaHandles is { } handles) line += " hca_handle=" + Number(handles);
        if (limits.HcaObjects is { } objects) line += " hca_object=" + Number(objects);
        return line;
    }

    /// <summary>Writes <c>linux.resources.unified</c>: each key a file of the directory (no path separators), each
    /// value written as is.</summary>
    public static void Unified(string dir, Dictionary<string, string> unified)
    {
        foreach (var (key, value) in unified.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            string field = $"linux.resources.unified[\"{key}\"]";
            if (key.Length == 0 || key.Contains('/') || key is "." or "..")
                throw new CgroupResourceException(field, "is not the name of a cgroup interface file");
            int dot = key.IndexOf('.');
            string controller = dot > 0 ? key[..dot] : key;
            int errno = TryWrite(dir, key, value);
            if (errno == 0) continue;
            if (errno == ENOENT && controller != "cgroup" && !ControllerAvailable(dir, controller))
                throw new CgroupResourceException(field, $"this host cannot apply it: the {controller} controller is not available for {dir}", errno);
            throw Failure(dir, key, value, field, errno);
        }
    }
}
