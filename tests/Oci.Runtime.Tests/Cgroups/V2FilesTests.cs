using Oci.Runtime.Cgroups;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Cgroups;

/// <summary>
/// The cgroup v2 values of every resource, written into a plain directory laid out like a cgroup2 cgroup (this
/// host's cgroup2 hierarchy has no controller but hugetlb, so memory, cpu, io, pids and rdma cannot be written for
/// real). Every value written to a file is kept, one after the other, so per-line files (io.max, rdma.max) show all
/// their lines.
/// </summary>
public sealed class V2FilesTests : IDisposable
{
    static readonly string[] Files =
    [
        "pids.max", "memory.max", "memory.swap.max", "memory.low", "memory.high", "memory.current", "cpu.weight", "cpu.max",
        "cpu.max.burst", "cpu.idle", "cpuset.cpus", "cpuset.mems", "io.weight", "io.max", "hugetlb.2MB.max",
        "hugetlb.2MB.rsvd.max", "hugetlb.1GB.max", "hugetlb.1GB.rsvd.max", "rdma.max",
    ];

    readonly string dir = Path.Combine(Path.GetTempPath(), "oci-run-v2files-" + Guid.NewGuid().ToString("N")[..8]);

    public V2FilesTests()
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma\n");
        foreach (var file in Files) File.WriteAllText(Path.Combine(dir, file), "");
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Read(string file) => File.ReadAllText(Path.Combine(dir, file));

    void Apply(LinuxResources r, bool update = false, List<string>? warnings = null) =>
        V2Resources.Apply(dir, r, new ResourceApplyOptions { IsUpdate = update, Warn = warnings is null ? null : warnings.Add });

