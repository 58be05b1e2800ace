using System.Text.Json.Nodes;
using Oci.Runtime.Cgroups;
using Oci.Runtime.Spec;
using Xunit;
using static Oci.Runtime.Tests.Integration.Cgroups.CgroupHost;

namespace Oci.Runtime.Tests.Integration.Cgroups;

/// <summary>
/// Real containers on a pure cgroup2 host: oci-run runs in a mount namespace whose /sys/fs/cgroup is the cgroup2
/// hierarchy (see <see cref="Cgroup2Runtime"/>). The same hierarchy shows as /sys/fs/cgroup/unified outside, where
/// these tests look at the files.
/// </summary>
public class Cgroup2Tests
{
    static string Unified(string id) => Dir("unified", id);

    [ContainerFact]
    public void Cgroup2_DeviceProgramRefusesAndAllowsRealDeviceOpens()
    {
        using var h = new OciRunHarness();
        using var v2 = new Cgroup2Runtime(h);
        var spec = WithMknod(OciRunHarness.NewSpec("sh", "-c", DeviceProbe));
        var denied = v2.RunContainer(spec);
        Assert.True(denied.ExitCode == 0, denied.ToString());
        Assert.DoesNotContain("read-ok", denied.Stdout);
        Assert.DoesNotContain("write-ok", denied.Stdout);
        Assert.Contains("null-ok", denied.Stdout); // runc's default devices stay allowed
        Assert.Contains("Operation not permitted", denied.Stderr);

        Resources(spec).Devices!.Add(new LinuxDeviceCgroup { Allow = true, Type = "c", Major = FuseMajor, Minor = FuseMinor, Access = "r" });
        var readOnly = v2.RunContainer(spec);
        Assert.Contains("read-ok", readOnly.Stdout);
        Assert.DoesNotContain("write-ok", readOnly.Stdout);

        // A deny list: everything but the denied write.
        Resources(spec).Devices = [new LinuxDeviceCgroup { Allow = true, Access = "rwm" }, new LinuxDeviceCgroup { Allow = false, Type = "c", Major = FuseMajor, Minor = FuseMinor, Access = "w" }];
        var denyList = v2.RunContainer(spec);
        Assert.Contains("read-ok", denyList.Stdout);
        Assert.DoesNotContain("write-ok", denyList.Stdout);
    }

    [ContainerFact]
    public void Cgroup2_UpdateReplacesTheDeviceProgram()
    {
        using var h = new OciRunHarness();
        using var v2 = new Cgroup2Runtime(h);
        string id = v2.Create(OciRunHarness.NewSpec("sleep", "100"));
        Assert.Equal(1, BpfDeviceFilter.AttachedCount(Unified(id)));
        var update = v2.RunWithInput("""{"devices":[{"allow":true,"access":"rwm"}]}""", "update", "-r", "-", id);
        Assert.True(update.ExitCode == 0, update.ToString());
        Assert.Equal(1, BpfDeviceFilter.AttachedCount(Unified(id)));
        // An update without device rules leaves the program alone.
        var other = v2.RunWithInput("""{"hugepageLimits":[{"pageSize":"2MB","limit":2097152}]}""", "update", "-r", "-", id);
        Assert.True(other.ExitCode == 0, other.ToString());
        Assert.Equal(1, BpfDeviceFilter.AttachedCount(Unified(id)));
        Assert.Equal(0, v2.Run("delete", "--force", id).ExitCode);
        Assert.Empty(Leftovers(id));
    }

    [ContainerFact]
    public void Cgroup2_PauseResumeAndKillAll()
    {
        using var h = new OciRunHarness();
        using var v2 = new Cgroup2Runtime(h);
        string id = v2.Create(OciRunHarness.NewSpec("sh", "-c", "sleep 100 & sleep 100 & wait"));
        Assert.Equal(0, v2.Run("start", id).ExitCode);
        Assert.Equal(0, v2.Run("pause", id).ExitCode);
        Assert.Equal("paused", v2.Status(id));
        Assert.Equal("1", Read("unified", id, "cgroup.freeze"));
        Assert.Contains("frozen 1", File.ReadAllLines(Path.Combine(Unified(id), "cgroup.events")));
        Assert.Equal(0, v2.Run("resume", id).ExitCode);
        Assert.Equal("running", v2.Status(id));
        Assert.Contains("frozen 0", File.ReadAllLines(Path.Combine(Unified(id), "cgroup.events")));

        List<int> pids = [];
        Assert.True(OciRunHarness.Eventually(() =>
        {
            pids = JsonNode.Parse(v2.Run("ps", "--format", "json", id).Stdout)!.AsArray().Select(n => (int)n!).ToList();
            return pids.Count == 3;
        }));
        // Paused, then killed: cgroup.kill reaches frozen processes too.
        Assert.Equal(0, v2.Run("pause", id).ExitCode);
        Assert.Equal(0, v2.Run("kill", "--all", id, "KILL").ExitCode);
        Assert.True(OciRunHarness.Eventually(() => File.ReadAllText(Path.Combine(Unified(id), "cgroup.procs")).Trim().Length == 0));
        Assert.True(OciRunHarness.Eventually(() => v2.Status(id) == "stopped"));
        Assert.Equal(0, v2.Run("delete", id).ExitCode);
        Assert.Empty(Leftovers(id));
    }

