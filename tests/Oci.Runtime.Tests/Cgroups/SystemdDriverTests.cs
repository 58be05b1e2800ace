using Oci.Runtime.Cgroups.Systemd;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Cgroups;

/// <summary>The systemd driver's naming and its mapping of resources to unit properties, as runc's.</summary>
public class SystemdDriverTests
{
    [Theory]
    [InlineData("-.slice", "/")]
    [InlineData("system.slice", "/system.slice")]
    [InlineData("kubepods-burstable-pod1.slice", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice")]
    public void SlicesExpandAsSystemdLaysThemOut(string slice, string path) =>
        Assert.Equal(path, SystemdUnitName.ExpandSlice(slice));

    [Theory]
    [InlineData("a--b.slice")]
    [InlineData("-a.slice")]
    [InlineData("a.scope")]
    [InlineData(".slice")]
    [InlineData("a/b.slice")]
    public void BadSlicesAreRefused(string slice) =>
        Assert.Contains("invalid slice name", Assert.Throws<SpecValidationException>(() => SystemdUnitName.ExpandSlice(slice)).Message);

    [Fact]
    public void CgroupsPathNamesTheScopeAndItsSlice()
    {
        var name = SystemdUnitName.Parse("kubepods-besteffort.slice:cri-containerd:abc", "id");
        Assert.Equal("kubepods-besteffort.slice", name.Slice);
        Assert.Equal("cri-containerd-abc.scope", name.Unit);
        Assert.Equal("/kubepods.slice/kubepods-besteffort.slice/cri-containerd-abc.scope", name.CgroupPath);
        Assert.Equal(new SystemdUnitName("system.slice", "oci-run-c1.scope"), SystemdUnitName.Parse(null, "c1"));
        Assert.Equal(new SystemdUnitName("system.slice", "p-n.scope"), SystemdUnitName.Parse(":p:n", "c1"));
        Assert.Equal(new SystemdUnitName("system.slice", "n.scope"), SystemdUnitName.Parse("system.slice::n", "c1"));
    }

    [Theory]
    [InlineData("/a/b")]
    [InlineData("a:b")]
    [InlineData("a.slice:b:c:d")]
    [InlineData("a.slice:p:")]
    [InlineData("a.slice:p:x/y")]
    public void OtherCgroupsPathsAreRefusedNamingTheField(string path)
    {
        var e = Assert.Throws<SpecValidationException>(() => SystemdUnitName.Parse(path, "c1"));
        Assert.Contains("linux.cgroupsPath", e.Message);
    }

    static Dictionary<string, object> Map(List<UnitProperty> properties) => properties.ToDictionary(p => p.Name, p => p.Value);

    static LinuxResources Resources() => new()
    {
        Memory = new LinuxMemory { Limit = 64 << 20, Reservation = 32 << 20, Swap = 128 << 20 },
        Cpu = new LinuxCPU { Shares = 512, Quota = 25000, Period = 100000, Cpus = "0-2,9", Mems = "0" },
        Pids = new LinuxPids { Limit = 50 },
        BlockIO = new LinuxBlockIO { Weight = 300 },
    };

    [Fact]
    public void V1ResourcesMapAsRuncsGenV1ResourcesProperties()
    {
        var p = Map(SystemdProperties.ForResources(Resources(), unified: false, 252, includeDevices: false));
        Assert.Equal(67108864UL, p["MemoryLimit"]);
        Assert.Equal(512UL, p["CPUShares"]);
        Assert.Equal(100000UL, p["CPUQuotaPeriodUSec"]);
        Assert.Equal(250000UL, p["CPUQuotaPerSecUSec"]);
        Assert.Equal(300UL, p["BlockIOWeight"]);
        Assert.Equal(50UL, p["TasksMax"]);
        Assert.Equal(new byte[] { 0x07, 0x02 }, p["AllowedCPUs"]);
        Assert.Equal(new byte[] { 0x01 }, p["AllowedMemoryNodes"]);
        Assert.False(p.ContainsKey("MemoryMax"));
        Assert.False(p.ContainsKey("DevicePolicy"));
    }

    [Fact]
    public void V2ResourcesMapAsRuncsGenV2ResourcesProperties()
    {
        var p = Map(SystemdProperties.ForResources(Resources(), unified: true, 252, includeDevices: false));
        Assert.Equal(67108864UL, p["MemoryMax"]);
        Assert.Equal(33554432UL, p["MemoryLow"]);
        Assert.Equal(67108864UL, p["MemorySwapMax"]);
        Assert.Equal(20UL, p["CPUWeight"]);
        Assert.Equal(250000UL, p["CPUQuotaPerSecUSec"]);
        Assert.Equal(50UL, p["TasksMax"]);
        Assert.False(p.ContainsKey("MemoryLimit"));
        Assert.False(p.ContainsKey("CPUShares"));
        Assert.False(p.ContainsKey("BlockIOWeight"));
    }

    [Theory]
    [InlineData(-1L, 0UL, ulong.MaxValue)]    // unlimited quota
    [InlineData(12345L, 0UL, 130000UL)]       // default period; 12.345% rounds up to 13%
    [InlineData(50000L, 200000UL, 250000UL)]
    public void CpuQuotaIsPerSecondRoundedUpToWholePercents(long quota, ulong period, ulong perSecond)
    {
        var p = Map(SystemdProperties.ForResources(new LinuxResources { Cpu = new LinuxCPU { Quota = quota, Period = period } },
            unified: true, 252, includeDevices: false));
        Assert.Equal(perSecond, p["CPUQuotaPerSecUSec"]);
    }

    [Fact]
    public void UnlimitedIsInfinityAndOldSystemdGetsNoNewerProperties()
    {
        var r = new LinuxResources { Memory = new LinuxMemory { Limit = -1 }, Pids = new LinuxPids { Limit = -1 }, Cpu = new LinuxCPU { Cpus = "1", Period = 50000 } };
        var p = Map(SystemdProperties.ForResources(r, unified: true, 241, includeDevices: false));
        Assert.Equal(ulong.MaxValue, p["MemoryMax"]);
        Assert.Equal(ulong.MaxValue, p["TasksMax"]);
        Assert.False(p.ContainsKey("AllowedCPUs"));
        Assert.False(p.ContainsKey("CPUQuotaPeriodUSec"));
    }

    [Fact]
    public void DeviceRulesAreAStrictAllowListWithTheDefaults()
    {
        var r = new LinuxResources
        {
            Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }, new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 10, Minor = 229, Access = "rw" }],
        };
        var p = Map(SystemdProperties.ForResources(r, unified: false, 252, includeDevices: true));
        Assert.Equal("strict", p["DevicePolicy"]);
        var allow = (DeviceAllow[])p["DeviceAllow"];
        Assert.Contains(new DeviceAllow("/dev/char/10:229", "rw"), allow);
        Assert.Contains(new DeviceAllow("/dev/char/1:3", "rwm"), allow);
        Assert.Contains(new DeviceAllow("char-*", "m"), allow);
        Assert.Contains(new DeviceAllow("block-*", "m"), allow);
    }

    [Fact]
    public void AllowAllDevicesIsDevicePolicyAuto()
    {
        var r = new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = true, Access = "rwm" }] };
        var p = Map(SystemdProperties.ForResources(r, unified: true, 252, includeDevices: true));
        Assert.Equal("auto", p["DevicePolicy"]);
        Assert.Empty((DeviceAllow[])p["DeviceAllow"]);
    }

    [Fact]
    public void BadCpuListsNameTheField() =>
        Assert.Contains("linux.resources.cpu.cpus", Assert.Throws<SpecValidationException>(() =>
            SystemdProperties.ForResources(new LinuxResources { Cpu = new LinuxCPU { Cpus = "1-x" } }, true, 252, false)).Message);
}
