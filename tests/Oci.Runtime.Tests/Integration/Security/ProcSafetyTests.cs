using Oci.Runtime.Spec;
using Oci.Runtime.Tests.Integration.ContainerEnvironment;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Security;

/// <summary>CVE-2019-16884 and CVE-2025-52881 classes: what the runtime writes under /proc must reach the kernel's
/// own file and nothing a config or an image planted there, and /proc must really be procfs.</summary>
[Collection(SecurityCollection.Name)]
public sealed class ProcSafetyTests
{
    [ContainerFact]
    public void A_bind_mount_under_proc_is_refused_so_a_sysctl_cannot_be_redirected_through_it()
    {
        using var h = new OciRunHarness();
        // The bind mount's ipv4/ip_forward is a symlink to another parameter: writing the sysctl through it would set
        // that one instead (pointed at kernel/core_pattern: code execution on the host).
        string net = Env.HostDirectory(h, "net");
        Directory.CreateDirectory(Path.Combine(net, "ipv4"));
        File.CreateSymbolicLink(Path.Combine(net, "ipv4", "ip_forward"), "/proc/sys/kernel/domainname");
        string value = "redirected-" + Guid.NewGuid().ToString("N")[..6];
        var spec = Env.Sh("cat /proc/sys/kernel/domainname");
        int index = spec.Mounts!.Count;
        spec.Mounts.Add(Env.Bind(net, "/proc/sys/net"));
        spec.Linux!.Sysctl = new Dictionary<string, string> { ["net.ipv4.ip_forward"] = value };
        var result = Env.Fails(h, spec, $"mounts[{index}]", "/proc/sys/net", "inside /proc");
        Assert.DoesNotContain(value, result.Stdout);
    }

    [ContainerFact]
    public void A_mount_at_proc_that_is_not_procfs_is_refused()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        int index = spec.Mounts!.Count;
        spec.Mounts.Add(Env.Tmpfs("/proc"));
        Env.Fails(h, spec, $"mounts[{index}]", "/proc", "not of type proc");
    }

    [ContainerFact]
    public void Files_under_proc_that_tools_like_lxcfs_replace_may_still_be_mounted()
    {
        using var h = new OciRunHarness();
        string file = Path.Combine(Env.HostDirectory(h, "lxcfs"), "uptime");
        File.WriteAllText(file, "12345.67 890.12\n");
        var spec = Env.Sh("cat /proc/uptime");
        spec.Mounts!.Add(Env.Bind(file, "/proc/uptime", "ro"));
        Assert.Equal("12345.67 890.12\n", Env.Output(h, spec));
    }

    [ContainerTheory]
    [InlineData("proc", 0)]
    [InlineData("sys", 5)]
    public void A_proc_or_sysfs_mount_on_a_symlink_of_the_image_is_refused(string directory, int index)
    {
        using var h = new OciRunHarness();
        string rootfs = Env.PrivateRootfs(h);
        // The image's /proc (or /sys) is a symlink to a directory of its own choosing.
        Directory.Delete(Path.Combine(rootfs, directory));
        Directory.CreateDirectory(Path.Combine(rootfs, "fake"));
        File.CreateSymbolicLink(Path.Combine(rootfs, directory), "/fake");
        var spec = Env.Sh("true");
        spec.Root!.Path = rootfs;
        Assert.Equal("/" + directory, spec.Mounts![index].Destination);
        Env.Fails(h, spec, $"mounts[{index}]", "must be mounted on ordinary directory");
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(rootfs, "fake")));
    }

    /// <summary>Without a proc mount the image's own /proc is what a path names; the runtime's writes must still
    /// reach procfs and never follow the image's symlinks.</summary>
    static string RootfsWithFakeProc(OciRunHarness h, out RuntimeSpec spec, string script)
    {
        string rootfs = Env.PrivateRootfs(h);
        spec = Env.Sh(script);
        spec.Root!.Path = rootfs;
        spec.Mounts!.RemoveAll(m => m.Destination == "/proc");
        // Nothing else of the set-up may stop before the write under test (before the fix, remounts went through
        // /proc/self/fd, which the image's /proc would not have).
        spec.Root.Readonly = false;
        spec.Linux!.ReadonlyPaths = [];
        spec.Linux.MaskedPaths = [];
        return rootfs;
    }

    [ContainerFact]
    public void A_sysctl_is_never_written_through_a_symlink_of_the_image()
    {
        using var h = new OciRunHarness();
        string rootfs = RootfsWithFakeProc(h, out var spec, "cat /proc/sys/kernel/domainname");
        Env.Shell($"mkdir -p {rootfs}/proc/sys/net/ipv4 {rootfs}/proc/sys/kernel && echo canary > {rootfs}/proc/sys/kernel/domainname && " +
                  $"ln -s /proc/sys/kernel/domainname {rootfs}/proc/sys/net/ipv4/ip_forward");
        spec.Linux!.Sysctl = new Dictionary<string, string> { ["net.ipv4.ip_forward"] = "1" };
        Env.Output(h, spec);
        Assert.Equal("canary\n", File.ReadAllText(Path.Combine(rootfs, "proc", "sys", "kernel", "domainname")));
    }

    [ContainerFact]
    public void Oom_score_adj_is_never_written_through_a_symlink_of_the_image()
    {
        using var h = new OciRunHarness();
        string rootfs = RootfsWithFakeProc(h, out var spec, "sleep 1000");
        Env.Shell($"mkdir -p {rootfs}/fake && echo canary > {rootfs}/fake/oom_score_adj && ln -s /fake {rootfs}/proc/self");
        spec.Process!.OomScoreAdj = 123;
        string id = Env.Create(h, spec);
        int pid = h.State(id).Pid!.Value;
        Assert.Equal("123", File.ReadAllText($"/proc/{pid}/oom_score_adj").Trim());
        Assert.Equal("canary\n", File.ReadAllText(Path.Combine(rootfs, "fake", "oom_score_adj")));
    }

    [ContainerFact]
    public void Without_pivot_root_the_hosts_proc_is_not_left_for_a_new_procfs_mount_to_pass_the_kernels_check()
    {
        using var h = new OciRunHarness();
        // A procfs may only be mounted in a user namespace where a fully visible one is already mounted. After
        // MS_MOVE and chroot the host's /proc stays in the mount namespace unless the runtime removes it. (Not as
        // root: mapping uid 0 into a new user namespace needs CAP_SETFCAP, which the container does not have.)
        var spec = Env.Sh("unshare -mrpf sh -c 'mount -t proc none /proc && echo MOUNTED'; echo done");
        spec.Process!.User = new User { Uid = 1000, Gid = 1000 };
        var result = h.Run("run", "--no-pivot", "--bundle", h.WriteBundle(spec), h.NewId());
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("done", result.Stdout);
        Assert.DoesNotContain("MOUNTED", result.Stdout);
    }
}
