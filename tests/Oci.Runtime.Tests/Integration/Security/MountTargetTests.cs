using Oci.Runtime.Spec;
using Oci.Runtime.Tests.Integration.ContainerEnvironment;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Security;

/// <summary>Every step of a mount (read-only, attributes, propagation, a later remount, tmpcopyup's copy) acts on
/// the mount that was made, never on whatever its destination's path names afterwards. Here the mount itself changes
/// what the path names: the destination is a symlink to the directory the mount covers, so looking the path up again
/// after the mount ends inside the mounted content. No race is needed.</summary>
[Collection(SecurityCollection.Name)]
public sealed class MountTargetTests
{
    /// <summary>A private rootfs whose <c>/NAME/link</c> is a symlink to <c>/NAME</c>.</summary>
    static string RootfsWithSelfLink(OciRunHarness h, string name)
    {
        string rootfs = Env.PrivateRootfs(h);
        Directory.CreateDirectory(Path.Combine(rootfs, name));
        File.CreateSymbolicLink(Path.Combine(rootfs, name, "link"), "/" + name);
        return rootfs;
    }

    [ContainerFact]
    public void A_read_only_bind_is_read_only_even_when_its_destination_names_something_else_afterwards()
    {
        using var h = new OciRunHarness();
        string rootfs = RootfsWithSelfLink(h, "a");
        // The mounted directory holds a symlink of the same name to "/": looked up again, /a/link is the root.
        string source = Env.HostDirectory(h, "source");
        File.CreateSymbolicLink(Path.Combine(source, "link"), "/");
        var spec = Env.Sh("touch /a/probe 2>/dev/null && echo WRITABLE; cat /proc/self/mountinfo");
        spec.Root!.Path = rootfs;
        spec.Mounts!.Add(Env.Bind(source, "/a/link", "ro"));
        string output = Env.Output(h, spec);
        Assert.DoesNotContain("WRITABLE", output);
        Assert.False(File.Exists(Path.Combine(source, "probe")), "the container wrote into the read-only source");
        Assert.Contains("ro", Env.MountInfo(output, "/a").Options);
    }

    [ContainerFact]
    public void Attributes_and_propagation_reach_the_mount_made_even_when_its_destination_names_something_else_afterwards()
    {
        using var h = new OciRunHarness();
        string rootfs = RootfsWithSelfLink(h, "b");
        var spec = Env.Sh("cat /proc/self/mountinfo");
        spec.Root!.Path = rootfs;
        spec.Mounts!.Add(Env.Tmpfs("/b/link", "rro", "rnosuid", "rnodev", "shared"));
        var mount = Env.MountInfo(Env.Output(h, spec), "/b");
        Assert.Equal("tmpfs", mount.Type);
        foreach (var option in new[] { "ro", "nosuid", "nodev" }) Assert.Contains(option, mount.Options);
        Assert.Contains("shared:", mount.Optional);
    }

    [ContainerFact]
    public void A_remount_whose_destination_now_names_another_mount_is_refused()
    {
        using var h = new OciRunHarness();
        string rootfs = RootfsWithSelfLink(h, "c");
        // mounts[n+1] binds a directory whose "link" points at the tmpfs /safe; mounts[n+2] asks to remount what
        // mounts[n+1] made read-only, but /c/link now names /safe.
        string source = Env.HostDirectory(h, "source");
        File.CreateSymbolicLink(Path.Combine(source, "link"), "/safe");
        var spec = Env.Sh("touch /c/probe 2>/dev/null && echo WRITABLE; cat /proc/self/mountinfo");
        spec.Root!.Path = rootfs;
        int first = spec.Mounts!.Count;
        spec.Mounts.Add(Env.Tmpfs("/safe"));
        spec.Mounts.Add(Env.Bind(source, "/c/link", "rw"));
        spec.Mounts.Add(Env.Tmpfs("/c/link", "remount", "ro"));
        Env.Fails(h, spec, $"mounts[{first + 2}]", "/c/link");
        Assert.False(File.Exists(Path.Combine(source, "probe")));
    }

    [ContainerFact]
    public void Read_only_paths_and_remounts_change_the_mount_they_name_and_no_other()
    {
        using var h = new OciRunHarness();
        string rootfs = Env.PrivateRootfs(h);
        File.CreateSymbolicLink(Path.Combine(rootfs, "ro-link"), "/scratch/inner");
        var spec = Env.Sh("touch /scratch/outer-file && echo outer-writable; touch /scratch/inner/file 2>/dev/null && echo inner-writable; " +
                          "touch /other/file 2>/dev/null && echo other-writable; touch /root-file && echo root-writable; cat /proc/self/mountinfo");
        spec.Root!.Path = rootfs;
        spec.Root.Readonly = false;
        spec.Mounts!.Add(Env.Tmpfs("/scratch"));
        spec.Mounts.Add(Env.Tmpfs("/scratch/inner"));
        spec.Mounts.Add(Env.Tmpfs("/other"));
        spec.Mounts.Add(Env.Tmpfs("/other", "remount", "ro"));
        spec.Linux!.ReadonlyPaths = ["/ro-link"];
        string output = Env.Output(h, spec);
        Assert.Contains("outer-writable", output);
        Assert.Contains("root-writable", output);
        Assert.DoesNotContain("inner-writable", output);
        Assert.DoesNotContain("other-writable", output);
        Assert.Contains("rw", Env.MountInfo(output, "/scratch").Options);
        Assert.Contains("ro", Env.MountInfo(output, "/scratch/inner").Options);
        Assert.Contains("ro", Env.MountInfo(output, "/other").Options);
        Assert.Contains("rw", Env.MountInfo(output, "/").Options);
    }

    [ContainerFact]
    public void Tmpcopyup_copies_by_descriptor_keeping_types_modes_and_owners()
    {
        using var h = new OciRunHarness();
        string rootfs = Env.PrivateRootfs(h);
        string data = Path.Combine(rootfs, "data");
        // Modes the container's root can still read through: it has no CAP_DAC_OVERRIDE.
        Env.Shell($"mkdir -p {data}/sub && echo from-the-image > {data}/sub/file && chmod 604 {data}/sub/file && chmod 751 {data}/sub && " +
                  $"chown -R 1000:1001 {data}/sub && mkfifo -m 600 {data}/pipe && mknod -m 620 {data}/null c 1 3 && " +
                  $"ln -s /etc/passwd {data}/link && ln -s ../outside {data}/sub/up");
        var spec = Env.Sh("stat -c '%n %F %a %u:%g' /data/sub /data/sub/file /data/pipe /data/null; readlink /data/link; readlink /data/sub/up; " +
                          "cat /data/sub/file; cat /proc/self/mountinfo");
        spec.Root!.Path = rootfs;
        spec.Mounts!.Add(Env.Tmpfs("/data", "tmpcopyup", "nosuid"));
        string output = Env.Output(h, spec);
        Assert.Equal(["/data/sub directory 751 1000:1001", "/data/sub/file regular file 604 1000:1001", "/data/pipe fifo 600 0:0",
                      "/data/null character special file 620 0:0", "/etc/passwd", "../outside", "from-the-image"],
                     output.Split('\n').Take(7));
        Assert.Equal("tmpfs", Env.MountInfo(output, "/data").Type);
    }
}
