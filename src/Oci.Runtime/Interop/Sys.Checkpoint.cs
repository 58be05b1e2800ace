using System.Runtime.InteropServices;

namespace Oci.Runtime.Interop;

/// <summary>The calls checkpoint/restore needs besides the others: CRIU restores under a root that must be a mount
/// point, so the runtime binds the bundle's rootfs on a directory of its own for the time of the restore.</summary>
internal static unsafe partial class Sys
{
    const ulong MS_BIND = 0x1000, MS_REC = 0x4000;
    const int MNT_DETACH = 2;

    [LibraryImport("libc.so.6", EntryPoint = "mount", SetLastError = true)]
    private static partial int MountCall(byte* source, byte* target, byte* type, ulong flags, byte* data);

    [LibraryImport("libc.so.6", EntryPoint = "umount2", SetLastError = true)]
    private static partial int Umount2Call(byte* target, int flags);

    /// <summary>mount(2) with MS_BIND|MS_REC of <paramref name="source"/> on <paramref name="target"/>.</summary>
    public static void BindMountRecursive(string source, string target)
    {
        fixed (byte* s = CString.Of(source))
        fixed (byte* t = CString.Of(target))
            Check(MountCall(s, t, null, MS_BIND | MS_REC, null), $"bind {source} on {target}");
    }

    /// <summary>fcntl(F_GETFL) of <paramref name="fd"/>: its file status flags (O_ACCMODE's bits say how it is
    /// open), or -1 when it is no open descriptor.</summary>
    public static int TryGetStatusFlags(int fd) => fd < 0 ? -1 : Tmds.Linux.LibC.fcntl(fd, Tmds.Linux.LibC.F_GETFL, 0);

    /// <summary>fcntl(F_SETFD, FD_CLOEXEC): <paramref name="fd"/> stays this process's, no program it starts gets it.</summary>
    public static void SetCloexec(int fd) =>
        Check(Tmds.Linux.LibC.fcntl(fd, Tmds.Linux.LibC.F_SETFD, Tmds.Linux.LibC.FD_CLOEXEC), $"fcntl F_SETFD fd {fd}");

    /// <summary>umount2(2) with MNT_DETACH; a path that is no mount point (EINVAL) or gone is not an error.</summary>
    public static void TryDetachUnmount(string target)
    {
        fixed (byte* t = CString.Of(target))
            Umount2Call(t, MNT_DETACH);
    }
}
