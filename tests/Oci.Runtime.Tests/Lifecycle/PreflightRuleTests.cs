using Oci.Runtime.Lifecycle;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Lifecycle;

/// <summary>The checks of a valid config against what oci-run can enforce (<see cref="Preflight"/>): one test per
/// rule, each naming the field it refuses. No privileges needed: nothing is made.</summary>
public sealed class PreflightRuleTests
{
    /// <summary>oci-run's default config (with a console socket, for its terminal) on a rootfs that exists.</summary>
    static RuntimeSpec Spec()
    {
        var spec = DefaultSpec.Create();
        spec.Root!.Path = Path.GetTempPath();
        return spec;
    }

    static SpecValidationException Refused(RuntimeSpec spec) =>
        Assert.Throws<SpecValidationException>(() => ContainerPlan.For(spec, "/", hasConsoleSocket: true));

    static void Accepted(RuntimeSpec spec) => ContainerPlan.For(spec, "/", hasConsoleSocket: true);

    [Theory]
    [InlineData("uid", 4294967295u, "process.user.uid")]
    [InlineData("uid", 2147483648u, "process.user.uid")]
    [InlineData("gid", 4294967295u, "process.user.gid")]
    [InlineData("additionalGids", 4294967295u, "process.user.additionalGids[2]")]
    public void An_id_outside_0_to_2147483647_is_refused(string field, uint value, string path)
    {
        var spec = Spec();
        var user = spec.Process!.User;
        switch (field)
        {
            case "uid": user.Uid = value; break;
            case "gid": user.Gid = value; break;
            default: user.AdditionalGids = [1, 2, value]; break;
        }
        var e = Refused(spec);
        Assert.Equal(path, e.JsonPath);
        Assert.Equal($"{path}: {value} is out of range: uids and gids must be in range 0-2147483647", e.Message);
    }

    [Fact]
    public void The_largest_ids_in_range_are_accepted()
    {
        var spec = Spec();
        spec.Process!.User = new User { Uid = 2147483647, Gid = 2147483647, AdditionalGids = [2147483647] };
        Accepted(spec);
    }

    [Fact]
    public void Execs_process_is_held_to_the_same_id_range()
    {
        var e = Assert.Throws<SpecValidationException>(() => Preflight.UserIds(new User { Uid = 0, Gid = 4294967295 }));
        Assert.Equal("process.user.gid", e.JsonPath);
    }

    /// <summary>A config without a mount namespace of its own, in each of its shapes.</summary>
    static RuntimeSpec Hostless(string shape)
    {
        var spec = Spec();
        spec.Hostname = null;
        spec.Mounts = [];
        spec.Root!.Readonly = false;
        spec.Linux!.MaskedPaths = null;
        spec.Linux.ReadonlyPaths = null;
        switch (shape)
        {
            case "none": spec.Linux.Namespaces = []; break;
            case "null": spec.Linux = null; break;
            case "pid": spec.Linux.Namespaces = [new LinuxNamespace { Type = "pid" }]; break;
            case "joined": spec.Linux.Namespaces!.First(n => n.Type == "mount").Path = "/proc/self/ns/mnt"; break;
            default: spec.Linux.Namespaces!.RemoveAll(n => n.Type == "mount"); break;
        }
        return spec;
    }

    [Theory]
    [InlineData("none")]
    [InlineData("null")]
    [InlineData("pid")]
    [InlineData("joined")]
    [InlineData("all-but-mount")]
    public void Without_a_new_mount_namespace_the_root_must_be_the_hosts_own(string shape)
    {
        var e = Refused(Hostless(shape));
        Assert.Equal("root.path", e.JsonPath);
        Assert.Contains("mount namespace", e.Message);
        var spec = Hostless(shape);
        spec.Root!.Path = "/";
        Accepted(spec);
        spec.Root.Path = "/proc/..";
        Accepted(spec);
    }

    [Theory]
    [InlineData("maskedPaths", "linux.maskedPaths", "unable to restrict sys entries without a private MNT namespace")]
    [InlineData("readonlyPaths", "linux.readonlyPaths", "unable to restrict sys entries without a private MNT namespace")]
    [InlineData("readonly", "root.readonly", "cannot make the root read-only without a new mount namespace")]
    [InlineData("mounts", "mounts[0]", "cannot mount without a new mount namespace")]
    [InlineData("devices", "linux.devices[0]", "cannot create a device without a new mount namespace")]
    [InlineData("rootfsPropagation", "linux.rootfsPropagation", "without a new mount namespace")]
    public void What_needs_a_new_mount_namespace_is_refused_without_one(string what, string path, string problem)
    {
        foreach (var shape in new[] { "all-but-mount", "joined" })
        {
            var spec = Hostless(shape);
            spec.Root!.Path = "/";
            switch (what)
            {
                case "maskedPaths": spec.Linux!.MaskedPaths = ["/proc/kcore"]; break;
                case "readonlyPaths": spec.Linux!.ReadonlyPaths = ["/proc/sys"]; break;
                case "readonly": spec.Root.Readonly = true; break;
                case "mounts": spec.Mounts = [new Mount { Destination = "/proc", Type = "proc", Source = "proc" }]; break;
                case "devices": spec.Linux!.Devices = [new LinuxDevice { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229 }]; break;
                case "rootfsPropagation": spec.Linux!.RootfsPropagation = "private"; break;
            }
            var e = Refused(spec);
            Assert.Equal(path, e.JsonPath);
            Assert.Contains(problem, e.Message);
        }
    }

    [Fact]
    public void Empty_lists_ask_for_nothing_and_pass_without_a_mount_namespace()
    {
        var spec = Hostless("pid");
        spec.Root!.Path = "/";
        spec.Linux!.MaskedPaths = [];
        spec.Linux.ReadonlyPaths = [];
        spec.Linux.Devices = [];
        Accepted(spec);
    }
}
