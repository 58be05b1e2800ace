using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Integration.ContainerEnvironment;

/// <summary><c>mounts</c>, their options, <c>linux.rootfsPropagation</c> and <c>type: cgroup</c> mounts, as the
/// container's /proc/self/mountinfo shows them.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class MountTests
{
    static string MountInfoOf(OciRunHarness h, RuntimeSpec spec) => Env.Output(h, spec);

    [ContainerFact]
    public void FlagOptionsAndDataReachTheMount()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("cat /proc/self/mountinfo");
        spec.Mounts!.Add(Env.Tmpfs("/m1", "ro", "nosuid", "nodev", "noexec", "sync", "dirsync", "noatime", "nodiratime", "size=1024k", "mode=700"));
        spec.Mounts.Add(Env.Tmpfs("/m2", "rw", "suid", "dev", "exec", "async", "strictatime", "lazytime", "mand", "nomand"));
        spec.Mounts.Add(Env.Tmpfs("/m3", "relatime", "nosymfollow"));
        string mountinfo = MountInfoOf(h, spec);

        var m1 = Env.MountInfo(mountinfo, "/m1");
        Assert.Equal("tmpfs", m1.Type);
        foreach (var option in new[] { "ro", "nosuid", "nodev", "noexec", "noatime", "nodiratime" }) Assert.Contains(option, m1.Options);
        foreach (var option in new[] { "ro", "sync", "dirsync", "size=1024k", "mode=700" }) Assert.Contains(option, m1.Super);

        var m2 = Env.MountInfo(mountinfo, "/m2");
        Assert.Contains("rw", m2.Options);
        foreach (var option in new[] { "nosuid", "nodev", "noexec", "relatime", "noatime" }) Assert.DoesNotContain(option, m2.Options);
        Assert.DoesNotContain("sync", m2.Super);
        Assert.Contains("lazytime", m2.Super);

        var m3 = Env.MountInfo(mountinfo, "/m3");
        Assert.Contains("relatime", m3.Options);
        Assert.Contains("nosymfollow", m3.Options);
    }

    [ContainerFact]
    public void OptionsMount8KeepsToItselfAreNotPassedToTheFilesystem()
    {
        // config.md: an option mount(8) recognises follows mount(8), which never hands these to the kernel.
        using var h = new OciRunHarness();
        var spec = Env.Sh("cat /proc/self/mountinfo");
        spec.Mounts!.Add(Env.Tmpfs("/n", "nofail", "noauto", "auto", "_netdev", "size=512k", "nosuid"));
        var m = Env.MountInfo(MountInfoOf(h, spec), "/n");
        Assert.Equal("tmpfs", m.Type);
        Assert.Contains("nosuid", m.Options);
        Assert.Contains("size=512k", m.Super);
        foreach (var option in new[] { "nofail", "noauto", "auto", "_netdev" }) Assert.DoesNotContain(option, m.Super);
    }

    [ContainerFact]
    public void RemountChangesAnEarlierMount()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("touch /r/file 2>/dev/null && echo writable; cat /proc/self/mountinfo");
        spec.Mounts!.Add(Env.Tmpfs("/r", "size=512k"));
        spec.Mounts.Add(Env.Tmpfs("/r", "remount", "ro", "nosuid"));
        string output = Env.Output(h, spec);
        Assert.DoesNotContain("writable", output);
        var mount = Env.MountInfo(output, "/r");
        Assert.Contains("ro", mount.Options);
        Assert.Contains("nosuid", mount.Options);
        Assert.Single(output.Split('\n'), l => l.Split(' ') is { Length: > 6 } f && f[4] == "/r");
    }

    [ContainerFact]
    public void BindMountsOfDirectoriesAndFilesReadOnlyAndReadWrite()
    {
        using var h = new OciRunHarness();
        string dir = Env.HostDirectory(h, "bind-dir");
        File.WriteAllText(Path.Combine(dir, "inside"), "from-the-host");
        string file = Path.Combine(Env.HostDirectory(h, "bind-file"), "single");
        File.WriteAllText(file, "one-file");
        string writable = Env.HostDirectory(h, "bind-rw");
        var spec = Env.Sh("cat /b/ro/inside; echo; cat /etc/single-file; echo; " +
                          "touch /b/ro/new 2>/dev/null && echo ro-writable; echo written > /b/rw/out; cat /proc/self/mountinfo");
        spec.Mounts!.Add(Env.Bind(dir, "/b/ro", "ro"));
        spec.Mounts.Add(Env.Bind(file, "/etc/single-file", "ro", "nosuid"));
        spec.Mounts.Add(Env.Bind(writable, "/b/rw", "rw"));
        string output = Env.Output(h, spec);

        Assert.StartsWith("from-the-host\none-file\n", output);
        Assert.DoesNotContain("ro-writable", output);
        Assert.Equal("written\n", File.ReadAllText(Path.Combine(writable, "out")));
        Assert.Contains("ro", Env.MountInfo(output, "/b/ro").Options);
        var single = Env.MountInfo(output, "/etc/single-file");
        Assert.Contains("ro", single.Options);
        Assert.Contains("nosuid", single.Options);
        Assert.Contains("rw", Env.MountInfo(output, "/b/rw").Options);
        Assert.False(File.Exists(Path.Combine(dir, "new")));
    }

    [ContainerFact]
    public void BindTakesOnlyTheTopMountRbindTheTreeAndRecursiveAttributesReachSubmounts()
    {
        using var h = new OciRunHarness();
        string tree = Env.HostDirectory(h, "tree");
        Directory.CreateDirectory(Path.Combine(tree, "sub"));
        Env.Shell($"mount -t tmpfs -o size=64k tmpfs {tree}/sub && mount --make-private {tree}/sub && echo marker > {tree}/sub/marker");
        try
        {
            var spec = Env.Sh("ls /plain/sub; echo ---; ls /recursive/sub; echo ---; cat /proc/self/mountinfo");
            spec.Mounts!.Add(Env.Bind(tree, "/plain"));
            spec.Mounts.Add(new Mount { Destination = "/recursive", Type = "bind", Source = tree,
                Options = ["rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rnoatime"] });
            string output = Env.Output(h, spec);
            var parts = output.Split("---\n");
            Assert.DoesNotContain("marker", parts[0]);
            Assert.Contains("marker", parts[1]);
            foreach (var point in new[] { "/recursive", "/recursive/sub" })
            {
                var options = Env.MountInfo(parts[2], point).Options;
                foreach (var option in new[] { "ro", "nosuid", "nodev", "noexec", "noatime" }) Assert.Contains(option, options);
            }
        }
        finally
        {
            Env.Shell($"umount {tree}/sub");
        }
    }

    [ContainerTheory]
    [InlineData("shared", "shared:")]
    [InlineData("rshared", "shared:")]
    [InlineData("unbindable", "unbindable")]
    [InlineData("private", "")]
    public void PropagationOptionsReachTheMount(string option, string expected)
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("cat /proc/self/mountinfo");
        spec.Mounts!.Add(Env.Tmpfs("/p", option));
        var mount = Env.MountInfo(Env.Output(h, spec), "/p");
        if (expected.Length == 0) Assert.DoesNotMatch("shared:|master:|unbindable", mount.Optional);
        else Assert.Contains(expected, mount.Optional);
    }

    [ContainerTheory]
    [InlineData("shared", "shared:")]
    [InlineData("unbindable", "unbindable")]
    [InlineData("private", "")]
    [InlineData("slave", "")]
    // The recursive forms containerd sends for Kubernetes' mountPropagation.
    [InlineData("rshared", "shared:")]
    [InlineData("runbindable", "unbindable")]
    [InlineData("rprivate", "")]
    [InlineData("rslave", "")]
    public void RootfsPropagationAppliesToTheRoot(string propagation, string expected)
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("cat /proc/self/mountinfo");
        spec.Linux!.RootfsPropagation = propagation;
        var root = Env.MountInfo(Env.Output(h, spec), "/");
        if (expected.Length == 0) Assert.DoesNotMatch("shared:|unbindable", root.Optional);
        else Assert.Contains(expected, root.Optional);
    }

    [ContainerFact]
    public void DestinationsAreCreatedInsideTheRootEvenThroughSymlinks()
    {
        using var h = new OciRunHarness();
        string rootfs = Env.PrivateRootfs(h);
        string hostTarget = Env.HostDirectory(h, "outside");
        // An absolute symlink to a host path, and a relative one that climbs out: both stay inside the root.
        File.CreateSymbolicLink(Path.Combine(rootfs, "escape"), hostTarget);
        File.CreateSymbolicLink(Path.Combine(rootfs, "climb"), "../../../../../../..");
        var spec = Env.Sh("cat /proc/self/mountinfo");
        spec.Root!.Path = rootfs;
        spec.Mounts!.Add(Env.Tmpfs("/escape/sub"));
        spec.Mounts.Add(Env.Tmpfs("/climb/tmp/climbed"));
        string mountinfo = Env.Output(h, spec);
        Assert.Equal("tmpfs", Env.MountInfo(mountinfo, hostTarget + "/sub").Type);
        Assert.Equal("tmpfs", Env.MountInfo(mountinfo, "/tmp/climbed").Type);
        Assert.False(Directory.Exists(Path.Combine(hostTarget, "sub")), "a mount destination was created outside the root");
        Assert.True(Directory.Exists(Path.Combine(rootfs, hostTarget.TrimStart('/'), "sub")));
        Assert.True(Directory.Exists(Path.Combine(rootfs, "tmp", "climbed")));
    }

    [ContainerFact]
    public void TmpcopyupStartsTheTmpfsWithTheImageContents()
    {
        using var h = new OciRunHarness();
        string rootfs = Env.PrivateRootfs(h);
        Directory.CreateDirectory(Path.Combine(rootfs, "data", "nested"));
        File.WriteAllText(Path.Combine(rootfs, "data", "nested", "file"), "from-the-image");
        var spec = Env.Sh("cat /data/nested/file; echo; echo changed > /data/nested/file; cat /proc/self/mountinfo");
        spec.Root!.Path = rootfs;
        spec.Mounts!.Add(Env.Tmpfs("/data", "tmpcopyup", "nosuid"));
        string output = Env.Output(h, spec);
        Assert.StartsWith("from-the-image\n", output);
        Assert.Equal("tmpfs", Env.MountInfo(output, "/data").Type);
        Assert.Equal("from-the-image", File.ReadAllText(Path.Combine(rootfs, "data", "nested", "file")));
    }

    [ContainerFact]
    public void CgroupMountWithACgroupNamespace()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("cat /proc/self/mountinfo");
        string mountinfo = Env.Output(h, spec);
        var lines = mountinfo.Split('\n').Where(l => l.Contains(" /sys/fs/cgroup", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        foreach (var hierarchy in Directory.GetDirectories("/sys/fs/cgroup"))
        {
            if (!File.Exists(Path.Combine(hierarchy, "cgroup.procs"))) continue;
            var mount = Env.MountInfo(mountinfo, "/sys/fs/cgroup/" + Path.GetFileName(hierarchy));
            Assert.Contains(mount.Type, new[] { "cgroup", "cgroup2" });
            Assert.Contains("ro", mount.Options);
            Assert.Contains("nosuid", mount.Options);
        }
    }

    [ContainerFact]
    public void CgroupMountWithoutACgroupNamespaceBindsTheContainersOwnCgroups()
    {
        using var h = new OciRunHarness();
        string id = h.NewId();
        var spec = Env.Sh("cat /proc/self/mountinfo");
        spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "cgroup");
        var result = h.RunContainer(spec, id);
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var hierarchy in Directory.GetDirectories("/sys/fs/cgroup"))
        {
            if (!File.Exists(Path.Combine(hierarchy, "cgroup.procs"))) continue;
            var line = result.Stdout.Split('\n').Single(l => l.Split(' ') is { Length: > 6 } f && f[4] == "/sys/fs/cgroup/" + Path.GetFileName(hierarchy));
            Assert.Equal("/" + id, line.Split(' ')[3]);
        }
    }

    [ContainerFact]
    public void CgroupMountOnAUnifiedHost()
    {
        using var h = new OciRunHarness();
        string id = h.NewId();
        string bundle = h.WriteBundle(Env.Sh("cat /proc/self/mountinfo; ls /sys/fs/cgroup"));
        string stateRoot = Path.Combine(h.Root, "state");
        // A pure cgroup2 host: a private mount namespace with only cgroup2 at /sys/fs/cgroup.
        string output = Env.Shell($"unshare -m --propagation private sh -c 'umount -R /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && " +
                                  $"exec {TestPaths.OciRunBinary} --root {stateRoot} run --bundle {bundle} {id}'");
        var mount = Env.MountInfo(output, "/sys/fs/cgroup");
        Assert.Equal("cgroup2", mount.Type);
        Assert.Contains("ro", mount.Options);
        Assert.Contains("cgroup.procs", output);
        Assert.False(Directory.Exists($"/sys/fs/cgroup/unified/{id}"));
    }

    [ContainerFact]
    public void AMountThatCannotBeMadeFailsNamingItAndLeavesNothing()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Mounts!.Add(Env.Tmpfs("/bad", "bogus-option=1"));
        Env.Fails(h, spec, $"mounts[{spec.Mounts.Count - 1}]", "/bad");
    }

    [ContainerFact]
    public void ABindMountWithoutASourceFailsNamingIt()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Mounts!.Add(Env.Bind("/nonexistent/source/dir", "/bad"));
        Env.Fails(h, spec, $"mounts[{spec.Mounts.Count - 1}].source");
    }
}
