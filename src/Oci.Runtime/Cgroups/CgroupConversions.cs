using System.Globalization;

namespace Oci.Runtime.Cgroups;

/// <summary>
/// The conversions between cgroup v1 values (the spec's units) and cgroup v2 interface values, exactly as runc's
/// libcontainer/cgroups does them, so that a config means the same on every layout.
/// </summary>
internal static class CgroupConversions
{
    /// <summary>v1 <c>cpu.shares</c> bounds the kernel accepts (it clamps outside them).</summary>
    public const ulong MinShares = 2, MaxShares = 262144;

    /// <summary>v2 <c>cpu.weight</c> bounds.</summary>
    public const ulong MinWeight = 1, MaxWeight = 10000;

    /// <summary>cpu.shares to cpu.weight: <c>1 + ((shares - 2) * 9999) / 262142</c> (runc's
    /// ConvertCPUSharesToCgroupV2Value), mapping [2, 262144] onto [1, 10000]. 0 means "not set" and stays 0; shares
    /// outside the kernel's range are clamped to it first, as the kernel does for cpu.shares.</summary>
    public static ulong CpuSharesToWeight(ulong shares)
    {
        if (shares == 0) return 0;
        shares = Math.Clamp(shares, MinShares, MaxShares);
        return 1 + (shares - 2) * 9999 / 262142;
    }

    /// <summary>blkio weight (10..1000) to io.weight (1..10000): <c>1 + (weight - 10) * 9999 / 990</c> (runc's
    /// ConvertBlkIOToIOWeightValue). 0 means "not set" and stays 0.</summary>
    public static ulong BlkioWeightToIoWeight(ushort weight)
    {
        if (weight == 0) return 0;
        ulong w = Math.Clamp((ulong)weight, 10, 1000);
        return 1 + (w - 10) * 9999 / 990;
    }

    /// <summary>
    /// The v2 <c>memory.swap.max</c> value for the spec's <paramref name="swap"/> (memory+swap, as on v1) and
    /// <paramref name="limit"/> (runc's ConvertMemorySwapToCgroupV2Value): swap - limit; -1 (unlimited) and 0 (not
    /// set) pass through; an unlimited memory with swap not set means unlimited swap too.
    /// </summary>
    /// <exception cref="ArgumentException">swap set without a memory limit, or smaller than it.</exception>
    public static long MemorySwapToV2(long swap, long limit)
    {
        if (limit == -1 && swap == 0) return -1;
        if (swap == -1 || swap == 0) return swap;
        if (limit == 0 || limit == -1) throw new ArgumentException("unable to set swap limit without memory limit");
        if (limit < 0) throw new ArgumentException($"invalid memory value: {limit}");
        if (swap < limit) throw new ArgumentException("memory+swap limit should be >= memory limit");
        return swap - limit;
    }

    /// <summary>The inverse of <see cref="MemorySwapToV2"/> for reading v2 back in v1 terms: memory + swap, with
    /// "max" (-1) staying unlimited.</summary>
    public static long MemorySwapFromV2(long swapMax, long limit) =>
        swapMax == -1 || limit == -1 ? -1 : swapMax + limit;

    /// <summary>A v2 <c>.max</c>/<c>.low</c> style value: -1 is "max", 0 is "not set" (null), else the number
    /// (runc's numToStr).</summary>
    public static string? V2Number(long value) => value switch
    {
        0 => null,
        -1 => "max",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The v2 <c>cpu.max</c> line for a quota and period (runc's setCpu): "max" for no positive quota, and
    /// the period defaulting to the kernel's 100000 µs. Null when neither is set.</summary>
    public static string? CpuMax(long? quota, ulong? period)
    {
        long q = quota ?? 0;
        ulong p = period ?? 0;
        if (q == 0 && p == 0) return null;
        string text = q > 0 ? q.ToString(CultureInfo.InvariantCulture) : "max";
        return text + " " + (p == 0 ? 100000 : p).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The pids.max value: a limit of 0 or more as is, a negative one "max"; null for not set.
    /// config-linux.md: 0 "is a valid limit value for the pids cgroup controller from the kernel's perspective and
    /// SHOULD be treated as such by runtimes" (runc 1.1 took it for "not set").</summary>
    public static string? PidsMax(long? limit) => limit switch
    {
        null => null,
        < 0 => "max",
        _ => limit.Value.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Parses a v2 number file value ("max" is -1).</summary>
    public static long ParseV2Number(string text)
    {
        text = text.Trim();
        return text == "max" ? -1 : long.Parse(text, CultureInfo.InvariantCulture);
    }
}
