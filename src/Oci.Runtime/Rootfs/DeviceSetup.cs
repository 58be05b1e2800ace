using Oci.Runtime.Interop;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Rootfs;

/// <summary>Device nodes and the conventional /dev symlinks (config-linux.md "Devices", "Default Devices").</summary>
internal sealed class DeviceSetup(int rootFd, bool inUserNamespace)
{
    const uint S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFBLK = 0x6000;

    /// <summary>The devices every container has (config-linux.md "Default Devices").</summary>
    public static readonly IReadOnlyList<LinuxDevice> Defaults =
    [
        Device("/dev/null", 1, 3), Device("/dev/zero", 1, 5), Device("/dev/full", 1, 7),
        Device("/dev/random", 1, 8), Device("/dev/urandom", 1, 9), Device("/dev/tty", 5, 0),
    ];

    static LinuxDevice Device(string path, long major, long minor) =>
        new() { Path = path, Type = "c", Major = major, Minor = minor, FileMode = 0x1B6 /* 0666 */, Uid = 0, Gid = 0 };

    public void CreateDefaultDevices()
    {
        foreach (var device in Defaults) Create(device, jsonPath: null);
    }

    public void CreateConfiguredDevices(IReadOnlyList<LinuxDevice>? devices)
    {
        for (int i = 0; i < (devices?.Count ?? 0); i++) Create(devices![i], $"linux.devices[{i}].path");
    }

    /// <summary>Makes one node. <paramref name="jsonPath"/> is null for a default device, which an existing file
    /// of the image or of a /dev bind mount simply provides.</summary>
    void Create(LinuxDevice device, string? jsonPath)
    {
        var components = LexicalPath.Components(device.Path);
        if (components.Count == 0) throw new SpecValidationException("linux.devices", $"invalid device path \"{device.Path}\"");
        string name = components[^1];
        int parent = PathInRoot.OpenOrCreate(rootFd, string.Join('/', components.SkipLast(1)), directory: true);
        try
        {
            int existing = PathInRoot.TryOpen(rootFd, device.Path);
            if (existing >= 0)
            {
                try
                {
                    // config-linux.md: a file at a configured device's path that does not match it is an error
                    // (runc keeps it silently); a matching node is kept.
                    if (jsonPath is not null && !Matches(existing, device))
                        throw new SpecValidationException(jsonPath, $"{device.Path} already exists and is not a {device.Type} {device.Major}:{device.Minor} device");
                }
                finally
                {
                    Sys.Close(existing);
                }
                return;
            }
            if (inUserNamespace)
                BindHostDevice(parent, name, device);
            else
                MakeNode(parent, name, device);
        }
        finally
        {
            Sys.Close(parent);
        }
    }

    static bool Matches(int fd, LinuxDevice device)
    {
        var (type, rdev) = Sys.FileTypeAndDevice(fd);
        return device.Type switch
        {
            "c" or "u" => type == S_IFCHR && rdev == MakeDev(device.Major ?? 0, device.Minor ?? 0),
            "b" => type == S_IFBLK && rdev == MakeDev(device.Major ?? 0, device.Minor ?? 0),
            "p" => type == S_IFIFO,
            _ => false,
        };
    }

    static void MakeNode(int parent, string name, LinuxDevice device)
    {
        uint type = device.Type switch
        {
            "c" or "u" => S_IFCHR,
            "b" => S_IFBLK,
            "p" => S_IFIFO,
            _ => throw new SpecValidationException("linux.devices", $"{device.Path}: unknown device type \"{device.Type}\""),
        };
        uint mode = device.FileMode ?? 0x1B6;
        Sys.MknodAt(parent, name, type | (mode & 0xFFF), MakeDev(device.Major ?? 0, device.Minor ?? 0));
        Sys.FchownAt(parent, name, device.Uid ?? 0, device.Gid ?? 0, Sys.AT_SYMLINK_NOFOLLOW);
        // mknod applies the umask; the config's mode is meant exactly.
        int fd = Sys.OpenAt(parent, name, Sys.O_PATH | Sys.O_NOFOLLOW);
        try
        {
            Sys.Chmod(PathInRoot.ProcPath(fd), mode & 0xFFF);
        }
        finally
        {
            Sys.Close(fd);
        }
    }

    /// <summary>In a user namespace mknod is refused: bind the host's node onto an empty file instead.</summary>
    static void BindHostDevice(int parent, string name, LinuxDevice device)
    {
        int file = Sys.OpenAt(parent, name, Sys.O_CREAT | Sys.O_WRONLY | Sys.O_NOFOLLOW, 0);
        Sys.Close(file);
        int fd = Sys.OpenAt(parent, name, Sys.O_PATH | Sys.O_NOFOLLOW);
        try
        {
            Sys.Mount(device.Path, PathInRoot.ProcPath(fd), null, MountFlags.MS_BIND, null);
        }
        finally
        {
            Sys.Close(fd);
        }
    }

    internal static ulong MakeDev(long major, long minor)
    {
        ulong ma = (ulong)major, mi = (ulong)minor;
        return ((ma & 0xfffff000) << 32) | ((ma & 0xfff) << 8) | ((mi & 0xffffff00) << 12) | (mi & 0xff);
    }

    /// <summary>/dev/fd, /dev/std{in,out,err}, /dev/core and, with a devpts mount, /dev/ptmx.</summary>
    public void CreateSymlinks(bool hasDevPts)
    {
        int dev = PathInRoot.OpenOrCreate(rootFd, "/dev", directory: true);
        try
        {
            var links = new List<(string Name, string Target)>
            {
                ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2"),
            };
            if (File.Exists("/proc/kcore")) links.Add(("core", "/proc/kcore"));
            foreach (var (name, target) in links)
            {
                try
                {
                    Sys.SymlinkAt(target, dev, name);
                }
                catch (SyscallException e) when (e.Errno == 17) { } // EEXIST: the image has it
            }
            if (hasDevPts)
            {
                Sys.TryUnlinkAt(dev, "ptmx");
                Sys.SymlinkAt("pts/ptmx", dev, "ptmx");
            }
        }
        finally
        {
            Sys.Close(dev);
        }
    }
}
