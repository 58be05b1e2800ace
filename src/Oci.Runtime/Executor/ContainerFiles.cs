using Oci.Runtime.Interop;

namespace Oci.Runtime.Executor;

/// <summary>
/// The runtime's look inside a container being set up, through a descriptor of its root that the executor sent:
/// every path is resolved with RESOLVE_IN_ROOT, so that no symlink of the image leads out of it, and only metadata
/// and small regular files are read (never a FIFO or a device, which could block or have effects).
/// </summary>
internal sealed class ContainerFiles(int rootFd) : IDisposable
{
    const ulong ResolveInRoot = 0x10;
    const int O_NONBLOCK = 0x800, O_NOFOLLOW = 0x20000;
    const uint S_IFMT = 0xF000, S_IFREG = 0x8000;
    const int MaxFile = 4 << 20;

    /// <summary>The st_mode and st_rdev of <paramref name="path"/> (a symlink itself, not its target), or null when
    /// nothing is there.</summary>
    public (uint Type, ulong Rdev)? TypeAndDevice(string path)
    {
        int fd = Sys.TryOpenAt2(rootFd, Relative(path), Sys.O_PATH | O_NOFOLLOW, ResolveInRoot, out _);
        if (fd < 0) return null;
        try
        {
            var (mode, rdev, _) = Sys.FileStat(fd);
            return (mode, rdev);
        }
        finally
        {
            Sys.Close(fd);
        }
    }

    /// <summary>Whether <paramref name="path"/> (symlinks followed inside the root) is a regular file that someone may
    /// execute.</summary>
    public bool IsExecutable(string path)
    {
        int fd = Sys.TryOpenAt2(rootFd, Relative(path), Sys.O_PATH, ResolveInRoot, out _);
        if (fd < 0) return false;
        try
        {
            var (mode, _, _) = Sys.FileStat(fd);
            return (mode & S_IFMT) == S_IFREG && (mode & 0x49) != 0; // any of u+x, g+x, o+x
        }
        finally
        {
            Sys.Close(fd);
        }
    }

    /// <summary>Whether anything is at <paramref name="path"/> (symlinks followed inside the root).</summary>
    public bool Exists(string path)
    {
        int fd = Sys.TryOpenAt2(rootFd, Relative(path), Sys.O_PATH, ResolveInRoot, out _);
        if (fd < 0) return false;
        Sys.Close(fd);
        return true;
    }

    /// <summary>The text of a small regular file (the image's /etc/passwd), or null. The file is opened O_PATH and
    /// checked to be a regular file first: opening a device or a FIFO of the image for reading could have effects.</summary>
    public string? ReadText(string path)
    {
        int handle = Sys.TryOpenAt2(rootFd, Relative(path), Sys.O_PATH, ResolveInRoot, out _);
        if (handle < 0) return null;
        int fd = -1;
        try
        {
            var (mode, _, size) = Sys.FileStat(handle);
            if ((mode & S_IFMT) != S_IFREG || size > MaxFile) return null;
            // Reopened through this process's own /proc: the very file that was checked.
            fd = Sys.TryOpen($"/proc/self/fd/{handle}", Sys.O_RDONLY | O_NONBLOCK, out _);
            return fd < 0 ? null : System.Text.Encoding.UTF8.GetString(Sys.ReadBytesFrom(fd, (int)Math.Min(size + 4096, MaxFile)));
        }
        finally
        {
            Sys.Close(fd);
            Sys.Close(handle);
        }
    }

    static string Relative(string path) => PlanBuilder.Relative(path);

    /// <inheritdoc/>
    public void Dispose() => Sys.Close(rootFd);
}
