using Oci.Runtime.Cgroups;
using Xunit;

namespace Oci.Runtime.Tests.Cgroups;

/// <summary><c>exec --cgroup</c>'s values against the container's cgroup paths (no cgroup filesystem needed).</summary>
public sealed class SubCgroupsTests
{
    static readonly Dictionary<string, string> Hybrid = new()
    {
        ["cpu,cpuacct"] = "/sys/fs/cgroup/cpu,cpuacct/c1",
        ["pids"] = "/sys/fs/cgroup/pids/c1",
        ["name=systemd"] = "/sys/fs/cgroup/systemd/c1",
        [""] = "/sys/fs/cgroup/unified/c1",
    };

    [Fact]
    public void A_path_alone_applies_to_every_hierarchy()
    {
        var paths = SubCgroups.Resolve(Hybrid, CgroupLayout.Hybrid, ["a/b"]);
        Assert.All(Hybrid, p => Assert.Equal(p.Value + "/a/b", paths[p.Key]));
    }

    [Theory]
    [InlineData("/")]
    [InlineData(".")]
    [InlineData("a/..")]
    public void The_containers_own_cgroup_is_allowed(string value)
    {
        var paths = SubCgroups.Resolve(Hybrid, CgroupLayout.Hybrid, [value]);
        Assert.Equal(Hybrid, paths);
    }

    [Fact]
    public void Controllers_name_their_hierarchy_and_the_rest_stay()
    {
        var paths = SubCgroups.Resolve(Hybrid, CgroupLayout.Hybrid, ["cpu:x", "pids,name=systemd:y"]);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct/c1/x", paths["cpu,cpuacct"]);
        Assert.Equal("/sys/fs/cgroup/pids/c1/y", paths["pids"]);
        Assert.Equal("/sys/fs/cgroup/systemd/c1/y", paths["name=systemd"]);
        Assert.Equal("/sys/fs/cgroup/unified/c1", paths[""]);
        // Two controllers of one hierarchy may name it twice with the same path.
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct/c1/x", SubCgroups.Resolve(Hybrid, CgroupLayout.Hybrid, ["cpu:x", "cpuacct:x"])["cpu,cpuacct"]);
    }

    [Theory]
    [InlineData("..", "not a sub-cgroup")]
    [InlineData("../c2", "not a sub-cgroup")]
    [InlineData("a/../../c1x", "not a sub-cgroup")]
    [InlineData("pids:../x", "not a sub-cgroup")]
    [InlineData("a:b:c", "more than one ':'")]
    [InlineData(":x", "empty controller name")]
    [InlineData("memory:x", "no cgroup for controller memory")]
    public void Bad_values_are_refused_by_name(string value, string why)
    {
        var e = Assert.Throws<OciException>(() => SubCgroups.Resolve(Hybrid, CgroupLayout.Hybrid, [value]));
        Assert.StartsWith("--cgroup \"", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Theory]
    [InlineData(new[] { "x", "pids:y" }, "each needs a CONTROLLER: prefix")]
    [InlineData(new[] { "pids:x", "pids:y" }, "controller pids is given more than once")]
    [InlineData(new[] { "cpu:x", "cpuacct:y" }, "different sub-cgroups")]
    public void Conflicting_values_are_refused(string[] values, string why)
    {
        var e = Assert.Throws<OciException>(() => SubCgroups.Resolve(Hybrid, CgroupLayout.Hybrid, values));
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void A_cgroup2_host_takes_no_controller()
    {
        var unified = new Dictionary<string, string> { [""] = "/sys/fs/cgroup/c1" };
        Assert.Equal("/sys/fs/cgroup/c1/s", SubCgroups.Resolve(unified, CgroupLayout.Unified, ["s"])[""]);
        var e = Assert.Throws<OciException>(() => SubCgroups.Resolve(unified, CgroupLayout.Unified, ["memory:s"]));
        Assert.Contains("without a controller", e.Message);
    }
}
