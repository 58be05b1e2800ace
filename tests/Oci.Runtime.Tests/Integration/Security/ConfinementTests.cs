using Oci.Runtime.Spec;
using Oci.Runtime.Tests.Integration.ContainerEnvironment;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Security;

/// <summary>What cannot be confined is refused, never silently dropped. Without a mount namespace of its own the
/// container's process sees the host's root: a root.path other than the host's own, a read-only root, masked and
/// read-only paths and mounts cannot take effect there. Without a UTS namespace of its own there is no hostname to
/// set. (Before, each of these ran the process on the host's "/" or with the host's hostname, as if asked for.)</summary>
public sealed class ConfinementTests
{
    /// <summary>The ways a config can leave out the mount namespace.</summary>
    public static TheoryData<string> WithoutAMountNamespace => new() { "no-namespaces", "linux-null", "pid-only", "all-but-mount" };

    static RuntimeSpec Hostless(string shape, params string[] args)
    {
        var spec = OciRunHarness.NewSpec(args);
        spec.Hostname = null;
        switch (shape)
        {
            case "no-namespaces": spec.Linux!.Namespaces = []; break;
            case "linux-null": spec.Linux = null; break;
            case "pid-only": spec.Linux!.Namespaces = [new LinuxNamespace { Type = "pid" }]; break;
            default: spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "mount"); break;
        }
        if (spec.Linux is { } linux)
        {
            linux.MaskedPaths = null;
            linux.ReadonlyPaths = null;
        }
        spec.Root!.Readonly = false;
        spec.Mounts = [];
        return spec;
    }

    [ContainerTheory]
    [MemberData(nameof(WithoutAMountNamespace))]
    public void A_root_other_than_the_hosts_is_refused_without_a_mount_namespace(string shape)
    {
        using var h = new OciRunHarness();
        // Before, `ls /` listed the host's root directory: root.path was ignored.
        var result = Env.Fails(h, Hostless(shape, "ls", "/"), "root.path", BusyboxRootfs.Path, "mount namespace");
        Assert.Equal("", result.Stdout);
    }

    [ContainerTheory]
    [MemberData(nameof(WithoutAMountNamespace))]
    public void The_hosts_own_root_runs_without_a_mount_namespace(string shape)
    {
        using var h = new OciRunHarness();
        var spec = Hostless(shape, "/bin/sh", "-c", "readlink /proc/self/ns/mnt; readlink /proc/self/root");
        spec.Root!.Path = "/";
        string output = Env.Output(h, spec);
        Assert.Equal($"{new FileInfo("/proc/self/ns/mnt").LinkTarget}\n/\n", output);
        Assert.Empty(h.LeftoverState());
    }

    [ContainerTheory]
    [InlineData("maskedPaths", "linux.maskedPaths", "unable to restrict sys entries without a private MNT namespace")]
    [InlineData("readonlyPaths", "linux.readonlyPaths", "unable to restrict sys entries without a private MNT namespace")]
    [InlineData("readonly", "root.readonly", "mount namespace")]
    [InlineData("mounts", "mounts[0]", "mount namespace")]
    [InlineData("devices", "linux.devices[0]", "mount namespace")]
    public void What_needs_a_mount_namespace_is_refused_without_one(string what, string field, string problem)
    {
        using var h = new OciRunHarness();
        var spec = Hostless("all-but-mount", "true");
        spec.Root!.Path = "/";
        switch (what)
        {
            case "maskedPaths": spec.Linux!.MaskedPaths = ["/proc/kcore"]; break;
            case "readonlyPaths": spec.Linux!.ReadonlyPaths = ["/proc/sys"]; break;
            case "readonly": spec.Root.Readonly = true; break;
            case "mounts": spec.Mounts = [new Mount { Destination = "/proc", Type = "proc", Source = "proc" }]; break;
            case "devices": spec.Linux!.Devices = [new LinuxDevice { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229 }]; break;
        }
        Env.Fails(h, spec, field, problem);
    }

    [ContainerTheory]
    [InlineData("hostname")]
    [InlineData("domainname")]
    public void A_hostname_without_a_uts_namespace_is_refused_even_without_a_linux_section(string field)
    {
        using var h = new OciRunHarness();
        var spec = Hostless("linux-null", "/bin/sh", "-c", "hostname");
        spec.Root!.Path = "/";
        if (field == "hostname") spec.Hostname = "not-the-host";
        else spec.Domainname = "not.the.host";
        var result = Env.Fails(h, spec, field, $"unable to set {field} without a private UTS namespace");
        Assert.Equal("", result.Stdout);
    }

    [ContainerFact]
    public void A_joined_mount_namespace_does_not_silently_drop_masked_paths()
    {
        // oci-run sets up a root filesystem only in a mount namespace it makes: in a joined one, masked paths (and
        // the rest) would be ignored, so they are refused.
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("true");
        spec.Linux!.Namespaces!.First(n => n.Type == "mount").Path = "/proc/self/ns/mnt";
        spec.Mounts = [];
        spec.Root!.Path = "/";
        spec.Root.Readonly = false;
        spec.Linux.ReadonlyPaths = null;
        spec.Linux.MaskedPaths = ["/proc/kcore"];
        Env.Fails(h, spec, "linux.maskedPaths", "unable to restrict sys entries without a private MNT namespace");
    }
}
