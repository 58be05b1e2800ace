using System.Globalization;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Cgroups.Systemd;

/// <summary>One property of a systemd unit as D-Bus carries it: a name and a value of type <c>s</c> (string),
/// <c>b</c> (bool), <c>t</c> (ulong), <c>au</c> (uint[]), <c>ay</c> (byte[]) or <c>a(ss)</c>
/// (<see cref="DeviceAllow"/>[]).</summary>
internal sealed record UnitProperty(string Name, object Value)
{
    /// <inheritdoc/>
    public override string ToString() => Value switch
    {
        byte[] bytes => $"{Name}={Convert.ToHexString(bytes)}",
        uint[] numbers => $"{Name}={string.Join(' ', numbers)}",
        DeviceAllow[] entries => $"{Name}={string.Join(' ', entries.Select(e => e.Path + ":" + e.Access))}",
        _ => $"{Name}={Value}",
    };
}

/// <summary>One entry of systemd's <c>DeviceAllow=</c>: a device node path or <c>char-*</c>/<c>block-NAME</c>
/// group, and <c>rwm</c> letters.</summary>
internal readonly record struct DeviceAllow(string Path, string Access);

/// <summary>
/// <c>linux.resources</c> as systemd unit properties, mapped as runc's systemd driver maps them
/// (genV1ResourcesProperties, genV2ResourcesProperties): what systemd can express is set on the unit, so that
/// systemd keeps it (a daemon-reload re-applies unit properties); the driver writes the rest, and all of it again,
/// to the cgroup files, as runc does.
/// </summary>
internal static class SystemdProperties
{
    /// <summary>systemd's USEC_INFINITY and "infinity" of its limits.</summary>
    public const ulong Infinity = ulong.MaxValue;

    const ulong DefaultCpuPeriod = 100000;

    /// <summary>The properties of a new scope (runc's startUnit): its slice, a description, its first process,
    /// delegation of its cgroup subtree to the container, no default dependencies, and accounting on.</summary>
    public static List<UnitProperty> ForNewScope(string slice, string containerId, int pid, bool unified) =>
    [
        new("Slice", slice),
        new("Description", "oci-run container " + containerId),
        new("PIDs", new[] { (uint)pid }),
        new("Delegate", true),
        new("DefaultDependencies", false),
        new("MemoryAccounting", true),
        new("CPUAccounting", true),
        new(unified ? "IOAccounting" : "BlockIOAccounting", true),
        new("TasksAccounting", true),
    ];

    /// <summary>The properties for <paramref name="resources"/> on a v1/hybrid (<paramref name="unified"/> false) or
    /// unified host, for a systemd of <paramref name="systemdVersion"/>. Device rules are included when
    /// <paramref name="includeDevices"/> (on create always, on update only when the update names devices).</summary>
    public static List<UnitProperty> ForResources(LinuxResources? resources, bool unified, int systemdVersion,
        bool includeDevices, Action<string>? warn = null)
    {
        var properties = new List<UnitProperty>();
        if (includeDevices) properties.AddRange(Devices(resources?.Devices, warn));
        if (resources is null) return properties;
        var memory = resources.Memory;
        var cpu = resources.Cpu;
        if (unified)
        {
            if (memory?.Limit is long limit and not 0) properties.Add(new("MemoryMax", Limit(limit)));
            if (memory?.Reservation is long low and not 0) properties.Add(new("MemoryLow", Limit(low)));
            if (memory?.Swap is long swap and not 0)
            {
                long swapMax = CgroupConversions.MemorySwapToV2(swap, memory.Limit ?? 0);
                if (swapMax != 0) properties.Add(new("MemorySwapMax", Limit(swapMax)));
            }
            if (cpu?.Shares is ulong shares and not 0) properties.Add(new("CPUWeight", CgroupConversions.CpuSharesToWeight(shares)));
        }
        else
        {
            if (memory?.Limit is long limit and not 0) properties.Add(new("MemoryLimit", Limit(limit)));
            if (cpu?.Shares is ulong shares and not 0) properties.Add(new("CPUShares", shares));
        }
        CpuQuota(properties, cpu?.Quota ?? 0, cpu?.Period ?? 0, systemdVersion);
        if (!unified && resources.BlockIO?.Weight is ushort weight and not 0) properties.Add(new("BlockIOWeight", (ulong)weight));
        if (resources.Pids?.Limit is long pids && (pids > 0 || pids == -1)) properties.Add(new("TasksMax", Limit(pids)));
        // AllowedCPUs and AllowedMemoryNodes exist since systemd 244.
        if (systemdVersion >= 244)
        {
            if (!string.IsNullOrEmpty(cpu?.Cpus)) properties.Add(new("AllowedCPUs", RangeToBits(cpu.Cpus, "linux.resources.cpu.cpus")));
            if (!string.IsNullOrEmpty(cpu?.Mems)) properties.Add(new("AllowedMemoryNodes", RangeToBits(cpu.Mems, "linux.resources.cpu.mems")));
        }
        return properties;
    }

