using System.Globalization;
using Oci.Runtime.Interop;

namespace Oci.Runtime.Lifecycle;

/// <summary>
/// Writes <c>--pid-file</c>: the bare pid (go-runc parses it with Atoi), complete before anyone can see it.
/// The runtime runs as root and the file's directory may be writable by others (a shim's or a user's work
/// directory), so nothing there is trusted: the temporary file is created new (O_EXCL, O_NOFOLLOW) under a name
/// nobody can guess, through a descriptor of the directory, and renamed over the pid file, which replaces whatever
/// is at that name (a symlink included) instead of writing through it.
/// </summary>
internal static class PidFile
{
    const int EEXIST = 17;

    /// <summary>Writes <paramref name="pid"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="OciException">The file cannot be written; the message names <c>--pid-file</c> and the path.</exception>
    public static void Write(string path, int pid)
    {
        string full = Path.GetFullPath(path);
        string name = Path.GetFileName(full);
        string directory = Path.GetDirectoryName(full) ?? "/";
        if (name.Length == 0) throw new OciException($"--pid-file {path}: not a file name");
        int dir = Sys.TryOpen(directory, Sys.O_RDONLY | Sys.O_DIRECTORY, out int errno);
        if (dir < 0) throw Failure(path, new SyscallException($"open {directory}", errno));
        try
        {
            var (temporary, fd) = CreateTemporary(dir, path);
            try
            {
                try
                {
                    Sys.WriteAll(fd, System.Text.Encoding.ASCII.GetBytes(pid.ToString(CultureInfo.InvariantCulture)));
                }
                finally
                {
                    Sys.Close(fd);
                }
                Sys.RenameAt(dir, temporary, dir, name);
            }
            catch (SyscallException e)
            {
                Sys.TryUnlinkAt(dir, temporary);
                throw Failure(path, e);
            }
        }
        finally
        {
            Sys.Close(dir);
        }
    }

    /// <summary>A new file of an unpredictable name in the directory, open for writing. A name that exists (planted,
    /// or left by a crash) is never opened: another is drawn.</summary>
    static (string Name, int Fd) CreateTemporary(int dir, string path)
    {
        const int Attempts = 16;
        for (int i = 0; ; i++)
        {
            // Guid.NewGuid draws from the kernel's random source on Linux (122 random bits), without loading the
            // OpenSSL library that RandomNumberGenerator would.
            string name = $".oci-run-pid-{Guid.NewGuid():N}.tmp";
            int fd = Sys.TryOpenAt(dir, name, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL | Sys.O_NOFOLLOW, out int errno, 0x1a4 /* 0644 */);
            if (fd >= 0) return (name, fd);
            if (errno != EEXIST || i == Attempts - 1) throw Failure(path, new SyscallException($"creating {name}", errno));
        }
    }

    static OciException Failure(string path, SyscallException e) => new($"--pid-file {path}: {e.Message}", e);
}
