using Oci.Runtime.Executor;
using Oci.Runtime.Rootfs;
using Oci.Runtime.Spec;
using static Oci.Runtime.Executor.PlanBuilder;
using static Oci.Runtime.Interop.Sys;
using static Oci.Runtime.Rootfs.MountFlags;

namespace Oci.Runtime.Checkpoint;

/// <summary>
/// Makes the mount points of the config's mounts that the rootfs lacks before CRIU restores into it, as runc's
/// prepareCriuRestoreMounts does: CRIU mounts on existing paths only, and a checkpoint restored onto a fresh copy of
/// the rootfs (another host's) has none of what create made. The executor makes them with the plan's MKPATH, which
/// resolves every component inside the rootfs (no symlink leads out of it), in a mount namespace of its own where each
/// bind mount is bound in turn, so that a mount point inside a bind mount is made in the bind's source; the binds go
/// with that namespace when the executor is killed. Nothing under a tmpfs is made: CRIU restores a tmpfs's content.
/// </summary>
internal static class RestoreMountPoints
{
    const uint CloneNewNs = 0x20000;
    const uint OpenTreeClone = 1, AtRecursive = 0x8000;

    public static void Make(RuntimeSpec spec, string rootfs, string bundle)
    {
        var mounts = spec.Mounts ?? [];
        if (mounts.Count == 0) return;
        var tmpfs = mounts.Where(m => m.Type == "tmpfs").Select(m => Clean(m.Destination)).ToList();
        var b = new PlanBuilder();
        using (b.For("mounts"))
        {
            b.Unshare(CloneNewNs, "a mount namespace for the restore's mount points");
            // Nothing bound here may propagate to the host's namespace.
            b.Mount(None, None, MS_REC | MS_PRIVATE, null, null, null, "make its mounts private", targetPath: "/");
        }
        int root;
        using (b.For("root.path"))
            root = b.Open(None, rootfs, O_PATH | O_DIRECTORY, 0);
        for (int i = 0; i < mounts.Count; i++)
        {
            var mount = mounts[i];
            string destination = Clean(mount.Destination);
            if (mount.Type == "cgroup" || tmpfs.Any(t => destination.StartsWith(t == "/" ? "/" : t + "/", StringComparison.Ordinal)))
                continue;
            using var scope = b.For($"mounts[{i}]");
            bool bind = mount.Type == "bind" || MountOptions.Parse(mount.Options).IsBind;
            string source = mount.Source ?? "";
            if (bind && !source.StartsWith('/')) source = Path.Combine(bundle, source);
            bool directory = !bind || Directory.Exists(source);
            b.MakePath(root, mount.Destination, lastIsFile: !directory);
            if (!bind || !directory) continue;
            int tree = b.OpenTree(None, source, OpenTreeClone | AtRecursive, $"bind {source}");
            int target = b.Open(root, mount.Destination, O_PATH | O_DIRECTORY, ResolveInRoot);
            b.MoveMount(tree, target, $"attach it on {mount.Destination} for the mount points inside it");
            b.Close(tree);
            b.Close(target);
        }
        b.Close(root);
        b.Sync(ExecutorSync.Mounted);
        var exe = ExecutorProcess.Start(0);
        try
        {
            if (!exe.Send(b.Take()))
                while (true) exe.Receive();
            exe.Await(ExecutorSync.Mounted);
        }
        finally
        {
            // Its namespace, and the binds in it, go with it.
            exe.Abort();
            exe.Dispose();
        }
    }

    /// <summary>A container path in one spelling: absolute, without "." or empty components.</summary>
    internal static string Clean(string path) => "/" + string.Join('/', LexicalPath.Components(path));
}
