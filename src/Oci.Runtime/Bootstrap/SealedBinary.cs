using Oci.Runtime.Interop;

namespace Oci.Runtime.Bootstrap;

/// <summary>
/// A view of the runtime's own binary that the container cannot write through (CVE-2019-5736: a container process
/// that opens /proc/PID/exe of the runtime's init for writing could replace the host's binary).
/// </summary>
/// <remarks>
/// The binary is executed through a detached, read-only bind mount of itself made with open_tree(2) and
/// mount_setattr(2): the init's /proc/self/exe then points at a file on a read-only mount, so opening it for writing
/// fails with EROFS. This costs two system calls and no memory, where a sealed memfd copy per create costs the
/// binary's size in RAM each time (runc#3973 ran out of memory at 450 concurrent creates). The memfd copy remains
/// as a fallback for kernels without open_tree (before 5.2).
/// </remarks>
internal static class SealedBinary
{
    const uint OpenTreeClone = 1;
    const ulong MountAttrReadOnly = 0x1, MountAttrNoSuid = 0x2, MountAttrNoDev = 0x4;

    /// <summary>Returns a close-on-exec descriptor from which <paramref name="binary"/> can be executed as
    /// <c>/proc/self/fd/N</c>.</summary>
    public static int Open(string binary)
    {
        try
        {
            int fd = Sys.OpenTree(Sys.AT_FDCWD, binary, OpenTreeClone | (uint)Sys.O_CLOEXEC);
            try
            {
                Sys.MountSetattr(fd, "", (uint)Sys.AT_EMPTY_PATH, MountAttrReadOnly | MountAttrNoSuid | MountAttrNoDev, 0);
                return fd;
            }
            catch
            {
                Sys.Close(fd);
                throw;
            }
        }
        catch (SyscallException e) when (e.Errno is 38 /* ENOSYS */ or 1 /* EPERM */ or 22 /* EINVAL */)
        {
            return SealedCopy(binary);
        }
    }

    /// <summary>A sealed memfd holding a copy of the binary.</summary>
    static int SealedCopy(string binary)
    {
        int fd = Sys.MemfdSealable("oci-run");
        try
        {
            using (var source = File.OpenRead(binary))
            using (var target = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(Sys.DupCloexec(fd, 3), true), FileAccess.Write))
                source.CopyTo(target);
            Sys.SealAll(fd);
            return fd;
        }
        catch
        {
            Sys.Close(fd);
            throw;
        }
    }
}
