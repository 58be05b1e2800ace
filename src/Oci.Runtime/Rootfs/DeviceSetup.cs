using Oci.Runtime.Spec;

namespace Oci.Runtime.Rootfs;

/// <summary>Device nodes (config-linux.md "Devices", "Default Devices"): the defaults, their numbers and types.</summary>
internal static class DeviceSetup
{
    const uint S_IFMT = 0xF000, S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFBLK = 0x6000;

    /// <summary>The devices every container has (config-linux.md "Default Devices").</summary>
    public static readonly IReadOnlyList<LinuxDevice> Defaults =
    [
        Device("/dev/null", 1, 3), Device("/dev/zero", 1, 5), Device("/dev/full", 1, 7),
        Device("/dev/random", 1, 8), Device("/dev/urandom", 1, 9), Device("/dev/tty", 5, 0),
    ];

    static LinuxDevice Device(string path, long major, long minor) =>
        new() { Path = path, Type = "c", Major = major, Minor = minor, FileMode = 0x1B6 /* 0666 */, Uid = 0, Gid = 0 };

    /// <summary>Whether a file of <paramref name="mode"/> (st_mode) and <paramref name="rdev"/> is
    /// <paramref name="device"/>.</summary>
    public static bool Matches(uint mode, ulong rdev, LinuxDevice device) => device.Type switch
    {
        "c" or "u" => (mode & S_IFMT) == S_IFCHR && rdev == MakeDev(device.Major ?? 0, device.Minor ?? 0),
        "b" => (mode & S_IFMT) == S_IFBLK && rdev == MakeDev(device.Major ?? 0, device.Minor ?? 0),
        "p" => (mode & S_IFMT) == S_IFIFO,
        _ => false,
    };

    /// <summary>The S_IF* bits of <paramref name="device"/>'s type.</summary>
    public static uint TypeBits(LinuxDevice device) => device.Type switch
    {
        "c" or "u" => S_IFCHR,
        "b" => S_IFBLK,
        "p" => S_IFIFO,
        _ => throw new SpecValidationException("linux.devices", $"{device.Path}: unknown device type \"{device.Type}\""),
    };

    internal static ulong MakeDev(long major, long minor)
    {
        ulong ma = (ulong)major, mi = (ulong)minor;
        return ((ma & 0xfffff000) << 32) | ((ma & 0xfff) << 8) | ((mi & 0xffffff00) << 12) | (mi & 0xff);
    }
}
