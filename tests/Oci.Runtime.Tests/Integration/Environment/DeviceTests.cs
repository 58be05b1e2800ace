using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Integration.ContainerEnvironment;

/// <summary><c>linux.devices</c>, the default devices and the conventional entries of /dev.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class DeviceTests
{
    const string StatFormat = "stat -c '%n %F %t:%T %a %u:%g'";

    [ContainerFact]
    public void ConfiguredDevicesHaveTheirTypeNumbersModeAndOwner()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh($"{StatFormat} /dev/char /dev/sub/block /dev/fifo /dev/unbuffered /dev/full");
        spec.Linux!.Devices =
        [
            new LinuxDevice { Path = "/dev/char", Type = "c", Major = 1, Minor = 3, FileMode = 0x1A0 /* 0640 */, Uid = 1000, Gid = 1001 },
            new LinuxDevice { Path = "/dev/sub/block", Type = "b", Major = 7, Minor = 200, FileMode = 0x180 /* 0600 */, Uid = 0, Gid = 6 },
            new LinuxDevice { Path = "/dev/fifo", Type = "p", FileMode = 0x1B6 /* 0666 */ },
            new LinuxDevice { Path = "/dev/unbuffered", Type = "u", Major = 1, Minor = 9, FileMode = 0x124 /* 0444 */, Uid = 5, Gid = 5 },
            // A configured device at a default device's path replaces the default.
            new LinuxDevice { Path = "/dev/full", Type = "c", Major = 1, Minor = 7, FileMode = 0x180, Uid = 0, Gid = 0 },
        ];
        var lines = Env.Output(h, spec).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("/dev/char character special file 1:3 640 1000:1001", lines[0]);
        Assert.Equal("/dev/sub/block block special file 7:c8 600 0:6", lines[1]);
        Assert.Equal("/dev/fifo fifo 0:0 666 0:0", lines[2]);
        Assert.Equal("/dev/unbuffered character special file 1:9 444 5:5", lines[3]);
        Assert.Equal("/dev/full character special file 1:7 600 0:0", lines[4]);
    }

    [ContainerFact]
    public void DefaultDevicesLinksShmAndMqueue()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh($"{StatFormat} /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty; " +
                          "for l in ptmx fd stdin stdout stderr; do echo \"$l -> $(readlink /dev/$l)\"; done; cat /proc/self/mountinfo");
        string output = Env.Output(h, spec);
        foreach (var (name, numbers) in new[] { ("null", "1:3"), ("zero", "1:5"), ("full", "1:7"), ("random", "1:8"), ("urandom", "1:9"), ("tty", "5:0") })
            Assert.Contains($"/dev/{name} character special file {numbers} 666 0:0\n", output);
        Assert.Contains("ptmx -> pts/ptmx\n", output);
        Assert.Contains("fd -> /proc/self/fd\n", output);
        Assert.Contains("stdin -> /proc/self/fd/0\n", output);
        Assert.Contains("stdout -> /proc/self/fd/1\n", output);
        Assert.Contains("stderr -> /proc/self/fd/2\n", output);
        Assert.Equal("tmpfs", Env.MountInfo(output, "/dev/shm").Type);
        Assert.Equal("mqueue", Env.MountInfo(output, "/dev/mqueue").Type);
        Assert.Equal("devpts", Env.MountInfo(output, "/dev/pts").Type);
    }

    [ContainerFact]
    public void AnInvalidDeviceFailsNamingIt()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Linux!.Devices = [new LinuxDevice { Path = "/dev/odd", Type = "x", Major = 1, Minor = 1 }];
        Env.Fails(h, spec, "linux.devices[0].type");
        spec.Linux.Devices = [new LinuxDevice { Path = "/dev/odd", Type = "c", Minor = 1 }];
        Env.Fails(h, spec, "linux.devices[0].major");
    }

    [ContainerFact]
    public void A_file_that_does_not_match_a_configured_device_is_an_error()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        // /etc/passwd is a regular file of the image, outside the /dev tmpfs.
        spec.Linux!.Devices = [new LinuxDevice { Path = "/etc/passwd", Type = "c", Major = 1, Minor = 3, FileMode = 0x1B6 }];
        Env.Fails(h, spec, "linux.devices[0].path");
    }
}