    [ContainerFact]
    public void Cgroup2_HugetlbUnifiedAndStatsForReal()
    {
        using var h = new OciRunHarness();
        using var v2 = new Cgroup2Runtime(h);
        var spec = OciRunHarness.NewSpec("sleep", "100");
        Resources(spec).HugepageLimits = [new LinuxHugepageLimit { PageSize = "2MB", Limit = 8 << 20 }];
        Resources(spec).Unified = new Dictionary<string, string> { ["hugetlb.1GB.max"] = "1073741824" };
        string id = v2.Create(spec);
        Assert.Equal("8388608", Read("unified", id, "hugetlb.2MB.max"));
        Assert.Equal("8388608", Read("unified", id, "hugetlb.2MB.rsvd.max"));
        Assert.Equal("1073741824", Read("unified", id, "hugetlb.1GB.max"));

        var update = v2.RunWithInput("""{"hugepageLimits":[{"pageSize":"2MB","limit":4194304}]}""", "update", "-r", "-", id);
        Assert.True(update.ExitCode == 0, update.ToString());
        Assert.Equal("4194304", Read("unified", id, "hugetlb.2MB.max"));

        var stats = v2.Run("events", "--stats", id);
        Assert.Equal(0, stats.ExitCode);
        var e = JsonNode.Parse(stats.Stdout)!;
        Assert.Equal("stats", (string)e["type"]!);
        Assert.NotNull(e["data"]!["hugetlb"]!["2MB"]);
        Assert.True((ulong)e["data"]!["cpu"]!["usage"]!["total"]! > 0);
        Assert.Equal(0, v2.Run("delete", "--force", id).ExitCode);
        Assert.Empty(Leftovers(id));
    }

    [ContainerFact]
    public void Cgroup2_ControllerNotAvailableFailsCreateNamingTheFieldAndLeavesNoCgroup()
    {
        using var h = new OciRunHarness();
        using var v2 = new Cgroup2Runtime(h);
        foreach (var (configure, field) in new (Action<LinuxResources>, string)[]
                 {
                     (r => r.Pids = new LinuxPids { Limit = 10 }, "linux.resources.pids.limit"), // pids is bound to v1 here
                     (r => r.Memory = new LinuxMemory { Limit = 64 << 20 }, "linux.resources.memory.limit"),
                     (r => r.Cpu = new LinuxCPU { Shares = 512 }, "linux.resources.cpu.shares"),
                     (r => r.Memory = new LinuxMemory { Swappiness = 10 }, "linux.resources.memory.swappiness"),
                     (r => r.Network = new LinuxNetwork { ClassId = 1 }, "linux.resources.network.classID"),
                 })
        {
            var spec = OciRunHarness.NewSpec("sleep", "100");
            configure(Resources(spec));
            string id = v2.NewId();
            var result = v2.Run("create", "--bundle", h.WriteBundle(spec), id);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains(field + ":", result.Stderr);
            Assert.Empty(Leftovers(id));
        }
    }

    [ContainerFact]
    public void Cgroup2_NestedPathAndDeleteLeaveNoCgroup()
    {
        using var h = new OciRunHarness();
        using var v2 = new Cgroup2Runtime(h);
        string tag = "oci-run-v2-" + Guid.NewGuid().ToString("N")[..8];
        var spec = OciRunHarness.NewSpec("cat", "/proc/self/cgroup");
        spec.Linux!.CgroupsPath = $"/{tag}/inner";
        var result = v2.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("0::/", result.Stdout); // the cgroup namespace is rooted at the container's cgroup
        Assert.Empty(Leftovers(tag));
    }
}
