using Oci.Runtime.Init;
using Oci.Runtime.Interop;
using Oci.Runtime.Spec;
using static Oci.Runtime.Rootfs.MountFlags;

namespace Oci.Runtime.Rootfs;

/// <summary>
/// Builds the container's filesystem inside its new mount namespace, in runc's order: root propagation, the rootfs
/// bound onto itself, the config's mounts, /dev, then pivot_root (or MS_MOVE and chroot), then read-only and masked
/// paths and a read-only root.
/// </summary>
internal sealed class RootfsBuilder(InitConfig config) : IDisposable
{
    readonly RuntimeSpec spec = config.Spec;
    int rootFd = -1;

    /// <summary>Everything before the switch to the new root.</summary>
    public void Prepare()
    {
        ulong propagation = PropagationFlag(spec.Linux?.RootfsPropagation) ?? MS_SLAVE | MS_REC;
        Sys.Mount(null, "/", null, propagation, null);
        MakeParentMountPrivate(config.Rootfs);
        // pivot_root needs the new root to be a mount point; binding it onto itself makes it one.
        Sys.Mount(config.Rootfs, config.Rootfs, null, MS_BIND | MS_REC, null);
        rootFd = Sys.Open(config.Rootfs, Sys.O_PATH | Sys.O_DIRECTORY);

        var mounts = spec.Mounts ?? [];
        for (int i = 0; i < mounts.Count; i++)
            new MountOperation(config, rootFd, mounts[i], $"mounts[{i}]").Apply();

        if (!mounts.Any(m => LexicalPath.Components(m.Destination) is ["dev"] && MountOptions.Parse(m.Options).IsBind))
        {
            var devices = new DeviceSetup(rootFd, config.NewUserNamespace);
            // The config's devices first: one it lists at a default device's path replaces the default.
            devices.CreateConfiguredDevices(spec.Linux?.Devices);
            devices.CreateDefaultDevices();
            devices.CreateSymlinks(hasDevPts: mounts.Any(m => LexicalPath.Components(m.Destination) is ["dev", "pts"]));
        }
    }

    /// <summary>Makes the mount that holds the rootfs private, as runc does: pivot_root refuses a new root whose
    /// parent mount is shared (rootfsPropagation "shared" leaves "/" shared), and the rootfs bind mount must not
    /// propagate back to the host.</summary>
    static void MakeParentMountPrivate(string rootfs)
    {
        const int EINVAL = 22;
        string path = rootfs;
        while (true)
        {
            int errno = Sys.TryMount(null, path, null, MS_PRIVATE, null);
            if (errno == 0) return;
            // EINVAL: not a mount point; the mount holding it is further up.
            if (errno != EINVAL || path == "/") throw new SyscallException($"making the mount of {path} private", errno);
            path = Path.GetDirectoryName(path) ?? "/";
        }
    }

    /// <summary>Makes the rootfs the process's root.</summary>
    public void SwitchRoot()
    {
        Sys.Chdir(config.Rootfs);
        if (config.NoPivot)
        {
            Sys.Mount(config.Rootfs, "/", null, MS_MOVE, null);
            Sys.Chroot(".");
        }
        else
        {
            // pivot_root(".", ".") stacks the old root on top of the new one; unmounting "." then drops it without
            // needing a directory for it inside the container.
            int oldRoot = Sys.Open("/", Sys.O_RDONLY | Sys.O_DIRECTORY);
            try
            {
                Sys.PivotRoot(".", ".");
                Sys.Fchdir(oldRoot);
                Sys.Mount(null, ".", null, MS_SLAVE | MS_REC, null);
                Sys.Umount(".", MNT_DETACH);
            }
            finally
            {
                Sys.Close(oldRoot);
            }
        }
        Sys.Chdir("/");
        Sys.Close(rootFd);
        rootFd = Sys.Open("/", Sys.O_PATH | Sys.O_DIRECTORY);
    }

    /// <summary>Read-only and masked paths, the root's own propagation and read-only root, after the switch.</summary>
    public void Finish()
    {
        var linux = spec.Linux;
        foreach (var path in linux?.ReadonlyPaths ?? []) MakeReadOnly(path);
        foreach (var path in linux?.MaskedPaths ?? []) Mask(path);
        // A read-only /dev was mounted writable so that its contents could be made (MountOperation).
        foreach (var mount in spec.Mounts ?? [])
            if (MountOperation.IsDev(mount) && (MountOptions.Parse(mount.Options).Flags & MS_RDONLY) != 0)
                Remount("/dev", MS_RDONLY);
        if (PropagationFlag(linux?.RootfsPropagation) is { } propagation)
            Sys.Mount(null, "/", null, propagation, null);
        if (spec.Root?.Readonly == true)
            Remount("/", MS_RDONLY);
    }

    void MakeReadOnly(string path)
    {
        int fd = PathInRoot.TryOpen(rootFd, path);
        if (fd < 0) return;
        try
        {
            Sys.Mount(PathInRoot.ProcPath(fd), PathInRoot.ProcPath(fd), null, MS_BIND | MS_REC, null);
        }
        finally
        {
            Sys.Close(fd);
        }
        Remount(path, MS_RDONLY | MS_REC);
    }

    void Mask(string path)
    {
        int fd = PathInRoot.TryOpen(rootFd, path);
        if (fd < 0) return;
        try
        {
            bool isDirectory = Directory.Exists(PathInRoot.ProcPath(fd));
            if (isDirectory)
                Sys.Mount("tmpfs", PathInRoot.ProcPath(fd), "tmpfs", MS_RDONLY, LabelData(null));
            else
                Sys.Mount("/dev/null", PathInRoot.ProcPath(fd), null, MS_BIND, null);
        }
        finally
        {
            Sys.Close(fd);
        }
    }

    string? LabelData(string? data) =>
        string.IsNullOrEmpty(spec.Linux?.MountLabel) ? data
        : string.IsNullOrEmpty(data) ? $"context=\"{spec.Linux!.MountLabel}\"" : $"{data},context=\"{spec.Linux!.MountLabel}\"";

    /// <summary>A bind remount that adds <paramref name="flags"/> and keeps the flags the kernel locks in a user
    /// namespace (nosuid, nodev, noexec, atime).</summary>
    void Remount(string path, ulong flags)
    {
        int fd = PathInRoot.TryOpen(rootFd, path);
        if (fd < 0) return;
        try
        {
            ulong existing = MountOperation.CurrentFlags(PathInRoot.ProcPath(fd));
            Sys.Mount(null, PathInRoot.ProcPath(fd), null, MS_BIND | MS_REMOUNT | existing | flags, null);
        }
        finally
        {
            Sys.Close(fd);
        }
    }

    static ulong? PropagationFlag(string? name) => name switch
    {
        null or "" => null,
        "private" => MS_PRIVATE,
        "rprivate" => MS_PRIVATE | MS_REC,
        "shared" => MS_SHARED,
        "rshared" => MS_SHARED | MS_REC,
        "slave" => MS_SLAVE,
        "rslave" => MS_SLAVE | MS_REC,
        "unbindable" => MS_UNBINDABLE,
        "runbindable" => MS_UNBINDABLE | MS_REC,
        _ => throw new SpecValidationException("linux.rootfsPropagation", $"unknown propagation \"{name}\""),
    };

    public void Dispose()
    {
        Sys.Close(rootFd);
        rootFd = -1;
    }
}
