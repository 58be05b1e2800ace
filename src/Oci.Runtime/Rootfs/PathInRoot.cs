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
    /// last component as a directory or an empty file.</summary>
    public static int OpenOrCreate(int rootFd, string path, bool directory)
    {
        int fd = TryOpen(rootFd, path);
        if (fd >= 0) return fd;
        var components = Clean(path);
        int parent = Sys.DupCloexec(rootFd, 3);
        try
        {
            for (int i = 0; i < components.Count; i++)
            {
                string prefix = string.Join('/', components.Take(i + 1));
                int next = TryOpen(rootFd, prefix);
                if (next < 0)
                {
                    bool last = i == components.Count - 1;
                    if (last && !directory)
                    {
                        int file = Sys.OpenAt(parent, components[i], Sys.O_CREAT | Sys.O_WRONLY | Sys.O_NOFOLLOW, 0x1A4); // 0644
                        Sys.Close(file);
                    }
                    else
                    {
                        int errno = Sys.TryMkdirAt(parent, components[i], 0x1ED); // 0755
                        if (errno != 0) throw new SyscallException($"creating {prefix} in the container's root", errno);
                    }
                    next = TryOpen(rootFd, prefix);
                    // Still missing: the name is a symlink whose target could not be made inside the root.
                    if (next < 0) throw new OciException($"creating {path} in the container's root: /{prefix} is a dangling symlink");
                }
                Sys.Close(parent);
                parent = next;
            }
            int result = parent;
            parent = -1;
            return result;
        }
        finally
        {
            Sys.Close(parent);
        }
    }

    /// <summary>The path of an open descriptor, for mount(2) and the like: the kernel follows it to the very file
    /// that was opened.</summary>
    public static string ProcPath(int fd) => $"/proc/self/fd/{fd}";

    static string Relative(string path) => string.Join('/', Clean(path)) is { Length: > 0 } p ? p : ".";

    /// <summary>Splits a path lexically as if it were absolute: "." is dropped and ".." never climbs above the
    /// root.</summary>
    internal static List<string> Clean(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return parts;
    }
}