    /// <summary>-1 (unlimited) is systemd's infinity.</summary>
    static ulong Limit(long value) => value < 0 ? Infinity : (ulong)value;

    /// <summary>CPUQuotaPeriodUSec (systemd 242 and later) and CPUQuotaPerSecUSec: quota per second of CPU time,
    /// rounded up to whole percents (10 ms) since systemd keeps it as a percentage, so that the container gets at
    /// least the quota it asked for (runc's addCpuQuota).</summary>
    static void CpuQuota(List<UnitProperty> properties, long quota, ulong period, int systemdVersion)
    {
        if (period != 0 && systemdVersion >= 242) properties.Add(new("CPUQuotaPeriodUSec", period));
        if (quota == 0 && period == 0) return;
        ulong perSecond = Infinity;
        if (quota > 0)
        {
            if (period == 0) period = DefaultCpuPeriod;
            perSecond = (ulong)quota * 1000000 / period;
            if (perSecond % 10000 != 0) perSecond = (perSecond / 10000 + 1) * 10000;
        }
        properties.Add(new("CPUQuotaPerSecUSec", perSecond));
    }

    /// <summary>A cpuset list ("0-2,4") as systemd's bitmask: byte 0 holds CPUs 0-7, bit i of it CPU i (runc's
    /// RangeToBits).</summary>
    public static byte[] RangeToBits(string list, string field)
    {
        var bits = new List<byte>();
        foreach (var part in list.Split(','))
        {
            string item = part.Trim();
            var range = item.Split('-');
            if (range.Length is < 1 or > 2 || !uint.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint from) ||
                !uint.TryParse(range[^1], NumberStyles.None, CultureInfo.InvariantCulture, out uint to) || to < from || to > 65535)
                throw new SpecValidationException(field, $"\"{list}\" is not a list of numbers and ranges");
            for (uint i = from; i <= to; i++)
            {
                while (bits.Count <= i / 8) bits.Add(0);
                bits[(int)(i / 8)] |= (byte)(1 << (int)(i % 8));
            }
        }
        return [.. bits];
    }

    /// <summary>The device rules as DevicePolicy and DeviceAllow (runc's generateDeviceProperties): systemd knows
    /// only allow lists, so an allow list maps entry by entry, "allow everything" is DevicePolicy=auto, and any
    /// other deny list becomes deny-all on the unit (with a warning) while the cgroup files get the real rules.</summary>
    static List<UnitProperty> Devices(IReadOnlyList<LinuxDeviceCgroup>? devices, Action<string>? warn)
    {
        var set = ContainerDeviceRules.For(devices);
        if (set.DefaultAllow)
        {
            if (set.Exceptions.Count == 0)
                return [new("DevicePolicy", "auto"), new("DeviceAllow", Array.Empty<DeviceAllow>())];
            warn?.Invoke("systemd does not take deny-list device rules: the unit gets deny-all, the cgroup the rules");
            return [new("DevicePolicy", "strict"), new("DeviceAllow", Array.Empty<DeviceAllow>())];
        }
        var entries = new List<DeviceAllow>();
        foreach (var rule in set.Exceptions)
        {
            string access = DeviceRule.AccessString(rule.Access);
            var kinds = rule.Type == 'a' ? new[] { ("char", 'c'), ("block", 'b') } : [(rule.Type == 'c' ? "char" : "block", rule.Type)];
            foreach (var (kind, _) in kinds)
            {
                if (rule.Major == DeviceRule.Wildcard) entries.Add(new($"{kind}-*", access));
                else if (rule.Minor == DeviceRule.Wildcard)
                {
                    // systemd names a whole major by its driver's name in /proc/devices.
                    if (DriverName(kind, rule.Major) is { } driver) entries.Add(new($"{kind}-{driver}", access));
                    else warn?.Invoke($"systemd: no {kind} driver with major {rule.Major} in /proc/devices; the rule {rule.CgroupString()} is set on the cgroup only");
                }
                else entries.Add(new(FormattableString.Invariant($"/dev/{kind}/{rule.Major}:{rule.Minor}"), access));
            }
        }
        return [new("DevicePolicy", "strict"), new("DeviceAllow", entries.ToArray())];
    }

    /// <summary>The driver of a major number in /proc/devices ("Character devices:" or "Block devices:").</summary>
    static string? DriverName(string kind, long major)
    {
        string? text = Interop.Sys.TryReadText("/proc/devices");
        if (text is null) return null;
        bool inSection = false;
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.EndsWith("devices:", StringComparison.Ordinal)) { inSection = line.StartsWith(kind == "char" ? "Character" : "Block", StringComparison.Ordinal); continue; }
            if (!inSection) continue;
            var fields = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long m) && m == major)
                return fields[1];
        }
        return null;
    }
}
