using Oci.Runtime.Interop;

namespace Oci.Runtime.Rootfs;

/// <summary>
/// Resolves and creates paths inside the container's root without letting a symlink take them out of it: every
/// lookup is openat2(2) with RESOLVE_IN_ROOT, so "..", absolute symlinks and relative ones are all confined to the
/// root as if it were "/". Callers act on the returned O_PATH descriptor (as /proc/self/fd/N), never on a path that
/// could be swapped between the check and the use.
/// </summary>
internal static class PathInRoot
{
    const ulong ResolveNoMagicLinks = 0x02, ResolveInRoot = 0x10;
    const int ENOENT = 2;

    /// <summary>Opens <paramref name="path"/> (taken as absolute inside the root) O_PATH; -1 when it does not
    /// exist.</summary>
    public static int TryOpen(int rootFd, string path)
    {
        int fd = Sys.TryOpenAt2(rootFd, Relative(path), Sys.O_PATH, ResolveInRoot | ResolveNoMagicLinks, out int errno);
        if (fd >= 0) return fd;
        if (errno == ENOENT) return -1;
        throw new SyscallException($"resolving {path} in the container's root", errno);
    }

    /// <summary>Opens <paramref name="path"/> O_PATH, making missing directories on the way with mode 0755 and the
    /// last component as a directory or an empty file. Symlinks on the way are followed as the kernel would with
    /// the root as "/", so a dangling one gets its target made inside the root, never outside.</summary>
    public static int OpenOrCreate(int rootFd, string path, bool directory)
    {
        int fd = TryOpen(rootFd, path);
        if (fd >= 0) return fd;
        const int ELOOP = 40, MaxLinks = 40;
        var pending = new List<string>(LexicalPath.Components(path));
        var resolved = new List<string>(); // components inside the root, none of them a symlink
        int links = 0;
        while (pending.Count > 0)
        {
            string name = pending[0];
            pending.RemoveAt(0);
            int parent = TryOpen(rootFd, Join(resolved));
            if (parent < 0) throw new OciException($"creating {path} in the container's root: /{Join(resolved)} vanished");
            try
            {
                if (Sys.TryReadlinkAt(parent, name) is { } target)
                {
                    if (++links > MaxLinks) throw new SyscallException($"creating {path} in the container's root", ELOOP);
                    var rest = pending;
                    pending = LexicalPath.Components(target.StartsWith('/') ? target : Join(resolved) + "/" + target);
                    pending.AddRange(rest);
                    resolved.Clear();
                    continue;
                }
                int existing = TryOpen(rootFd, Join([.. resolved, name]));
                if (existing >= 0)
                {
                    Sys.Close(existing);
                }
                else if (pending.Count == 0 && !directory)
                {
                    int file = Sys.OpenAt(parent, name, Sys.O_CREAT | Sys.O_WRONLY | Sys.O_NOFOLLOW, 0x1A4); // 0644
                    Sys.Close(file);
                }
                else
                {
                    int errno = Sys.TryMkdirAt(parent, name, 0x1ED); // 0755
                    if (errno != 0) throw new SyscallException($"creating /{Join([.. resolved, name])} in the container's root", errno);
                }
                resolved.Add(name);
            }
            finally
            {
                Sys.Close(parent);
            }
        }
        fd = TryOpen(rootFd, Join(resolved));
        if (fd < 0) throw new OciException($"creating {path} in the container's root: /{Join(resolved)} vanished");
        return fd;
    }

    static string Join(List<string> components) => components.Count == 0 ? "/" : string.Join('/', components);

    /// <summary>The path of an open descriptor, for mount(2) and the like: the kernel follows it to the very file
    /// that was opened.</summary>
    public static string ProcPath(int fd) => $"/proc/self/fd/{fd}";

    static string Relative(string path) => string.Join('/', LexicalPath.Components(path)) is { Length: > 0 } p ? p : ".";

}
