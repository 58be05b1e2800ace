using System.Runtime.InteropServices;

namespace Oci.Runtime.Interop;

/// <summary>libc calls and kernel structures that Tmds.LibC does not have. Only <see cref="Sys"/> and <see cref="RtNetlink"/> use these.</summary>
internal static unsafe partial class Native
{
    const string Libc = "libc.so.6";

    // x86_64 system call numbers of calls without a libc wrapper in glibc 2.36.
    public const long SYS_capget = 125, SYS_capset = 126, SYS_pivot_root = 155, SYS_open_tree = 428,
        SYS_pidfd_open = 434, SYS_seccomp = 317, SYS_openat2 = 437, SYS_mount_setattr = 442,
        SYS_ioprio_set = 251, SYS_ioprio_get = 252, SYS_sched_setattr = 314, SYS_sched_setaffinity = 203,
        SYS_personality = 135, SYS_set_mempolicy = 238, SYS_bpf = 321,
        SYS_setgroups = 116, SYS_setresuid = 117, SYS_setresgid = 119, SYS_keyctl = 250;

    public const uint CLOSE_RANGE_CLOEXEC = 1u << 2;
    public const int SECCOMP_SET_MODE_FILTER = 1;
    public const int PR_SET_PDEATHSIG = 1, PR_SET_DUMPABLE = 4, PR_SET_KEEPCAPS = 8, PR_CAPBSET_DROP = 24,
        PR_SET_NO_NEW_PRIVS = 38, PR_SET_CHILD_SUBREAPER = 36, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_RAISE = 2,
        PR_CAP_AMBIENT_CLEAR_ALL = 4;
    public const uint LINUX_CAPABILITY_VERSION_3 = 0x20080522;
    public const short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    public const int PosixSpawnFileActionsSize = 80, PosixSpawnAttrSize = 336, TermiosSize = 60;

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow { public ulong Flags; public ulong Mode; public ulong Resolve; }

    [StructLayout(LayoutKind.Sequential)]
    public struct MountAttr { public ulong AttrSet; public ulong AttrClr; public ulong Propagation; public ulong UsernsFd; }

    /// <summary>struct sched_attr (SCHED_ATTR_SIZE_VER1, with the utilization clamps).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SchedAttr
    {
        public uint Size; public uint Policy; public ulong Flags; public int Nice; public uint Priority;
        public ulong Runtime; public ulong Deadline; public ulong Period; public uint UtilMin; public uint UtilMax;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit { public ulong Current; public ulong Max; }

    [StructLayout(LayoutKind.Sequential)]
    public struct CapHeader { public uint Version; public int Pid; }

    [StructLayout(LayoutKind.Sequential)]
    public struct CapData { public uint Effective; public uint Permitted; public uint Inheritable; }

    [LibraryImport(Libc, SetLastError = true)]
    public static partial long syscall(long number, nint a1, nint a2, nint a3, nint a4);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial long syscall(long number, nint a1, nint a2, nint a3, nint a4, nint a5);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int close_range(uint first, uint last, uint flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int rename(byte* oldpath, byte* newpath);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int renameat(int olddirfd, byte* oldpath, int newdirfd, byte* newpath);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int renameat2(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, uint flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int unsetenv(byte* name);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    /// <summary>poll(2), with errno kept (Tmds.LibC's binding loses it, so that an EINTR looked like a failure).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    public static partial int poll(Tmds.Linux.pollfd* fds, ulong nfds, int timeout);

    /// <summary>waitid(2); <c>idtype</c> P_PIDFD (3) takes a pidfd as <c>id</c>. <c>info</c> is a siginfo_t (128 bytes).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    public static partial int waitid(int idtype, uint id, byte* info, int options);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int prlimit(int pid, int resource, RLimit* newLimit, RLimit* oldLimit);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int setdomainname(byte* name, nint length);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int fchown(int fd, uint uid, uint gid);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int fchmod(int fd, uint mode);

    /// <summary>statfs(2); <paramref name="buffer"/> is struct statfs, 15 longs on x86_64 (f_flags at index 10).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    public static partial int statfs(byte* path, long* buffer);

    /// <summary>fstatfs(2); <paramref name="buffer"/> as for <see cref="statfs"/> (f_type at index 0).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    public static partial int fstatfs(int fd, long* buffer);

    /// <summary>fstatat(2); <paramref name="buffer"/> is struct stat, 18 longs on x86_64 (st_dev at 0, st_ino
    /// at 1).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    public static partial int fstatat(int dirFd, byte* path, long* buffer, int flags);

    /// <summary>statx(2); <paramref name="buffer"/> is struct statx, 256 bytes (stx_mask at 0, stx_mnt_id at 144).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    public static partial int statx(int dirFd, byte* path, int flags, uint mask, byte* buffer);

    /// <summary>realpath(3) into <paramref name="resolved"/> (PATH_MAX bytes).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    public static partial byte* realpath(byte* path, byte* resolved);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial uint if_nametoindex(byte* name);

    /// <summary>setns(2): joins the namespace open as <c>fd</c>, for the calling thread (a network namespace is per thread).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    public static partial int setns(int fd, int nstype);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int tcgetattr(int fd, byte* termios);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int tcsetattr(int fd, int when, byte* termios);

    [LibraryImport(Libc)]
    public static partial void cfmakeraw(byte* termios);

    [LibraryImport(Libc)]
    public static partial nint signal(int signal, nint handler);

    [LibraryImport(Libc)]
    public static partial int sigprocmask(int how, byte* set, byte* oldSet);

    [LibraryImport(Libc)]
    public static partial int sigfillset(byte* set);

    [LibraryImport(Libc)]
    public static partial int sigemptyset(byte* set);

    [LibraryImport(Libc)]
    public static partial int posix_spawn(int* pid, byte* path, byte* fileActions, byte* attributes, byte** argv, byte** envp);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_init(byte* fileActions);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_destroy(byte* fileActions);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_adddup2(byte* fileActions, int fd, int newFd);

    /// <summary>glibc 2.29+: the child changes directory before it executes.</summary>
    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_addchdir_np(byte* fileActions, byte* path);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_init(byte* attributes);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_destroy(byte* attributes);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setflags(byte* attributes, short flags);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setsigdefault(byte* attributes, byte* signals);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setsigmask(byte* attributes, byte* signals);
}
