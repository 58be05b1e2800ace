using System.Globalization;
using System.Text.RegularExpressions;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Cgroups;

/// <summary>What <c>update</c> does with a new set of resources: merged over the container's current ones (a
/// field given replaces the current value, a field absent keeps it), with runc's fix-ups.</summary>
public static partial class ResourceUpdate
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

    /// <summary>The update flags runc takes, by name (without dashes).</summary>
    public static readonly IReadOnlyList<string> FlagNames =
    [
        "memory", "memory-reservation", "memory-swap", "kernel-memory", "kernel-memory-tcp", "cpu-share", "cpu-quota",
        "cpu-period", "cpu-rt-runtime", "cpu-rt-period", "cpuset-cpus", "cpuset-mems", "pids-limit", "blkio-weight",
        "l3-cache-schema", "mem-bw-schema",
    ];

    /// <summary>A <c>--resources</c> document (a LinuxResources object; absent fields stay unchanged).</summary>
    /// <exception cref="OciException">The document is malformed, null, or a value has the wrong type; the message
    /// names the value's path.</exception>
    public static LinuxResources Parse(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return SpecReader.ReadResources(utf8Json);
        }
        catch (SpecValidationException e)
        {
            throw new OciException($"--resources: {e.Message}", e);
        }
    }

    /// <summary>The resources runc's update flags ask for (flag name without dashes to its value; flags absent
    /// stay unchanged). Intel RDT schemas are not cgroup resources and are refused here.</summary>
    public static LinuxResources FromFlags(IReadOnlyDictionary<string, string> flags)
    {
        var r = new LinuxResources();
        LinuxMemory Memory() => r.Memory ??= new LinuxMemory();
        LinuxCPU Cpu() => r.Cpu ??= new LinuxCPU();
        foreach (var (name, value) in flags)
        {
            switch (name)
            {
                case "memory": Memory().Limit = ParseBytes(value, name); break;
                case "memory-reservation": Memory().Reservation = ParseBytes(value, name); break;
                case "memory-swap": Memory().Swap = ParseBytes(value, name); break;
                case "kernel-memory": Memory().Kernel = ParseBytes(value, name); break;
                case "kernel-memory-tcp": Memory().KernelTcp = ParseBytes(value, name); break;
                case "cpu-share" or "cpu-shares": Cpu().Shares = ParseUnsigned(value, name); break;
                case "cpu-period": Cpu().Period = ParseUnsigned(value, name); break;
                case "cpu-rt-period": Cpu().RealtimePeriod = ParseUnsigned(value, name); break;
                case "cpu-quota": Cpu().Quota = ParseSigned(value, name); break;
                case "cpu-rt-runtime": Cpu().RealtimeRuntime = ParseSigned(value, name); break;
                case "cpuset-cpus": Cpu().Cpus = value; break;
                case "cpuset-mems": Cpu().Mems = value; break;
                case "pids-limit": r.Pids = new LinuxPids { Limit = ParseSigned(value, name) }; break;
                case "blkio-weight":
                    ulong weight = ParseUnsigned(value, name);
                    if (weight > ushort.MaxValue) throw new ArgumentException($"invalid value \"{value}\" for flag --{name}: out of range");
                    r.BlockIO = new LinuxBlockIO { Weight = (ushort)weight };
                    break;
                case "l3-cache-schema" or "mem-bw-schema":
                    throw new OciException($"--{name}: Intel RDT is not supported by this runtime");
                default:
                    throw new ArgumentException($"flag provided but not defined: -{name}");
            }
        }
        return r;
    }

    static ulong ParseUnsigned(string text, string flag) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ArgumentException($"invalid value \"{text}\" for flag --{flag}: parse error");

    static long ParseSigned(string text, string flag) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ArgumentException($"invalid value \"{text}\" for flag --{flag}: parse error");

    /// <summary>A byte size as runc's flags take it (docker's units.RAMInBytes): "512", "64k", "1.5g", "100MiB";
    /// "-1" is unlimited.</summary>
    public static long ParseBytes(string text, string flag)
    {
        if (text == "-1") return -1;
        var match = SizePattern().Match(text);
        if (!match.Success)
            throw new ArgumentException($"invalid value \"{text}\" for flag --{flag}: invalid size: '{text}'");
        double value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        long multiplier = match.Groups[2].Value.ToLowerInvariant() switch
        {
            "k" => 1L << 10,
            "m" => 1L << 20,
            "g" => 1L << 30,
            "t" => 1L << 40,
            "p" => 1L << 50,
            _ => 1,
        };
        return (long)(value * multiplier);
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$")]
    private static partial Regex SizePattern();
}
