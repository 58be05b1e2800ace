using System.Globalization;
using System.Text.Json.Serialization;
using static Oci.Runtime.Cgroups.CgroupFiles;

namespace Oci.Runtime.Cgroups;

#pragma warning disable CS1591 // The members are runc's events JSON (types/events.go); their names say what they hold.

/// <summary>An event of <c>events</c> in runc's shape: <c>{"type":"stats","id":…,"data":{…}}</c> or
/// <c>{"type":"oom","id":…}</c>.</summary>
public sealed class ContainerEvent
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("data"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public CgroupStats? Data { get; set; }
}

/// <summary>A container's cgroup statistics (runc's types.Stats).</summary>
public sealed class CgroupStats
{
    [JsonPropertyName("cpu")] public CpuStats Cpu { get; set; } = new();
    [JsonPropertyName("cpuset")] public CpusetStats Cpuset { get; set; } = new();
    [JsonPropertyName("memory")] public MemoryStats Memory { get; set; } = new();
    [JsonPropertyName("pids")] public PidsStats Pids { get; set; } = new();
    [JsonPropertyName("blkio")] public BlkioStats Blkio { get; set; } = new();
    [JsonPropertyName("hugetlb")] public SortedDictionary<string, HugetlbStats> Hugetlb { get; set; } = new(StringComparer.Ordinal);
    [JsonPropertyName("intel_rdt")] public IntelRdtStats IntelRdt { get; set; } = new();
    /// <summary>Always null, as in runc's events for a container (CgroupEventJson writes null).</summary>
    [JsonPropertyName("network_interfaces")] public List<object>? NetworkInterfaces { get; set; }
}

public sealed class IntelRdtStats { }

public sealed class CpuStats
{
    [JsonPropertyName("usage")] public CpuUsage Usage { get; set; } = new();
    [JsonPropertyName("throttling")] public Throttling Throttling { get; set; } = new();
}

public sealed class CpuUsage
{
    [JsonPropertyName("total"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Total { get; set; }
    [JsonPropertyName("percpu"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<ulong>? Percpu { get; set; }
    [JsonPropertyName("percpu_kernel"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<ulong>? PercpuKernel { get; set; }
    [JsonPropertyName("percpu_user"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<ulong>? PercpuUser { get; set; }
    [JsonPropertyName("kernel")] public ulong Kernel { get; set; }
    [JsonPropertyName("user")] public ulong User { get; set; }
}

public sealed class Throttling
{
    [JsonPropertyName("periods"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Periods { get; set; }
    [JsonPropertyName("throttledPeriods"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong ThrottledPeriods { get; set; }
    [JsonPropertyName("throttledTime"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong ThrottledTime { get; set; }
}

public sealed class CpusetStats
{
    [JsonPropertyName("cpus"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<ushort>? Cpus { get; set; }
    [JsonPropertyName("cpu_exclusive")] public ulong CpuExclusive { get; set; }
    [JsonPropertyName("mems"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<ushort>? Mems { get; set; }
    [JsonPropertyName("mem_hardwall")] public ulong MemHardwall { get; set; }
    [JsonPropertyName("mem_exclusive")] public ulong MemExclusive { get; set; }
    [JsonPropertyName("memory_migrate")] public ulong MemoryMigrate { get; set; }
    [JsonPropertyName("memory_spread_page")] public ulong MemorySpreadPage { get; set; }
    [JsonPropertyName("memory_spread_slab")] public ulong MemorySpreadSlab { get; set; }
    [JsonPropertyName("memory_pressure")] public ulong MemoryPressure { get; set; }
    [JsonPropertyName("sched_load_balance")] public ulong SchedLoadBalance { get; set; }
    [JsonPropertyName("sched_relax_domain_level")] public long SchedRelaxDomainLevel { get; set; }
}

public sealed class MemoryEntry
{
    [JsonPropertyName("limit")] public ulong Limit { get; set; }
    [JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Usage { get; set; }
    [JsonPropertyName("max"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Max { get; set; }
    [JsonPropertyName("failcnt")] public ulong Failcnt { get; set; }
}

public sealed class MemoryStats
{
    [JsonPropertyName("cache"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Cache { get; set; }
    [JsonPropertyName("usage")] public MemoryEntry Usage { get; set; } = new();
    [JsonPropertyName("swap")] public MemoryEntry Swap { get; set; } = new();
    [JsonPropertyName("kernel")] public MemoryEntry Kernel { get; set; } = new();
    [JsonPropertyName("kernelTCP")] public MemoryEntry KernelTcp { get; set; } = new();
    [JsonPropertyName("raw"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public SortedDictionary<string, ulong>? Raw { get; set; }
}

public sealed class PidsStats
{
    [JsonPropertyName("current"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Current { get; set; }
    [JsonPropertyName("limit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Limit { get; set; }
}

public sealed class BlkioEntry
{
    [JsonPropertyName("major"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Major { get; set; }
    [JsonPropertyName("minor"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Minor { get; set; }
    [JsonPropertyName("op"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Op { get; set; }
    [JsonPropertyName("value"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Value { get; set; }
}

public sealed class BlkioStats
{
    [JsonPropertyName("ioServiceBytesRecursive"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<BlkioEntry>? IoServiceBytesRecursive { get; set; }
    [JsonPropertyName("ioServicedRecursive"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<BlkioEntry>? IoServicedRecursive { get; set; }
}

public sealed class HugetlbStats
{
    [JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Usage { get; set; }
    [JsonPropertyName("max"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong Max { get; set; }
    [JsonPropertyName("failcnt")] public ulong Failcnt { get; set; }
}

#pragma warning restore CS1591

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
