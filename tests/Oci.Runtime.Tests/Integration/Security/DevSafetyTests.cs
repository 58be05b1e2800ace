using System.Net.Sockets;
using Oci.Runtime.Spec;
using Oci.Runtime.Tests.Integration.ContainerEnvironment;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Security;

/// <summary>CVE-2025-31133 and CVE-2025-52565: masked paths are covered with /dev/null and the console is mounted on
/// /dev/console, both inside the container's own /dev. A planted symlink there must not turn either mount into a
/// writable or readable copy of something else.</summary>
[Collection(SecurityCollection.Name)]
public sealed class DevSafetyTests
{
    /// <summary>The default config with /dev bound from a host directory (a volume the image or a neighbour
    /// controls) instead of the runtime's tmpfs.</summary>
    static RuntimeSpec WithDevVolume(string devVolume, string script)
    {
        var spec = Env.Sh(script);
        var dev = spec.Mounts!.FindIndex(m => m.Destination == "/dev");
        spec.Mounts[dev] = Env.Bind(devVolume, "/dev");
        return spec;
    }

    [ContainerFact]
    public void A_null_device_that_is_a_symlink_does_not_redirect_the_masked_paths()
    {
        using var h = new OciRunHarness();
        string dev = Env.HostDirectory(h, "dev");
        // Masking /proc/keys with this "null" would put the kernel's core_pattern there, writable.
        File.CreateSymbolicLink(Path.Combine(dev, "null"), "/proc/sys/kernel/core_pattern");
        var spec = WithDevVolume(dev, "head -c 100 /proc/keys; echo; echo done");
        var result = Env.Fails(h, spec, "linux.maskedPaths", "/dev/null");
        Assert.DoesNotContain("done", result.Stdout);
    }

    [ContainerFact]
    public void A_null_device_that_is_a_regular_file_does_not_stand_in_for_the_mask()
    {
        using var h = new OciRunHarness();
        string dev = Env.HostDirectory(h, "dev");
        File.WriteAllText(Path.Combine(dev, "null"), "not the null device\n");
        var spec = WithDevVolume(dev, "cat /proc/keys; echo done");
        var result = Env.Fails(h, spec, "linux.maskedPaths", "/dev/null");
        Assert.DoesNotContain("not the null device", result.Stdout);
    }

    [ContainerFact]
    public void A_real_null_device_from_a_volume_masks_as_before()
    {
        using var h = new OciRunHarness();
        string dev = Env.HostDirectory(h, "dev");
        Env.Shell($"mknod -m 666 {dev}/null c 1 3");
        var spec = WithDevVolume(dev, "echo \"keys:$(head -c 10 /proc/keys | wc -c)\"");
        Assert.Equal("keys:0\n", Env.Output(h, spec));
    }

    [ContainerFact]
    public void A_console_symlink_in_the_image_does_not_get_the_terminal_mounted_over_its_target()
    {
        using var h = new OciRunHarness();
        string rootfs = Env.PrivateRootfs(h);
        File.WriteAllText(Path.Combine(rootfs, "victim"), "canary\n");
        File.CreateSymbolicLink(Path.Combine(rootfs, "dev", "console"), "/victim");
        var spec = Env.Sh("cat /proc/self/mountinfo; sleep 1000");
        spec.Root!.Path = rootfs;
        spec.Process!.Terminal = true;
        // The image's own /dev, not the runtime's tmpfs.
        spec.Mounts!.RemoveAll(m => m.Destination == "/dev");

        string socketPath = Path.Combine(h.Root, "console.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        string id = h.NewId();
        var created = h.Run("create", "--console-socket", socketPath, "--bundle", h.WriteBundle(spec), id);
        Assert.True(created.ExitCode != 0, "create mounted the console over a symlink's target: " + created);
        Assert.Contains("/dev/console", created.Stderr);
        Assert.Empty(h.LeftoverState());
        Assert.Equal("canary\n", File.ReadAllText(Path.Combine(rootfs, "victim")));
    }
}
