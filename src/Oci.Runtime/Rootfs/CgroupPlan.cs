using Oci.Runtime.Executor;
using Oci.Runtime.Interop;
using Oci.Runtime.Spec;
using static Oci.Runtime.Executor.PlanBuilder;
using static Oci.Runtime.Rootfs.MountFlags;

namespace Oci.Runtime.Rootfs;

/// <summary>
/// A <c>type: cgroup</c> mount. On a unified host it is one cgroup2 mount; on v1 and hybrid hosts a tmpfs holding a
/// directory per host hierarchy, as runc lays it out. With its own cgroup namespace the container gets real cgroup
/// mounts rooted at its cgroup; without one, bind mounts of its own cgroup directories.
/// </summary>
internal static class CgroupPlan
{
    const int O_DIRECTORY = 0x10000, O_PATH = 0x200000;
    const uint OpenTreeClone = 1, AtRecursive = 0x8000, AtEmptyPath = 0x1000;

    public static void Mount(PlanBuilder b, SetupContext c, int root, Mount mount, MountOptions options, List<int> hostFds)
    {
        ulong flags = options.Flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        var (attributes, _) = RootfsPlan.Attributes(flags, 0);
        if (c.CgroupMountPoints.Count == 1 && c.CgroupMountPoints.ContainsKey(""))
        {
            Hierarchy(b, c, root, mount.Destination, "", attributes, hostFds);
            return;
        }
        // A tmpfs to hold one directory per hierarchy, made read-only (if asked) once they are in place.
        int fs = b.FsOpen("tmpfs");
        b.FsConfig(fs, 1, "mode", "755");
        b.FsConfig(fs, 6, null, null);
        int tmpfs = b.FsMount(fs, attributes & ~MOUNT_ATTR_RDONLY);
        b.Close(fs);
        b.MakePath(root, mount.Destination, lastIsFile: false);
        int target = b.Open(root, mount.Destination, O_PATH | O_DIRECTORY, ResolveInRoot);
        b.MoveMount(tmpfs, target, $"attach a tmpfs on {mount.Destination}");
        b.Close(target);
        foreach (var (key, mountPoint) in c.CgroupMountPoints.OrderBy(p => p.Value, StringComparer.Ordinal))
            Hierarchy(b, c, tmpfs, Path.GetFileName(mountPoint), key, attributes, hostFds);
        if ((attributes & MOUNT_ATTR_RDONLY) != 0)
            b.MountSetattr(tmpfs, recursive: false, MOUNT_ATTR_RDONLY, 0, 0, $"make {mount.Destination} read-only");
        b.Close(tmpfs);
    }

    /// <summary>One hierarchy at <paramref name="destination"/> inside the directory in <paramref name="dir"/>.</summary>
    static void Hierarchy(PlanBuilder b, SetupContext c, int dir, string destination, string key, ulong attributes, List<int> hostFds)
    {
        int tree;
        if (c.NewCgroupNamespace)
        {
            int fs = b.FsOpen(key.Length == 0 ? "cgroup2" : "cgroup");
            foreach (var controller in key.Split(',', StringSplitOptions.RemoveEmptyEntries))
                if (controller.StartsWith("name=", StringComparison.Ordinal)) b.FsConfig(fs, 1, "name", controller[5..]);
                else b.FsConfig(fs, 0, controller, null);
            b.FsConfig(fs, 6, null, null);
            tree = b.FsMount(fs, attributes);
            b.Close(fs);
        }
        else
        {
            if (!c.CgroupPaths.TryGetValue(key, out var hostDirectory)) return;
            int fd = Sys.OpenTree(Sys.AT_FDCWD, hostDirectory, OpenTreeClone | AtRecursive | (uint)Sys.O_CLOEXEC);
            hostFds.Add(fd);
            if (attributes != 0) Sys.MountSetattr(fd, "", AtEmptyPath, attributes, 0);
            tree = b.Fds($"bind {hostDirectory}", fd)[0];
        }
        b.MakePath(dir, destination, lastIsFile: false);
        int target = b.Open(dir, destination, O_PATH | O_DIRECTORY, ResolveInRoot);
        b.MoveMount(tree, target, $"attach the cgroup hierarchy {(key.Length == 0 ? "cgroup2" : key)} on {destination}");
        b.Close(target);
        b.Close(tree);
    }
}
