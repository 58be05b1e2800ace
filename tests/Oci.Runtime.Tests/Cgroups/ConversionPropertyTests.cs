using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Oci.Runtime.Cgroups;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Cgroups;

/// <summary>The v1 → v2 value conversions are runc's, exactly, over their whole input ranges.</summary>
public class ConversionPropertyTests
{
    static readonly Gen<ulong> Shares = Gen.Choose(2, 262144).Select(i => (ulong)i);
    static readonly Gen<ushort> BlkioWeights = Gen.Choose(10, 1000).Select(i => (ushort)i);

    [Property(MaxTest = 1000)]
    public Property CpuSharesToWeightIsRuncsFormula() =>
        Prop.ForAll(Shares.ToArbitrary(), shares => CgroupConversions.CpuSharesToWeight(shares) == 1 + (shares - 2) * 9999 / 262142);

    [Property(MaxTest = 1000)]
    public Property CpuWeightStaysInV2RangeAndIsMonotonic() =>
        Prop.ForAll(Shares.ToArbitrary(), Shares.ToArbitrary(), (a, b) =>
        {
            ulong wa = CgroupConversions.CpuSharesToWeight(a), wb = CgroupConversions.CpuSharesToWeight(b);
            return wa is >= 1 and <= 10000 && wb is >= 1 and <= 10000 && (a <= b ? wa <= wb : wa >= wb);
        });

    [Fact]
    public void CpuSharesKnownValues()
    {
        Assert.Equal(0UL, CgroupConversions.CpuSharesToWeight(0)); // not set
        Assert.Equal(1UL, CgroupConversions.CpuSharesToWeight(2));
        Assert.Equal(39UL, CgroupConversions.CpuSharesToWeight(1024)); // the v1 default maps near v2's default 100
        Assert.Equal(10000UL, CgroupConversions.CpuSharesToWeight(262144));
        // Outside the kernel's range shares are clamped as the kernel clamps cpu.shares.
        Assert.Equal(1UL, CgroupConversions.CpuSharesToWeight(1));
        Assert.Equal(10000UL, CgroupConversions.CpuSharesToWeight(1_000_000));
    }

    [Property(MaxTest = 1000)]
    public Property BlkioWeightToIoWeightIsRuncsFormula() =>
        Prop.ForAll(BlkioWeights.ToArbitrary(), w =>
        {
            ulong io = CgroupConversions.BlkioWeightToIoWeight(w);
            return io == 1 + ((ulong)w - 10) * 9999 / 990 && io is >= 1 and <= 10000;
        });

    [Fact]
    public void BlkioWeightKnownValues()
    {
        Assert.Equal(0UL, CgroupConversions.BlkioWeightToIoWeight(0));
        Assert.Equal(1UL, CgroupConversions.BlkioWeightToIoWeight(10));
        Assert.Equal(10000UL, CgroupConversions.BlkioWeightToIoWeight(1000));
        Assert.Equal(1 + 490UL * 9999 / 990, CgroupConversions.BlkioWeightToIoWeight(500));
    }

    [Property(MaxTest = 1000)]
    public Property SwapConversionRoundTrips() =>
        Prop.ForAll(Gen.Choose(1, int.MaxValue).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (limit, extra) =>
        {
            long swap = (long)limit + extra;
            long v2 = CgroupConversions.MemorySwapToV2(swap, limit);
            return v2 == extra && CgroupConversions.MemorySwapFromV2(v2, limit) == swap;
        });

    [Property(MaxTest = 500)]
    public Property SwapBelowLimitIsRefused() =>
        Prop.ForAll(Gen.Choose(2, int.MaxValue).ToArbitrary(), limit =>
        {
            var e = Assert.Throws<ArgumentException>(() => CgroupConversions.MemorySwapToV2(limit - 1, limit));
            return e.Message.Contains("memory+swap limit should be >= memory limit");
        });

