using System.Globalization;
using System.Text.Json.Serialization;
using static Oci.Runtime.Cgroups.CgroupFiles;

namespace Oci.Runtime.Cgroups;

/// <summary>An event of <c>events</c> in runc's shape: <c>{"type":"stats","id":…,"data":{…}}</c> or
/// <c>{"type":"oom","id":…}</c>.</summary>
public sealed class ContainerEvent
{
    /// <summary>"stats" for statistics, "oom" when the OOM killer killed a process of the container.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    /// <summary>The container's id.</summary>
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    /// <summary>The statistics of a "stats" event; null for "oom".</summary>
    [JsonPropertyName("data"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public CgroupStats? Data { get; set; }
}

/// <summary>A container's cgroup statistics (runc's types.Stats).</summary>
public sealed class CgroupStats
{
    /// <summary>CPU time used and throttling.</summary>
    [JsonPropertyName("cpu")] public CpuStats Cpu { get; set; } = new();
    /// <summary>The CPUs and memory nodes the container may use.</summary>
    [JsonPropertyName("cpuset")] public CpusetStats Cpuset { get; set; } = new();
    /// <summary>Memory use and limits.</summary>
    [JsonPropertyName("memory")] public MemoryStats Memory { get; set; } = new();
    /// <summary>The number of processes and their limit.</summary>
    [JsonPropertyName("pids")] public PidsStats Pids { get; set; } = new();
    /// <summary>Block I/O done.</summary>
    [JsonPropertyName("blkio")] public BlkioStats Blkio { get; set; } = new();
    /// <summary>Huge page use, by page size ("2MB", "1GB").</summary>
    [JsonPropertyName("hugetlb")] public SortedDictionary<string, HugetlbStats> Hugetlb { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Always empty: Intel RDT is not supported.</summary>
    [JsonPropertyName("intel_rdt")] public IntelRdtStats IntelRdt { get; set; } = new();
    /// <summary>Always null, as in runc's events for a container.</summary>
    [JsonPropertyName("network_interfaces")] public List<object>? NetworkInterfaces { get; set; }
}

/// <summary>Intel RDT statistics: always empty (Intel RDT is not supported).</summary>
public sealed class IntelRdtStats { }

/// <summary>CPU statistics (runc's types.Cpu).</summary>
public sealed class CpuStats
{
    /// <summary>CPU time used.</summary>
    [JsonPropertyName("usage")] public CpuUsage Usage { get; set; } = new();
    /// <summary>CFS bandwidth throttling.</summary>
    [JsonPropertyName("throttling")] public Throttling Throttling { get; set; } = new();
}

/// <summary>CPU time used (runc's types.CpuUsage).</summary>
public sealed class CpuUsage
{
    /// <summary>CPU time used in all, in nanoseconds.</summary>
    [JsonPropertyName("total"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Total { get; set; }
    /// <summary>CPU time used on each CPU, in nanoseconds (cgroup v1 only); null when not known.</summary>
    [JsonPropertyName("percpu"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<ulong>? Percpu { get; set; }
    /// <summary>Kernel-mode CPU time on each CPU, in nanoseconds (cgroup v1 only); null when not known.</summary>
    [JsonPropertyName("percpu_kernel"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<ulong>? PercpuKernel { get; set; }
    /// <summary>User-mode CPU time on each CPU, in nanoseconds (cgroup v1 only); null when not known.</summary>
    [JsonPropertyName("percpu_user"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<ulong>? PercpuUser { get; set; }
    /// <summary>Kernel-mode CPU time, in nanoseconds.</summary>
    [JsonPropertyName("kernel")] public ulong Kernel { get; set; }
    /// <summary>User-mode CPU time, in nanoseconds.</summary>
    [JsonPropertyName("user")] public ulong User { get; set; }
}

/// <summary>CFS bandwidth throttling (runc's types.Throttling).</summary>
public sealed class Throttling
{
    /// <summary>Enforcement periods that have elapsed.</summary>
    [JsonPropertyName("periods"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Periods { get; set; }
    /// <summary>Periods in which the container was throttled.</summary>
    [JsonPropertyName("throttledPeriods"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong ThrottledPeriods { get; set; }
    /// <summary>Time the container was throttled for, in nanoseconds.</summary>
    [JsonPropertyName("throttledTime"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong ThrottledTime { get; set; }
}

/// <summary>The cpuset controller's settings (runc's types.CPUSetStats).</summary>
public sealed class CpusetStats
{
    /// <summary>The CPUs the container may run on; null when not known.</summary>
    [JsonPropertyName("cpus"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<ushort>? Cpus { get; set; }
    /// <summary>cpuset.cpu_exclusive (cgroup v1).</summary>
    [JsonPropertyName("cpu_exclusive")] public ulong CpuExclusive { get; set; }
    /// <summary>The memory nodes the container may use; null when not known.</summary>
    [JsonPropertyName("mems"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<ushort>? Mems { get; set; }
    /// <summary>cpuset.mem_hardwall (cgroup v1).</summary>
    [JsonPropertyName("mem_hardwall")] public ulong MemHardwall { get; set; }
    /// <summary>cpuset.mem_exclusive (cgroup v1).</summary>
    [JsonPropertyName("mem_exclusive")] public ulong MemExclusive { get; set; }
    /// <summary>cpuset.memory_migrate (cgroup v1).</summary>
    [JsonPropertyName("memory_migrate")] public ulong MemoryMigrate { get; set; }
    /// <summary>cpuset.memory_spread_page (cgroup v1).</summary>
    [JsonPropertyName("memory_spread_page")] public ulong MemorySpreadPage { get; set; }
    /// <summary>cpuset.memory_spread_slab (cgroup v1).</summary>
    [JsonPropertyName("memory_spread_slab")] public ulong MemorySpreadSlab { get; set; }
    /// <summary>cpuset.memory_pressure (cgroup v1).</summary>
    [JsonPropertyName("memory_pressure")] public ulong MemoryPressure { get; set; }
    /// <summary>cpuset.sched_load_balance (cgroup v1).</summary>
    [JsonPropertyName("sched_load_balance")] public ulong SchedLoadBalance { get; set; }
    /// <summary>cpuset.sched_relax_domain_level (cgroup v1).</summary>
    [JsonPropertyName("sched_relax_domain_level")] public long SchedRelaxDomainLevel { get; set; }
}

/// <summary>One memory counter: usage, peak, limit and failures (runc's types.MemoryEntry).</summary>
public sealed class MemoryEntry
{
    /// <summary>The limit in bytes (<see cref="ulong.MaxValue"/> for none).</summary>
    [JsonPropertyName("limit")] public ulong Limit { get; set; }
    /// <summary>Bytes in use.</summary>
    [JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Usage { get; set; }
    /// <summary>The most bytes ever in use.</summary>
    [JsonPropertyName("max"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Max { get; set; }
    /// <summary>How many times the limit was hit.</summary>
    [JsonPropertyName("failcnt")] public ulong Failcnt { get; set; }
}

/// <summary>Memory statistics (runc's types.Memory).</summary>
public sealed class MemoryStats
{
    /// <summary>Page cache, in bytes.</summary>
    [JsonPropertyName("cache"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Cache { get; set; }
    /// <summary>Memory.</summary>
    [JsonPropertyName("usage")] public MemoryEntry Usage { get; set; } = new();
    /// <summary>Memory and swap together, as runc reports it on both cgroup versions.</summary>
    [JsonPropertyName("swap")] public MemoryEntry Swap { get; set; } = new();
    /// <summary>Kernel memory (cgroup v1).</summary>
    [JsonPropertyName("kernel")] public MemoryEntry Kernel { get; set; } = new();
    /// <summary>Kernel TCP buffers (cgroup v1).</summary>
    [JsonPropertyName("kernelTCP")] public MemoryEntry KernelTcp { get; set; } = new();
    /// <summary>The memory.stat file, key by key; null when not read.</summary>
    [JsonPropertyName("raw"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public SortedDictionary<string, ulong>? Raw { get; set; }
}

/// <summary>Process-count statistics (runc's types.Pids).</summary>
public sealed class PidsStats
{
    /// <summary>The number of processes.</summary>
    [JsonPropertyName("current"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Current { get; set; }
    /// <summary>The limit; 0 for none.</summary>
    [JsonPropertyName("limit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Limit { get; set; }
}

/// <summary>One block I/O counter of a device (runc's types.BlkioEntry).</summary>
public sealed class BlkioEntry
{
    /// <summary>The device's major number.</summary>
    [JsonPropertyName("major"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Major { get; set; }
    /// <summary>The device's minor number.</summary>
    [JsonPropertyName("minor"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Minor { get; set; }
    /// <summary>The operation: "Read", "Write" (and on cgroup v1 "Sync", "Async", "Discard", "Total").</summary>
    [JsonPropertyName("op"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Op { get; set; }
    /// <summary>Bytes, or operations.</summary>
    [JsonPropertyName("value"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Value { get; set; }
}

/// <summary>Block I/O statistics (runc's types.Blkio).</summary>
public sealed class BlkioStats
{
    /// <summary>Bytes transferred, by device and operation; null when not known.</summary>
    [JsonPropertyName("ioServiceBytesRecursive"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<BlkioEntry>? IoServiceBytesRecursive { get; set; }
    /// <summary>I/O operations, by device and operation; null when not known.</summary>
    [JsonPropertyName("ioServicedRecursive"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<BlkioEntry>? IoServicedRecursive { get; set; }
}

/// <summary>Huge page statistics of one page size (runc's types.Hugetlb).</summary>
public sealed class HugetlbStats
{
    /// <summary>Bytes of huge pages in use.</summary>
    [JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Usage { get; set; }
    /// <summary>The most bytes ever in use (cgroup v1).</summary>
    [JsonPropertyName("max"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Max { get; set; }
    /// <summary>How many allocations failed for the limit.</summary>
    [JsonPropertyName("failcnt")] public ulong Failcnt { get; set; }
}

/// <summary>Reads <see cref="CgroupStats"/> from the container's cgroups on each layout, as runc's fs and fs2
/// GetStats do.</summary>
internal static class CgroupStatsReader
{
    const ulong NanosecondsPerTick = 1_000_000_000 / 100; // USER_HZ is 100 on Linux.

    public static CgroupStats Read(CgroupManager manager)
    {
        var stats = new CgroupStats();
        if (manager.Layout == CgroupLayout.Unified && manager.UnifiedPath is { } dir)
        {
            ReadV2(dir, stats);
            return stats;
        }
        ReadV1(manager.Paths, stats);
        // A hybrid host's cgroup2 hierarchy may hold hugetlb.
        if (stats.Hugetlb.Count == 0 && manager.UnifiedPath is { } unified) ReadHugetlb(unified, stats, v2: true);
        return stats;
    }

    static void ReadV1(IReadOnlyDictionary<string, string> paths, CgroupStats stats)
    {
        if (V1Resources.Find(paths, "cpuacct") is { } cpuacct)
        {
            stats.Cpu.Usage.Total = TryReadUInt(cpuacct, "cpuacct.usage") ?? 0;
            stats.Cpu.Usage.Percpu = ReadList(cpuacct, "cpuacct.usage_percpu");
            stats.Cpu.Usage.PercpuKernel = ReadColumn(cpuacct, "cpuacct.usage_all", 2);
            stats.Cpu.Usage.PercpuUser = ReadColumn(cpuacct, "cpuacct.usage_all", 1);
            var ticks = ReadKeyValues(cpuacct, "cpuacct.stat");
            stats.Cpu.Usage.User = ticks.GetValueOrDefault("user") * NanosecondsPerTick;
            stats.Cpu.Usage.Kernel = ticks.GetValueOrDefault("system") * NanosecondsPerTick;
        }
        if (V1Resources.Find(paths, "cpu") is { } cpu)
        {
            var s = ReadKeyValues(cpu, "cpu.stat");
            stats.Cpu.Throttling.Periods = s.GetValueOrDefault("nr_periods");
            stats.Cpu.Throttling.ThrottledPeriods = s.GetValueOrDefault("nr_throttled");
            stats.Cpu.Throttling.ThrottledTime = s.GetValueOrDefault("throttled_time");
        }
        if (V1Resources.Find(paths, "cpuset") is { } cpuset) ReadCpuset(cpuset, "cpuset.", stats);
        if (V1Resources.Find(paths, "memory") is { } memory)
        {
            var raw = new SortedDictionary<string, ulong>(ReadKeyValues(memory, "memory.stat"), StringComparer.Ordinal);
            stats.Memory.Raw = raw;
            stats.Memory.Cache = raw.GetValueOrDefault("cache");
            stats.Memory.Usage = V1Entry(memory, "memory");
            stats.Memory.Swap = V1Entry(memory, "memory.memsw");
            stats.Memory.Kernel = V1Entry(memory, "memory.kmem");
            stats.Memory.KernelTcp = V1Entry(memory, "memory.kmem.tcp");
        }
        if (V1Resources.Find(paths, "pids") is { } pids) ReadPids(pids, stats);
        if (V1Resources.Find(paths, "blkio") is { } blkio)
        {
            string prefix = Exists(blkio, "blkio.bfq.io_service_bytes_recursive") ? "blkio.bfq." : "blkio.throttle.";
            stats.Blkio.IoServiceBytesRecursive = ReadBlkio(blkio, prefix + "io_service_bytes_recursive");
            stats.Blkio.IoServicedRecursive = ReadBlkio(blkio, prefix + "io_serviced_recursive");
        }
        if (V1Resources.Find(paths, "hugetlb") is { } hugetlb) ReadHugetlb(hugetlb, stats, v2: false);
    }

    static void ReadV2(string dir, CgroupStats stats)
    {
        var cpu = ReadKeyValues(dir, "cpu.stat");
        stats.Cpu.Usage.Total = cpu.GetValueOrDefault("usage_usec") * 1000;
        stats.Cpu.Usage.User = cpu.GetValueOrDefault("user_usec") * 1000;
        stats.Cpu.Usage.Kernel = cpu.GetValueOrDefault("system_usec") * 1000;
        stats.Cpu.Throttling.Periods = cpu.GetValueOrDefault("nr_periods");
        stats.Cpu.Throttling.ThrottledPeriods = cpu.GetValueOrDefault("nr_throttled");
        stats.Cpu.Throttling.ThrottledTime = cpu.GetValueOrDefault("throttled_usec") * 1000;
        if (Exists(dir, "cpuset.cpus.effective")) ReadCpuset(dir, "cpuset.", stats);
        if (Exists(dir, "memory.current"))
        {
            var raw = new SortedDictionary<string, ulong>(ReadKeyValues(dir, "memory.stat"), StringComparer.Ordinal);
            stats.Memory.Raw = raw;
            stats.Memory.Cache = raw.GetValueOrDefault("file");
            stats.Memory.Usage = new MemoryEntry
            {
                Usage = TryReadUInt(dir, "memory.current") ?? 0,
                Limit = TryReadUInt(dir, "memory.max") ?? 0,
                Max = TryReadUInt(dir, "memory.peak") ?? 0,
                Failcnt = ReadKeyValues(dir, "memory.events").GetValueOrDefault("max"),
            };
            // v1 reports swap as memory+swap; so does runc on v2.
            ulong swapLimit = TryReadUInt(dir, "memory.swap.max") ?? 0;
            stats.Memory.Swap = new MemoryEntry
            {
                Usage = (TryReadUInt(dir, "memory.swap.current") ?? 0) + stats.Memory.Usage.Usage,
                Limit = swapLimit == ulong.MaxValue || stats.Memory.Usage.Limit == ulong.MaxValue ? ulong.MaxValue : swapLimit + stats.Memory.Usage.Limit,
            };
        }
        ReadPids(dir, stats);
        var io = ReadIoStat(dir);
        if (io.Bytes.Count > 0) stats.Blkio.IoServiceBytesRecursive = io.Bytes;
        if (io.Ios.Count > 0) stats.Blkio.IoServicedRecursive = io.Ios;
        ReadHugetlb(dir, stats, v2: true);
    }

    static MemoryEntry V1Entry(string dir, string prefix) => new()
    {
        Usage = TryReadUInt(dir, prefix + ".usage_in_bytes") ?? 0,
        Max = TryReadUInt(dir, prefix + ".max_usage_in_bytes") ?? 0,
        Failcnt = TryReadUInt(dir, prefix + ".failcnt") ?? 0,
        Limit = TryReadUInt(dir, prefix + ".limit_in_bytes") ?? 0,
    };

    static void ReadPids(string dir, CgroupStats stats)
    {
        stats.Pids.Current = TryReadUInt(dir, "pids.current") ?? 0;
        ulong limit = TryReadUInt(dir, "pids.max") ?? 0;
        stats.Pids.Limit = limit == ulong.MaxValue ? 0 : limit;
    }

    static void ReadCpuset(string dir, string prefix, CgroupStats stats)
    {
        stats.Cpuset.Cpus = ParseCpuList(TryRead(dir, prefix + "cpus")?.Trim() is { Length: > 0 } c ? c : TryRead(dir, prefix + "cpus.effective"));
        stats.Cpuset.Mems = ParseCpuList(TryRead(dir, prefix + "mems")?.Trim() is { Length: > 0 } m ? m : TryRead(dir, prefix + "mems.effective"));
        stats.Cpuset.CpuExclusive = TryReadUInt(dir, prefix + "cpu_exclusive") ?? 0;
        stats.Cpuset.MemHardwall = TryReadUInt(dir, prefix + "mem_hardwall") ?? 0;
        stats.Cpuset.MemExclusive = TryReadUInt(dir, prefix + "mem_exclusive") ?? 0;
        stats.Cpuset.MemoryMigrate = TryReadUInt(dir, prefix + "memory_migrate") ?? 0;
        stats.Cpuset.MemorySpreadPage = TryReadUInt(dir, prefix + "memory_spread_page") ?? 0;
        stats.Cpuset.MemorySpreadSlab = TryReadUInt(dir, prefix + "memory_spread_slab") ?? 0;
        stats.Cpuset.MemoryPressure = TryReadUInt(dir, prefix + "memory_pressure") ?? 0;
        stats.Cpuset.SchedLoadBalance = TryReadUInt(dir, prefix + "sched_load_balance") ?? 0;
        stats.Cpuset.SchedRelaxDomainLevel = long.TryParse(TryRead(dir, prefix + "sched_relax_domain_level")?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var level) ? level : 0;
    }

    /// <summary>"0-3,7" as [0,1,2,3,7].</summary>
    internal static List<ushort>? ParseCpuList(string? text)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        var result = new List<ushort>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split('-');
            if (!ushort.TryParse(range[0], CultureInfo.InvariantCulture, out var first)) return null;
            ushort last = first;
            if (range.Length == 2 && !ushort.TryParse(range[1], CultureInfo.InvariantCulture, out last)) return null;
            for (int i = first; i <= last; i++) result.Add((ushort)i);
        }
        return result;
    }

    static List<ulong>? ReadList(string dir, string file)
    {
        var text = TryRead(dir, file);
        if (text is null) return null;
        var values = new List<ulong>();
        foreach (var word in text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
            if (ulong.TryParse(word, CultureInfo.InvariantCulture, out var v)) values.Add(v);
        return values;
    }

    /// <summary>One column of cpuacct.usage_all ("cpu user system" lines after a header).</summary>
    static List<ulong>? ReadColumn(string dir, string file, int column)
    {
        var text = TryRead(dir, file);
        if (text is null) return null;
        var values = new List<ulong>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length > column && ulong.TryParse(words[column], CultureInfo.InvariantCulture, out var v)) values.Add(v);
        }
        return values;
    }

    /// <summary>v1 blkio "8:0 Read 123" lines (the "Total" line skipped).</summary>
    static List<BlkioEntry>? ReadBlkio(string dir, string file)
    {
        var text = TryRead(dir, file);
        if (text is null) return null;
        var entries = new List<BlkioEntry>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != 3) continue;
            var device = words[0].Split(':');
            if (device.Length != 2 || !ulong.TryParse(device[0], CultureInfo.InvariantCulture, out var major)
                || !ulong.TryParse(device[1], CultureInfo.InvariantCulture, out var minor)
                || !ulong.TryParse(words[2], CultureInfo.InvariantCulture, out var value)) continue;
            entries.Add(new BlkioEntry { Major = major, Minor = minor, Op = words[1], Value = value });
        }
        return entries.Count == 0 ? null : entries;
    }

    /// <summary>v2 io.stat ("8:0 rbytes=1 wbytes=2 rios=3 wios=4 …") in v1's Read/Write entries.</summary>
    static (List<BlkioEntry> Bytes, List<BlkioEntry> Ios) ReadIoStat(string dir)
    {
        var bytes = new List<BlkioEntry>();
        var ios = new List<BlkioEntry>();
        foreach (var line in (TryRead(dir, "io.stat") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var device = words[0].Split(':');
            if (device.Length != 2 || !ulong.TryParse(device[0], CultureInfo.InvariantCulture, out var major)
                || !ulong.TryParse(device[1], CultureInfo.InvariantCulture, out var minor)) continue;
            foreach (var pair in words.Skip(1))
            {
                var kv = pair.Split('=');
                if (kv.Length != 2 || !ulong.TryParse(kv[1], CultureInfo.InvariantCulture, out var value)) continue;
                switch (kv[0])
                {
                    case "rbytes": bytes.Add(new BlkioEntry { Major = major, Minor = minor, Op = "Read", Value = value }); break;
                    case "wbytes": bytes.Add(new BlkioEntry { Major = major, Minor = minor, Op = "Write", Value = value }); break;
                    case "rios": ios.Add(new BlkioEntry { Major = major, Minor = minor, Op = "Read", Value = value }); break;
                    case "wios": ios.Add(new BlkioEntry { Major = major, Minor = minor, Op = "Write", Value = value }); break;
                }
            }
        }
        return (bytes, ios);
    }

    /// <summary>Huge page sizes of the host ("2MB", "1GB"), from /sys/kernel/mm/hugepages.</summary>
    internal static IReadOnlyList<string> HugePageSizes()
    {
        var sizes = new List<string>();
        if (!Directory.Exists("/sys/kernel/mm/hugepages")) return sizes;
        foreach (var entry in Directory.GetDirectories("/sys/kernel/mm/hugepages").Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            // hugepages-2048kB
            if (entry is null || !entry.StartsWith("hugepages-", StringComparison.Ordinal) || !entry.EndsWith("kB", StringComparison.Ordinal)) continue;
            if (!ulong.TryParse(entry["hugepages-".Length..^2], CultureInfo.InvariantCulture, out var kb)) continue;
            sizes.Add(PageSizeName(kb * 1024));
        }
        return sizes;
    }

    /// <summary>The cgroup file name of a page size in bytes: 2097152 → "2MB" (runc's getHugePageSizeFromFilenames).</summary>
    internal static string PageSizeName(ulong bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB", "PB"];
        int unit = 0;
        while (bytes >= 1024 && bytes % 1024 == 0 && unit < units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }
        return bytes.ToString(CultureInfo.InvariantCulture) + units[unit];
    }

    static void ReadHugetlb(string dir, CgroupStats stats, bool v2)
    {
        foreach (var size in HugePageSizes())
        {
            string prefix = "hugetlb." + size;
            if (v2)
            {
                if (!Exists(dir, prefix + ".current")) continue;
                stats.Hugetlb[size] = new HugetlbStats
                {
                    Usage = TryReadUInt(dir, prefix + ".current") ?? 0,
                    Failcnt = ReadKeyValues(dir, prefix + ".events").GetValueOrDefault("max"),
                };
            }
            else
            {
                if (!Exists(dir, prefix + ".usage_in_bytes")) continue;
                stats.Hugetlb[size] = new HugetlbStats
                {
                    Usage = TryReadUInt(dir, prefix + ".usage_in_bytes") ?? 0,
                    Max = TryReadUInt(dir, prefix + ".max_usage_in_bytes") ?? 0,
                    Failcnt = TryReadUInt(dir, prefix + ".failcnt") ?? 0,
                };
            }
        }
    }
}
