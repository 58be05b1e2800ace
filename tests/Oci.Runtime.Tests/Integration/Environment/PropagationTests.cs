using Xunit;

namespace Oci.Runtime.Tests.Integration.ContainerEnvironment;

/// <summary>The propagation containerd asks for with Kubernetes' <c>mountPropagation</c>: HostToContainer is
/// <c>rootfsPropagation: rslave</c> with an <c>rslave</c> bind, Bidirectional is <c>rshared</c> with an
/// <c>rshared</c> bind. The bind's source is a shared mount on the host, as the kubelet's directories are.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class PropagationTests
{
    /// <summary>A shared tmpfs on the host for a test's bind source, unmounted (with all under it) on dispose.</summary>
    sealed class SharedSource : IDisposable
    {
        public SharedSource(OciRunHarness h, string size = "1m")
        {
            Path = Env.HostDirectory(h, "shared-source");
            Env.Shell($"mount -t tmpfs -o size={size} src {Path} && mount --make-shared {Path}");
        }

        public string Path { get; }

        public void Dispose() => Env.Shell($"umount -R -l {Path}");
    }

    static string ContainerMountInfo(int pid) => File.ReadAllText($"/proc/{pid}/mountinfo");

    [ContainerFact]
    public void HostToContainer_a_mount_made_on_the_host_under_the_source_shows_up_inside()
    {
        using var h = new OciRunHarness();
        using var source = new SharedSource(h);
        var spec = OciRunHarness.NewSpec("sleep", "1000");
        spec.Linux!.RootfsPropagation = "rslave";
        spec.Mounts!.Add(Env.Bind(source.Path, "/vol", "rslave"));
        string id = h.Create(spec);
        int pid = h.State(id).Pid!.Value;

        var vol = Env.MountInfo(ContainerMountInfo(pid), "/vol");
        Assert.Matches(@"\bmaster:\d+", vol.Optional);
        Env.Shell($"mkdir {source.Path}/sub && mount -t tmpfs -o size=1m from-host {source.Path}/sub");
        var sub = Env.MountInfo(ContainerMountInfo(pid), "/vol/sub");
        Assert.Equal("tmpfs", sub.Type);
        Assert.Matches(@"\bmaster:\d+", sub.Optional);
        Assert.Equal(0, h.Run("delete", "--force", id).ExitCode);
    }

    /// <summary>A bundle on a shared mount, reached through a symbolic link, with Bidirectional's <c>rshared</c>: the
    /// mount that holds the rootfs is found from its real path and made private, so that pivot_root takes it. Read
    /// lexically from mountinfo, the link's path matched the wrong mount and pivot_root failed (EINVAL).</summary>
    [ContainerFact]
    public void Bidirectional_a_bundle_reached_through_a_symbolic_link_on_a_shared_mount_runs()
    {
        using var h = new OciRunHarness();
        using var source = new SharedSource(h, "16m");
        string rootfs = Path.Combine(source.Path, "bundle", "rootfs");
        Env.Shell($"mkdir -p {Path.GetDirectoryName(rootfs)} && cp -a {BusyboxRootfs.Path} {rootfs}");
        var spec = OciRunHarness.NewSpec("sh", "-c", "echo ran");
        spec.Linux!.RootfsPropagation = "rshared";
        spec.Root!.Path = "rootfs";
        File.WriteAllBytes(Path.Combine(source.Path, "bundle", "config.json"), Oci.Runtime.Spec.SpecLoader.Serialize(spec));
        string link = Path.Combine(h.Root, "bundle-link");
        File.CreateSymbolicLink(link, Path.Combine(source.Path, "bundle"));
        var result = h.Run("run", "--bundle", link, h.NewId());
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("ran", result.Stdout.Trim());
    }

    [ContainerFact]
    public void Bidirectional_a_mount_made_inside_shows_up_on_the_host()
    {
        using var h = new OciRunHarness();
        using var source = new SharedSource(h);
        Directory.CreateDirectory(Path.Combine(source.Path, "sub"));
        var spec = OciRunHarness.NewSpec("sleep", "1000");
        spec.Linux!.RootfsPropagation = "rshared";
        spec.Mounts!.Add(Env.Bind(source.Path, "/vol", "rshared"));
        string id = h.Create(spec);
        int pid = h.State(id).Pid!.Value;

        var root = Env.MountInfo(ContainerMountInfo(pid), "/");
        Assert.Matches(@"\bshared:\d+", root.Optional);
        var vol = Env.MountInfo(ContainerMountInfo(pid), "/vol");
        var host = Env.MountInfo(File.ReadAllText("/proc/self/mountinfo"), source.Path);
        // The container's /vol is a peer of the host's source: the same peer group.
        Assert.Equal(System.Text.RegularExpressions.Regex.Match(host.Optional, @"shared:\d+").Value,
            System.Text.RegularExpressions.Regex.Match(vol.Optional, @"shared:\d+").Value);

        // A mount made inside the container's mount namespace, on the container's path.
        Env.Shell($"nsenter -t {pid} -m mount -t tmpfs -o size=1m from-container /vol/sub");
        var sub = Env.MountInfo(File.ReadAllText("/proc/self/mountinfo"), Path.Combine(source.Path, "sub"));
        Assert.Equal("tmpfs", sub.Type);
        Assert.Equal(0, h.Run("delete", "--force", id).ExitCode);
    }
}