    [Fact]
    public void SwapSpecialValues()
    {
        Assert.Equal(-1, CgroupConversions.MemorySwapToV2(0, -1)); // unlimited memory, swap not set: unlimited swap
        Assert.Equal(-1, CgroupConversions.MemorySwapToV2(-1, 1 << 20));
        Assert.Equal(0, CgroupConversions.MemorySwapToV2(0, 1 << 20)); // not set
        Assert.Equal(0, CgroupConversions.MemorySwapToV2(1 << 20, 1 << 20)); // equal: no swap
        Assert.Throws<ArgumentException>(() => CgroupConversions.MemorySwapToV2(1 << 20, 0));
        Assert.Throws<ArgumentException>(() => CgroupConversions.MemorySwapToV2(1 << 20, -1));
    }

    [Property(MaxTest = 500)]
    public Property CpuMaxLine() =>
        Prop.ForAll(Gen.Choose(-1, 1_000_000).ToArbitrary(), Gen.Choose(0, 1_000_000).ToArbitrary(), (quota, period) =>
        {
            string? line = CgroupConversions.CpuMax(quota, (ulong)period);
            if (quota == 0 && period == 0) return line is null;
            string expected = (quota > 0 ? quota.ToString() : "max") + " " + (period == 0 ? 100000 : period);
            return line == expected;
        });

    [Fact]
    public void PidsAndNumbers()
    {
        Assert.Null(CgroupConversions.PidsMax(null));
        // config-linux.md: 0 is a valid limit and SHOULD be treated as such.
        Assert.Equal("0", CgroupConversions.PidsMax(0));
        Assert.Equal("max", CgroupConversions.PidsMax(-1));
        Assert.Equal("42", CgroupConversions.PidsMax(42));
        Assert.Null(CgroupConversions.V2Number(0));
        Assert.Equal("max", CgroupConversions.V2Number(-1));
        Assert.Equal(-1, CgroupConversions.ParseV2Number("max\n"));
        Assert.Equal(4096, CgroupConversions.ParseV2Number("4096\n"));
    }

    [Fact]
    public void ByteSizesAsRuncFlagsTakeThem()
    {
        Assert.Equal(-1, Oci.Cli.Commands.UpdateFlags.ParseBytes("-1", "memory"));
        Assert.Equal(512, Oci.Cli.Commands.UpdateFlags.ParseBytes("512", "memory"));
        Assert.Equal(64 << 10, Oci.Cli.Commands.UpdateFlags.ParseBytes("64k", "memory"));
        Assert.Equal(100L << 20, Oci.Cli.Commands.UpdateFlags.ParseBytes("100MiB", "memory"));
        Assert.Equal(3L << 29, Oci.Cli.Commands.UpdateFlags.ParseBytes("1.5g", "memory"));
        Assert.Throws<ArgumentException>(() => Oci.Cli.Commands.UpdateFlags.ParseBytes("lots", "memory"));
    }

    [Fact]
    public void UpdateMergesOverCurrentResources()
    {
        var current = new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 100 << 20, Swap = 200 << 20 },
            Cpu = new LinuxCPU { Shares = 512, Cpus = "0" },
            Pids = new LinuxPids { Limit = 10 },
        };
        var merged = ResourceUpdate.Merge(current, Oci.Cli.Commands.UpdateFlags.FromFlags(new Dictionary<string, string> { ["cpu-quota"] = "5000", ["pids-limit"] = "20" }));
        Assert.Equal(100 << 20, merged.Memory!.Limit);
        Assert.Equal(512UL, merged.Cpu!.Shares);
        Assert.Equal(5000, merged.Cpu.Quota);
        Assert.Equal("0", merged.Cpu.Cpus);
        Assert.Equal(20, merged.Pids!.Limit);
        // runc's fix-up: unlimited memory without a swap value clears the old swap limit.
        var unlimited = ResourceUpdate.Merge(current, Oci.Cli.Commands.UpdateFlags.FromFlags(new Dictionary<string, string> { ["memory"] = "-1" }));
        Assert.Equal(-1, unlimited.Memory!.Limit);
        Assert.Equal(0, unlimited.Memory.Swap);
    }
}