    [Fact]
    public void V2FilesInACgroup2LikeDirectory_EveryResourceConverted()
    {
        var warnings = new List<string>();
        Apply(new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 256 << 20, Swap = 384 << 20, Reservation = 128 << 20, Kernel = 1 << 20 },
            Cpu = new LinuxCPU { Shares = 1024, Quota = 50000, Period = 100000, Burst = 10000, Idle = 0, Cpus = "0-1", Mems = "0" },
            Pids = new LinuxPids { Limit = 64 },
            BlockIO = new LinuxBlockIO
            {
                Weight = 500,
                ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 254, Minor = 0, Rate = 1048576 }],
                ThrottleWriteIOPSDevice = [new LinuxThrottleDevice { Major = 254, Minor = 0, Rate = 100 }],
            },
            HugepageLimits = [new LinuxHugepageLimit { PageSize = "2MB", Limit = 4 << 21 }],
            Rdma = new Dictionary<string, LinuxRdma> { ["mlx5_1"] = new LinuxRdma { HcaHandles = 3, HcaObjects = 10000 } },
            Unified = new Dictionary<string, string> { ["memory.high"] = "200000000" },
        }, warnings: warnings);
        Assert.Equal("268435456", Read("memory.max"));
        Assert.Equal("134217728", Read("memory.swap.max")); // swap - limit
        Assert.Equal("134217728", Read("memory.low"));
        Assert.Equal("39", Read("cpu.weight")); // 1 + (1024-2)*9999/262142
        Assert.Equal("50000 100000", Read("cpu.max"));
        Assert.Equal("10000", Read("cpu.max.burst"));
        Assert.Equal("0", Read("cpu.idle"));
        Assert.Equal("0-1", Read("cpuset.cpus"));
        Assert.Equal("0", Read("cpuset.mems"));
        Assert.Equal("64", Read("pids.max"));
        Assert.Equal((1 + 490 * 9999 / 990).ToString(), Read("io.weight"));
        Assert.Equal("254:0 rbps=1048576254:0 wiops=100", Read("io.max"));
        Assert.Equal("8388608", Read("hugetlb.2MB.max"));
        Assert.Equal("8388608", Read("hugetlb.2MB.rsvd.max"));
        Assert.Equal("mlx5_1 hca_handle=3 hca_object=10000", Read("rdma.max"));
        Assert.Equal("200000000", Read("memory.high"));
        Assert.Contains(warnings, w => w.Contains("Kernel memory settings are ignored"));
    }

    [Fact]
    public void V2FilesInACgroup2LikeDirectory_UnlimitedValuesAreMax()
    {
        Apply(new LinuxResources
        {
            Memory = new LinuxMemory { Limit = -1 },
            Cpu = new LinuxCPU { Quota = -1 },
            Pids = new LinuxPids { Limit = -1 },
        });
        Assert.Equal("max", Read("memory.max"));
        Assert.Equal("max", Read("memory.swap.max")); // unlimited memory, swap not set
        Assert.Equal("max 100000", Read("cpu.max"));
        Assert.Equal("max", Read("pids.max"));
    }

    [Fact]
    public void V2FilesInACgroup2LikeDirectory_SwapEqualToLimitDisablesSwap()
    {
        Apply(new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20, Swap = 64 << 20 } });
        Assert.Equal("0", Read("memory.swap.max"));
    }

    [Theory]
    [InlineData("swappiness", "linux.resources.memory.swappiness")]
    [InlineData("oom", "linux.resources.memory.disableOOMKiller")]
    [InlineData("rt", "linux.resources.cpu.realtimeRuntime")]
    [InlineData("classid", "linux.resources.network.classID")]
    [InlineData("leaf", "linux.resources.blockIO.leafWeight")]
    [InlineData("swap", "linux.resources.memory.swap")]
    [InlineData("unified", "linux.resources.unified[\"memory.oom.group\"]")]
    public void V2FilesInACgroup2LikeDirectory_WhatV2CannotApplyIsAnErrorNamingTheField(string what, string field)
    {
        var r = what switch
        {
            "swappiness" => new LinuxResources { Memory = new LinuxMemory { Swappiness = 10 } },
            "oom" => new LinuxResources { Memory = new LinuxMemory { DisableOomKiller = true } },
            "rt" => new LinuxResources { Cpu = new LinuxCPU { RealtimeRuntime = 1000 } },
            "classid" => new LinuxResources { Network = new LinuxNetwork { ClassId = 0x100001 } },
            "leaf" => new LinuxResources { BlockIO = new LinuxBlockIO { LeafWeight = 100 } },
            "swap" => new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20, Swap = 32 << 20 } },
            _ => new LinuxResources { Unified = new Dictionary<string, string> { ["memory.oom.group"] = "1" } },
        };
        var e = Assert.Throws<CgroupResourceException>(() => Apply(r));
        Assert.Equal(field, e.Field);
        Assert.StartsWith(field + ": ", e.Message);
    }

    [Fact]
    public void V2FilesInACgroup2LikeDirectory_MissingControllerIsNamed()
    {
        File.WriteAllText(Path.Combine(dir, "cgroup.controllers"), "hugetlb\n");
        File.Delete(Path.Combine(dir, "pids.max"));
        var e = Assert.Throws<CgroupResourceException>(() => Apply(new LinuxResources { Pids = new LinuxPids { Limit = 5 } }));
        Assert.Equal("linux.resources.pids.limit", e.Field);
        Assert.Contains("pids controller is not enabled", e.Message);
    }

    [Fact]
    public void V2FilesInACgroup2LikeDirectory_CheckBeforeUpdateRefusesALimitBelowUsage()
    {
        File.WriteAllText(Path.Combine(dir, "memory.current"), "104857600\n");
        var e = Assert.Throws<CgroupResourceException>(() =>
            Apply(new LinuxResources { Memory = new LinuxMemory { Limit = 50 << 20, CheckBeforeUpdate = true } }, update: true));
        Assert.Equal("linux.resources.memory.limit", e.Field);
        Assert.Equal("", Read("memory.max"));
        Apply(new LinuxResources { Memory = new LinuxMemory { Limit = 200 << 20, CheckBeforeUpdate = true } }, update: true);
        Assert.Equal((200 << 20).ToString(), Read("memory.max"));
    }

    [Fact]
    public void UnifiedKeysMustBeFileNames()
    {
        var e = Assert.Throws<CgroupResourceException>(() =>
            Apply(new LinuxResources { Unified = new Dictionary<string, string> { ["../escape"] = "1" } }));
        Assert.Contains("unified", e.Field);
    }

    [Fact]
    public void CpuListsAndPageSizes()
    {
        Assert.Equal([0, 1, 2, 3, 7], CgroupStatsReader.ParseCpuList("0-3,7\n")!.Select(i => (int)i));
        Assert.Equal("2MB", CgroupStatsReader.PageSizeName(2 << 20));
        Assert.Equal("1GB", CgroupStatsReader.PageSizeName(1 << 30));
        Assert.Equal("64KB", CgroupStatsReader.PageSizeName(64 << 10));
    }
}
