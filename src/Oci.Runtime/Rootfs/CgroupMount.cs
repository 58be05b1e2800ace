using Oci.Runtime.Init;
using Oci.Runtime.Interop;
using Oci.Runtime.Spec;
using static Oci.Runtime.Rootfs.MountFlags;

namespace Oci.Runtime.Rootfs;

/// <summary>
/// A <c>type: cgroup</c> mount. On a unified host it is one cgroup2 mount; on v1 and hybrid hosts a tmpfs holding a
/// directory per host hierarchy, as runc lays it out. With its own cgroup namespace the container gets real cgroup
/// mounts rooted at its cgroup; without one, bind mounts of its own cgroup directories.
/// </summary>
internal sealed class CgroupMount(InitConfig config, int rootFd, Mount mount, MountOptions options)
{
    public void Apply()
    {
        ulong flags = options.Flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (config.CgroupMountPoints.Count == 1 && config.CgroupMountPoints.ContainsKey(""))
        {
            MountHierarchy(mount.Destination, "", flags);
            return;
        }
        WithPath(mount.Destination, true, path => Sys.Mount("tmpfs", path, "tmpfs", flags & ~MS_RDONLY, "mode=755"));
        foreach (var (key, mountPoint) in config.CgroupMountPoints.OrderBy(p => p.Value, StringComparer.Ordinal))
            MountHierarchy($"{mount.Destination}/{Path.GetFileName(mountPoint)}", key, flags);
        if ((flags & MS_RDONLY) != 0)
            WithPath(mount.Destination, true, path => Sys.Mount(null, path, null, MS_REMOUNT | flags, "mode=755"));
    }

    void MountHierarchy(string destination, string key, ulong flags)
    {
        if (config.NewCgroupNamespace)
        {
            WithPath(destination, true, path =>
            {
                if (key.Length == 0) Sys.Mount("cgroup2", path, "cgroup2", flags, null);
                else Sys.Mount("cgroup", path, "cgroup", flags, key);
            });
            return;
        }
        if (!config.CgroupPaths.TryGetValue(key, out var hostDirectory)) return;
        WithPath(destination, true, path => Sys.Mount(hostDirectory, path, null, MS_BIND | MS_REC, null));
        ulong remount = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        if (remount != 0)
            WithPath(destination, true, path => Sys.Mount(null, path, null, MS_BIND | MS_REMOUNT | remount, null));
    }

    void WithPath(string destination, bool directory, Action<string> action)
    {
        int fd = PathInRoot.OpenOrCreate(rootFd, destination, directory);
        try
        {
            action(PathInRoot.ProcPath(fd));
        }
        finally
        {
            Sys.Close(fd);
        }
    }
}
