using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Oci.Runtime.Interop;

/// <summary>
/// The runtime's only door to the kernel: thin wrappers over libc (through Tmds.LibC where it has the call, and
/// <see cref="Native"/> where it does not) that turn a failure into a <see cref="SyscallException"/> naming what
/// was attempted. Code elsewhere never calls libc directly.
/// </summary>
internal static unsafe partial class Sys
{
    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100,
        O_TRUNC = 0x200, O_NONBLOCK = 0x800, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000,
        O_PATH = 0x200000;
    public const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000;

    public static int LastErrno => Marshal.GetLastPInvokeError();

    static int Check(int result, string what)
    {
        if (result < 0) throw new SyscallException(what, Marshal.GetLastPInvokeError());
        return result;
    }

    static long Check(long result, string what)
    {
        if (result < 0) throw new SyscallException(what, Marshal.GetLastPInvokeError());
        return result;
    }

    // ---- files and descriptors ----

    public static int Open(string path, int flags, uint mode = 0)
    {
        fixed (byte* p = CString.Of(path))
            return Check(open(p, flags | O_CLOEXEC, (mode_t)mode), $"open {path}");
    }

    /// <summary>Like <see cref="Open"/> but returns -1 with <paramref name="errno"/> set instead of throwing.</summary>
    public static int TryOpen(string path, int flags, out int errno, uint mode = 0)
    {
        fixed (byte* p = CString.Of(path))
        {
            int fd = open(p, flags | O_CLOEXEC, (mode_t)mode);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            return fd;
        }
    }

    /// <summary>openat(2) relative to <paramref name="dirFd"/>: the descriptor, or -1 with <paramref name="errno"/> set.</summary>
    public static int TryOpenAt(int dirFd, string path, int flags, out int errno, uint mode = 0)
    {
        fixed (byte* p = CString.Of(path))
        {
            int fd = openat(dirFd, p, flags | O_CLOEXEC, (mode_t)mode);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            return fd;
        }
    }

    /// <summary>openat2(2) with RESOLVE_* flags; returns -1 and the errno instead of throwing, so that callers can
    /// tell "does not exist" from other failures.</summary>
    public static int TryOpenAt2(int dirFd, string path, int flags, ulong resolve, out int errno, uint mode = 0)
    {
        var how = new Native.OpenHow { Flags = (ulong)(flags | O_CLOEXEC), Mode = mode, Resolve = resolve };
        fixed (byte* p = CString.Of(path))
        {
            long fd = Native.syscall(Native.SYS_openat2, dirFd, (nint)p, (nint)(&how), sizeof(Native.OpenHow));
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            return (int)fd;
        }
    }

    public static void Close(int fd)
    {
        if (fd >= 0) close(fd);
    }

    public static void MkdirAt(int dirFd, string name, uint mode)
    {
        fixed (byte* p = CString.Of(name))
            Check(mkdirat(dirFd, p, (mode_t)mode), $"mkdir {name}");
    }

    public static void Fchmod(int fd, uint mode) => Check(Native.fchmod(fd, mode), $"fchmod fd {fd}");

    public static void Mkfifo(string path, uint mode)
    {
        fixed (byte* p = CString.Of(path))
            Check(mkfifo(p, (mode_t)mode), $"mkfifo {path}");
    }

    public static int DupCloexec(int fd, int minimum) =>
        Check(fcntl(fd, F_DUPFD_CLOEXEC, minimum), $"dup fd {fd}");

    public static void Flock(int fd, int operation) => Check(Native.flock(fd, operation), "flock");

    public static int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                long n = read(fd, p, (size_t)(nuint)buffer.Length);
                if (n >= 0) return (int)n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR) throw new SyscallException($"read fd {fd}", errno);
            }
        }
    }

    public static void WriteAll(int fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            byte* p = start;
            long left = buffer.Length;
            while (left > 0)
            {
                long n = write(fd, p, (size_t)(nuint)left);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR) continue;
                    throw new SyscallException($"write fd {fd}", errno);
                }
                p += n;
                left -= n;
            }
        }
    }

    public static (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        Check(pipe2(fds, O_CLOEXEC), "pipe");
        return (fds[0], fds[1]);
    }

    /// <summary>Reads up to <paramref name="limit"/> bytes of a file from its start (a memfd that collected a
    /// child's output or an exported program).</summary>
    public static byte[] ReadBytesFrom(int fd, int limit)
    {
        var buffer = new byte[limit];
        int total = 0;
        fixed (byte* p = buffer)
        {
            while (total < limit)
            {
                long n = pread(fd, p + total, (size_t)(nuint)(limit - total), total);
                if (n <= 0) break;
                total += (int)n;
            }
        }
        return buffer[..total];
    }

    public static (int, int) SocketPair(bool messages = false)
    {
        const int SOCK_SEQPACKET = 5;
        int* fds = stackalloc int[2];
        Check(socketpair(AF_UNIX, (messages ? SOCK_SEQPACKET : SOCK_STREAM) | SOCK_CLOEXEC, 0, fds), "socketpair");
        return (fds[0], fds[1]);
    }

    /// <summary>A close-on-exec memfd that can be sealed.</summary>
    public static int MemfdSealable(string name)
    {
        fixed (byte* p = CString.Of(name))
            return Check(memfd_create(p, MFD_CLOEXEC | MFD_ALLOW_SEALING), "memfd_create");
    }

    /// <summary>Seals a memfd against every change, sealing included.</summary>
    public static void SealAll(int fd) =>
        Check(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE), "sealing memfd");

    /// <summary>unlinkat(2) of a file; a missing one is not an error.</summary>
    public static void TryUnlinkAt(int dirFd, string name)
    {
        fixed (byte* p = CString.Of(name))
            unlinkat(dirFd, p, 0);
    }

    public static void SetWindowSize(int fd, ushort rows, ushort columns)
    {
        var size = stackalloc ushort[4];
        size[0] = rows;
        size[1] = columns;
        Check(ioctl(fd, TIOCSWINSZ, size), "TIOCSWINSZ");
    }

    /// <summary>shutdown(2) of the writing side: the peer reads end-of-file once it has read what was sent.</summary>
    public static void ShutdownWrite(int socket) => Check(shutdown(socket, SHUT_WR), "shutdown");

    /// <summary>SO_SNDBUFFORCE (root may exceed wmem_max), else SO_SNDBUF, of <paramref name="socket"/>.</summary>
    public static void SetSendBuffer(int socket, int bytes)
    {
        const int SO_SNDBUF = 7, SO_SNDBUFFORCE = 32;
        int value = bytes;
        if (setsockopt(socket, SOL_SOCKET, SO_SNDBUFFORCE, &value, sizeof(int)) != 0)
            setsockopt(socket, SOL_SOCKET, SO_SNDBUF, &value, sizeof(int));
    }

    /// <summary>Sends one message on a SOCK_SEQPACKET socket, with <paramref name="fds"/> attached; false when the
    /// peer is gone (EPIPE, ECONNRESET).</summary>
    public static bool SendMessage(int socket, ReadOnlySpan<byte> data, ReadOnlySpan<int> fds)
    {
        const int MSG_NOSIGNAL = 0x4000, EPIPE = 32, ECONNRESET = 104;
        int controlLength = fds.Length == 0 ? 0 : CmsgSpace(fds.Length);
        byte* control = stackalloc byte[Math.Max(controlLength, 1)];
        if (controlLength > 0)
        {
            new Span<byte>(control, controlLength).Clear();
            var header = (cmsghdr*)control;
            header->cmsg_len = (uint)(16 + 4 * fds.Length);
            header->cmsg_level = SOL_SOCKET;
            header->cmsg_type = SCM_RIGHTS;
            fds.CopyTo(new Span<int>(control + 16, fds.Length));
        }
        long n;
        fixed (byte* b = data)
        {
            var iov = new iovec { iov_base = b, iov_len = data.Length };
            var message = new msghdr { msg_iov = &iov, msg_iovlen = 1, msg_control = controlLength > 0 ? control : null, msg_controllen = controlLength };
            do n = sendmsg(socket, &message, MSG_NOSIGNAL);
            while (n < 0 && Marshal.GetLastPInvokeError() == EINTR);
        }
        if (n < 0 && Marshal.GetLastPInvokeError() is EPIPE or ECONNRESET) return false;
        Check((int)Math.Min(n, 0), "sendmsg");
        return true;
    }

    /// <summary>Receives one message from a SOCK_SEQPACKET socket into <paramref name="buffer"/>, with the
    /// descriptors that came with it (close-on-exec); 0 at end of stream.</summary>
    public static int ReceiveMessage(int socket, Span<byte> buffer, int maxFds, out int[] fds)
    {
        const int MSG_TRUNC = 0x20, MSG_CTRUNC = 0x8, ECONNRESET = 104;
        int controlLength = CmsgSpace(maxFds);
        byte* control = stackalloc byte[controlLength];
        long n;
        var received = new List<int>();
        fixed (byte* b = buffer)
        {
            var iov = new iovec { iov_base = b, iov_len = buffer.Length };
            var message = new msghdr { msg_iov = &iov, msg_iovlen = 1, msg_control = control, msg_controllen = controlLength };
            do n = recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
            while (n < 0 && Marshal.GetLastPInvokeError() == EINTR);
            if (n < 0 && Marshal.GetLastPInvokeError() == ECONNRESET) n = 0;
            Check((int)Math.Min(n, 0), "recvmsg");
            var header = (cmsghdr*)control;
            if (message.msg_controllen >= 16 && header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS)
                for (int i = 0; i < ((int)header->cmsg_len - 16) / 4; i++) received.Add(((int*)(control + 16))[i]);
            fds = [.. received];
            if ((message.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0)
            {
                foreach (int fd in fds) Close(fd);
                throw new OciException($"message on fd {socket} too large");
            }
        }
        return (int)n;
    }

    /// <summary>CMSG_SPACE for <paramref name="count"/> descriptors (a 16-byte header, ints padded to 8 bytes).</summary>
    static int CmsgSpace(int count) => 16 + ((4 * count + 7) & ~7);

    /// <summary>Receives a descriptor sent with SCM_RIGHTS; -1 when none is waiting (the socket is read without
    /// blocking).</summary>
    public static int TryReceiveFd(int socket)
    {
        const int controlLength = 24;
        byte* control = stackalloc byte[controlLength];
        byte* body = stackalloc byte[256];
        var iov = new iovec { iov_base = body, iov_len = 256 };
        var message = new msghdr { msg_iov = &iov, msg_iovlen = 1, msg_control = control, msg_controllen = controlLength };
        long n = recvmsg(socket, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n <= 0 || message.msg_controllen < 20) return -1;
        var header = (cmsghdr*)control;
        return header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS ? *(int*)(control + 16) : -1;
    }

    public static bool IsTerminal(int fd) => isatty(fd) == 1;

    /// <summary>Puts a terminal in raw mode; returns its previous settings for <see cref="RestoreTerminal"/>.</summary>
    public static byte[] MakeRaw(int fd)
    {
        var saved = new byte[Native.TermiosSize];
        var raw = stackalloc byte[Native.TermiosSize];
        fixed (byte* p = saved)
            Check(Native.tcgetattr(fd, p), "tcgetattr");
        saved.AsSpan().CopyTo(new Span<byte>(raw, Native.TermiosSize));
        Native.cfmakeraw(raw);
        Check(Native.tcsetattr(fd, 0 /* TCSANOW */, raw), "tcsetattr");
        return saved;
    }

    public static void RestoreTerminal(int fd, byte[] saved)
    {
        fixed (byte* p = saved)
            Native.tcsetattr(fd, 0, p);
    }

    /// <summary>The size of the terminal on <paramref name="fd"/>, or null when it is not one.</summary>
    public static (ushort Rows, ushort Columns)? GetWindowSize(int fd)
    {
        var size = stackalloc ushort[4];
        if (ioctl(fd, TIOCGWINSZ, size) < 0) return null;
        return (size[0], size[1]);
    }

    /// <summary>unlink(2); returns the errno, 0 on success.</summary>
    public static int TryUnlink(string path)
    {
        fixed (byte* p = CString.Of(path))
            return unlink(p) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>rmdir(2); returns the errno, 0 on success.</summary>
    public static int TryRmdir(string path)
    {
        fixed (byte* p = CString.Of(path))
            return rmdir(p) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public static void Rename(string from, string to)
    {
        fixed (byte* f = CString.Of(from))
        fixed (byte* t = CString.Of(to))
            Check(Native.rename(f, t), $"rename {from} {to}");
    }

    /// <summary>renameat2(2) with RENAME_EXCHANGE: swaps two existing names atomically; returns the errno, 0 on
    /// success (EINVAL where the filesystem cannot exchange).</summary>
    public static int TryRenameExchange(string from, string to)
    {
        const uint RENAME_EXCHANGE = 2;
        fixed (byte* f = CString.Of(from))
        fixed (byte* t = CString.Of(to))
            return Native.renameat2(AT_FDCWD, f, AT_FDCWD, t, RENAME_EXCHANGE) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>renameat(2): <paramref name="from"/> in <paramref name="fromDir"/> to <paramref name="to"/> in
    /// <paramref name="toDir"/>; a symlink at <paramref name="to"/> is replaced, never followed.</summary>
    public static void RenameAt(int fromDir, string from, int toDir, string to)
    {
        fixed (byte* f = CString.Of(from))
        fixed (byte* t = CString.Of(to))
            Check(Native.renameat(fromDir, f, toDir, t), $"rename {from} {to}");
    }

    /// <summary>Writes a whole file with open(O_CREAT|O_TRUNC), write and close.</summary>
    /// <remarks>Not File.WriteAllBytes: it opens without O_TRUNC and then calls ftruncate(0), and on ext4 a
    /// truncation to zero marks the file for block allocation when it is closed (auto_da_alloc), so every
    /// state.json written cost a synchronous flush at close and a discard when it was deleted.</remarks>
    public static void WriteFile(string path, ReadOnlySpan<byte> data, uint mode = 0x1a4 /* 0644 */)
    {
        int fd = Open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
        try
        {
            WriteAll(fd, data);
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>Reads a whole (small) text file; null when it does not exist or cannot be read.</summary>
    public static string? TryReadText(string path)
    {
        try
        {
            return TryReadFile(path) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;
        }
        catch (SyscallException)
        {
            return null;
        }
    }

    /// <summary>Reads a whole (small) file; null when it does not exist.</summary>
    public static byte[]? TryReadFile(string path)
    {
        int fd = TryOpen(path, O_RDONLY, out int errno);
        if (fd < 0) return errno == ENOENT ? null : throw new SyscallException($"open {path}", errno);
        try
        {
            // Sized by fstat: a short-lived command never collects garbage, so every byte it allocates is fresh
            // memory that the GC zeroes. A 4 KiB guess and a copy per state.json were a seventh of list's CPU.
            // Files under /proc and /sys say 0 and start at 4 KiB.
            long size = FileStat(fd).Size;
            var buffer = new byte[size > 0 && size < int.MaxValue ? (int)size : 4096];
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    // Full: one more byte tells whether the file ends here or goes on (it grew, or it is under /proc).
                    byte next;
                    if (Read(fd, new Span<byte>(&next, 1)) == 0) return buffer;
                    Array.Resize(ref buffer, buffer.Length * 2);
                    buffer[length++] = next;
                }
                int n = Read(fd, buffer.AsSpan(length));
                if (n == 0) return length == buffer.Length ? buffer : buffer.AsSpan(0, length).ToArray();
                length += n;
            }
        }
        finally
        {
            Close(fd);
        }
    }

    // ---- mounts ----

    public static void Chmod(string path, uint mode)
    {
        fixed (byte* p = CString.Of(path))
            Check(chmod(p, (mode_t)mode), $"chmod {path}");
    }

    /// <summary>open_tree(2): a detached copy of the mount at <paramref name="path"/>.</summary>
    public static int OpenTree(int dirFd, string path, uint flags)
    {
        fixed (byte* p = CString.Of(path))
            return (int)Check(Native.syscall(Native.SYS_open_tree, dirFd, (nint)p, (nint)flags, 0), $"open_tree {path}");
    }

    /// <summary>mount_setattr(2): change attributes of a mount (recursively with AT_RECURSIVE).</summary>
    public static void MountSetattr(int dirFd, string path, uint flags, ulong set, ulong clear, ulong propagation = 0, int usernsFd = -1)
    {
        // The user namespace is read only with MOUNT_ATTR_IDMAP in set.
        var attr = new Native.MountAttr { AttrSet = set, AttrClr = clear, Propagation = propagation, UsernsFd = usernsFd < 0 ? 0 : (ulong)usernsFd };
        fixed (byte* p = CString.Of(path))
            Check(Native.syscall(Native.SYS_mount_setattr, dirFd, (nint)p, (nint)flags, (nint)(&attr), sizeof(Native.MountAttr)),
                $"mount_setattr {path}");
    }

    // ---- process ----

    // setgroups, setresgid and setresuid as raw system calls, which change the credentials of the calling thread
    // only. glibc's wrappers instead signal every other thread of the process (the .NET finalizer thread, ...) and
    // wait for each to make the same call, so that POSIX's process-wide credentials hold. Only the container's
    // init calls these, on its main thread, and that thread then execve()s: the kernel ends the other threads and
    // the new program runs with the calling thread's credentials. Nothing the other threads do in between depends
    // on the user (capabilities, set with capset, were already per thread), and hooks are spawned from the main
    // thread, so they inherit its credentials as before.
    public static int Prctl(int option, ulong arg2 = 0, ulong arg3 = 0, ulong arg4 = 0, ulong arg5 = 0) =>
        Check(Native.prctl(option, arg2, arg3, arg4, arg5), $"prctl {option}");

    /// <summary>This process's soft and hard limit of <paramref name="resource"/> (getrlimit).</summary>
    public static (ulong Soft, ulong Hard) GetRlimit(int resource)
    {
        Native.RLimit limit;
        Check(Native.prlimit(0, resource, null, &limit), $"getrlimit {resource}");
        return (limit.Current, limit.Max);
    }

    public static void SetRlimit(int resource, ulong soft, ulong hard)
    {
        var limit = new Native.RLimit { Current = soft, Max = hard };
        Check(Native.prlimit(0, resource, &limit, null), $"setrlimit {resource}");
    }

    public static void CapSet(uint effective, uint effectiveHigh, uint permitted, uint permittedHigh,
        uint inheritable, uint inheritableHigh)
    {
        var header = new Native.CapHeader { Version = Native.LINUX_CAPABILITY_VERSION_3, Pid = 0 };
        var data = stackalloc Native.CapData[2];
        data[0] = new Native.CapData { Effective = effective, Permitted = permitted, Inheritable = inheritable };
        data[1] = new Native.CapData { Effective = effectiveHigh, Permitted = permittedHigh, Inheritable = inheritableHigh };
        Check(Native.syscall(Native.SYS_capset, (nint)(&header), (nint)data, 0, 0), "capset");
    }

    /// <summary>The file type bits (S_IFMT of st_mode) and st_rdev of an open descriptor (O_PATH is enough).</summary>
    public static (uint Type, ulong Rdev) FileTypeAndDevice(int fd)
    {
        var buffer = stackalloc long[18];
        fixed (byte* p = CString.Of(""))
            Check(Native.fstatat(fd, p, buffer, AT_EMPTY_PATH), $"stat fd {fd}");
        // struct stat on x86_64: st_mode is the low half of the fourth long, st_rdev the sixth.
        return ((uint)buffer[3] & 0xF000, (ulong)buffer[5]);
    }

    /// <summary>fstat(2): the file's whole st_mode, its st_rdev and its size.</summary>
    public static (uint Mode, ulong Rdev, long Size) FileStat(int fd)
    {
        var buffer = stackalloc long[18];
        fixed (byte* p = CString.Of(""))
            Check(Native.fstatat(fd, p, buffer, AT_EMPTY_PATH), $"stat fd {fd}");
        // struct stat on x86_64: st_mode is the low half of the fourth long, st_rdev the sixth, st_size the seventh.
        return ((uint)buffer[3], (ulong)buffer[5], buffer[6]);
    }

    /// <summary>fstatfs(2): the f_type of the filesystem <paramref name="fd"/> is on.</summary>
    public static long FilesystemType(int fd)
    {
        var buffer = stackalloc long[15];
        Check(Native.fstatfs(fd, buffer), $"fstatfs fd {fd}");
        return buffer[0];
    }

    /// <summary>fstat(2): the file's st_uid.</summary>
    public static uint FileOwner(int fd)
    {
        var buffer = stackalloc long[18];
        fixed (byte* p = CString.Of(""))
            Check(Native.fstatat(fd, p, buffer, AT_EMPTY_PATH), $"stat fd {fd}");
        // struct stat on x86_64: st_uid is the high half of the fourth long.
        return (uint)((ulong)buffer[3] >> 32);
    }

    /// <summary>The (device, inode) pair that identifies the file at <paramref name="path"/> (a namespace file:
    /// two paths name the same namespace when their identities are equal).</summary>
    public static (ulong Device, ulong Inode) FileIdentity(string path)
    {
        var buffer = stackalloc long[18];
        fixed (byte* p = CString.Of(path))
            Check(Native.fstatat(AT_FDCWD, p, buffer, 0), $"stat {path}");
        return ((ulong)buffer[0], (ulong)buffer[1]);
    }

    /// <summary>statx(2)'s id of the mount that holds <paramref name="path"/> (symbolic links followed), or 0 when
    /// the kernel gives none (before 5.8).</summary>
    public static ulong MountId(string path)
    {
        const uint STATX_MNT_ID = 0x1000;
        ulong id = StatxMountId(path, 0, STATX_MNT_ID, out int errno);
        if (errno != 0) throw new SyscallException($"statx {path}", errno);
        return id;
    }

    /// <summary>statx(2)'s unique (64-bit) id of the mount that holds <paramref name="path"/> itself (a symbolic link
    /// not followed), which statmount takes, or 0 when the kernel gives none (before 6.8) or the path is not there.</summary>
    public static ulong UniqueMountId(string path)
    {
        const uint STATX_MNT_ID_UNIQUE = 0x4000;
        return StatxMountId(path, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID_UNIQUE, out _);
    }

    /// <summary>statx(2) asking for <paramref name="mask"/> (one of the mount ids, at stx_mnt_id): the id, 0 when the
    /// kernel did not give it; <paramref name="errno"/> is statx's error, 0 on success.</summary>
    static ulong StatxMountId(string path, int flags, uint mask, out int errno)
    {
        var buffer = stackalloc byte[256];
        int result;
        fixed (byte* p = CString.Of(path))
            result = Native.statx(AT_FDCWD, p, flags, mask, buffer);
        errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
        // struct statx: stx_mask at 0, stx_mnt_id at 144.
        return result == 0 && (*(uint*)buffer & mask) != 0 ? *(ulong*)(buffer + 144) : 0;
    }

    /// <summary>statmount(2) (Linux 6.8) of mount <paramref name="uniqueId"/>: its filesystem type, root, mount point and
    /// superblock options (null when the kernel gave none: the mount has none, or the kernel is older than 6.11); null
    /// when the kernel cannot tell.</summary>
    public static (string Type, string Root, string Point, string? Options)? StatMount(ulong uniqueId)
    {
        const long SYS_statmount = 457;
        const ulong STATMOUNT_MNT_ROOT = 0x8, STATMOUNT_MNT_POINT = 0x10, STATMOUNT_FS_TYPE = 0x20, STATMOUNT_MNT_OPTS = 0x80;
        const ulong Wanted = STATMOUNT_MNT_ROOT | STATMOUNT_MNT_POINT | STATMOUNT_FS_TYPE | STATMOUNT_MNT_OPTS;
        // struct mnt_id_req (MNT_ID_REQ_SIZE_VER0): size, spare, mnt_id, param.
        var request = stackalloc ulong[3];
        request[0] = 24;
        request[1] = uniqueId;
        request[2] = Wanted;
        const int Size = 8192;
        var buffer = stackalloc byte[Size];
        if (Native.syscall(SYS_statmount, (nint)request, (nint)buffer, Size, 0) < 0) return null;
        // struct statmount: mnt_opts at 4, mask at 8, fs_type at 36, mnt_root at 104, mnt_point at 108, the strings from 512.
        ulong mask = *(ulong*)(buffer + 8);
        if ((mask & (STATMOUNT_MNT_ROOT | STATMOUNT_MNT_POINT | STATMOUNT_FS_TYPE)) != (STATMOUNT_MNT_ROOT | STATMOUNT_MNT_POINT | STATMOUNT_FS_TYPE))
            return null;
        return (At(buffer, 36), At(buffer, 104), At(buffer, 108), (mask & STATMOUNT_MNT_OPTS) != 0 ? At(buffer, 4) : null);

        static string At(byte* statmount, int field) => Marshal.PtrToStringUTF8((nint)(statmount + 512 + *(uint*)(statmount + field)))!;
    }

    /// <summary>realpath(3): <paramref name="path"/> absolute, with no symbolic link, "." or "..".</summary>
    public static string RealPath(string path)
    {
        var resolved = stackalloc byte[4096];
        fixed (byte* p = CString.Of(path))
            if (Native.realpath(p, resolved) is null) throw new SyscallException($"realpath {path}", Marshal.GetLastPInvokeError());
        return Marshal.PtrToStringUTF8((nint)resolved)!;
    }

    /// <summary>The (device, inode) pair that identifies the file open as <paramref name="fd"/>.</summary>
    public static (ulong Device, ulong Inode) FileIdentity(int fd)
    {
        var buffer = stackalloc long[18];
        fixed (byte* p = CString.Of(""))
            Check(Native.fstatat(fd, p, buffer, AT_EMPTY_PATH), $"stat fd {fd}");
        return ((ulong)buffer[0], (ulong)buffer[1]);
    }

    /// <summary>The index of network interface <paramref name="name"/> in the calling thread's network namespace
    /// (if_nametoindex(3)).</summary>
    public static int InterfaceIndex(string name)
    {
        uint index;
        fixed (byte* n = CString.Of(name))
            index = Native.if_nametoindex(n);
        if (index == 0) throw new SyscallException($"network device {name}", Marshal.GetLastPInvokeError());
        return (int)index;
    }

    /// <summary>The calling thread's permitted capability set (capget(2)).</summary>
    public static ulong CapGetPermitted()
    {
        var header = new Native.CapHeader { Version = Native.LINUX_CAPABILITY_VERSION_3, Pid = 0 };
        var data = stackalloc Native.CapData[2];
        Check(Native.syscall(Native.SYS_capget, (nint)(&header), (nint)data, 0, 0), "capget");
        return data[0].Permitted | ((ulong)data[1].Permitted << 32);
    }

    public static int Kill(int pid, int signal) => kill(pid, signal) == 0 ? 0 : Marshal.GetLastPInvokeError();

    public static uint GetUid() => getuid();

    public static uint GetEuid() => geteuid();

    public static uint GetEgid() => getegid();

    /// <summary>Whether the caller may write to <paramref name="path"/> (access(2) with W_OK, by the real ids).</summary>
    public static bool MayWrite(string path)
    {
        fixed (byte* p = CString.Of(path))
            return access(p, 2 /* W_OK */) == 0;
    }

    public static uint GetGid() => getgid();

    /// <summary>Waits for a child; returns its raw wait status, retrying on EINTR.</summary>
    public static int WaitPid(int pid)
    {
        int status;
        while (Native.waitpid(pid, &status, 0) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR) throw new SyscallException($"waitpid {pid}", errno);
        }
        return status;
    }

    /// <summary>Opens a pidfd, or returns -1 when the process no longer exists.</summary>
    public static int PidfdOpen(int pid)
    {
        long fd = Native.syscall(Native.SYS_pidfd_open, pid, 0, 0, 0);
        return fd < 0 ? -1 : (int)fd;
    }

    /// <summary>Waits until <paramref name="fd"/> is readable (a pidfd: the process exited) or the timeout passes.</summary>
    public static bool PollReadable(int fd, int timeoutMilliseconds)
    {
        var pfd = new pollfd { fd = fd, events = POLLIN };
        while (true)
        {
            int n = Native.poll(&pfd, 1, timeoutMilliseconds);
            if (n >= 0) return n > 0;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR) throw new SyscallException("poll", errno);
        }
    }

    /// <summary>Reaps the child behind <paramref name="pidfd"/> (waitid P_PIDFD): its exit code, or minus the signal
    /// that killed it; null when it has not exited yet (with <paramref name="block"/> false) or is not this process's
    /// child to reap (ECHILD: another waiter reaped it, or it never was).</summary>
    public static int? TryReapPidfd(int pidfd, bool block)
    {
        const int P_PIDFD = 3, WEXITED = 4, WNOHANG = 1, CLD_EXITED = 1, ECHILD = 10;
        byte* info = stackalloc byte[128];
        while (true)
        {
            new Span<byte>(info, 128).Clear();
            if (Native.waitid(P_PIDFD, (uint)pidfd, info, WEXITED | (block ? 0 : WNOHANG)) == 0) break;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR) continue;
            if (errno == ECHILD) return null;
            throw new SyscallException("waitid", errno);
        }
        // siginfo_t: si_signo, si_errno, si_code, padding, then si_pid, si_uid, si_status.
        int pid = *(int*)(info + 16);
        if (pid == 0) return null; // WNOHANG and still running
        int code = *(int*)(info + 8), status = *(int*)(info + 24);
        return code == CLD_EXITED ? status : -status;
    }

    /// <summary>Makes this process a child subreaper: orphans below it are re-parented to it.</summary>
    public static void BecomeChildSubreaper() => Prctl(Native.PR_SET_CHILD_SUBREAPER, 1);

    /// <summary>posix_spawn(3) of <paramref name="path"/> with descriptors placed by dup2, the rest inherited only
    /// where not close-on-exec, in <paramref name="workingDirectory"/> (null: this process's). glibc's posix_spawn
    /// forks with CLONE_VFORK, safe in a multithreaded process.</summary>
    public static int Spawn(string path, IReadOnlyList<string> args, IReadOnlyList<string> env, IReadOnlyList<(int From, int To)> fds,
        string? workingDirectory = null)
    {
        var pins = new List<GCHandle>();
        byte* actions = stackalloc byte[Native.PosixSpawnFileActionsSize];
        byte* attributes = stackalloc byte[Native.PosixSpawnAttrSize];
        Native.posix_spawn_file_actions_init(actions);
        Native.posix_spawnattr_init(attributes);
        try
        {
            foreach (var (from, to) in fds)
                Native.posix_spawn_file_actions_adddup2(actions, from, to);
            if (workingDirectory is not null)
            {
                // glibc keeps its own copy of the path.
                int error;
                fixed (byte* directory = CString.Of(workingDirectory))
                    error = Native.posix_spawn_file_actions_addchdir_np(actions, directory);
                if (error != 0) throw new SyscallException($"spawn {path}: chdir {workingDirectory}", error);
            }
            var allSignals = stackalloc byte[128];
            var noSignals = stackalloc byte[128];
            Native.sigfillset(allSignals);
            Native.sigemptyset(noSignals);
            Native.posix_spawnattr_setsigdefault(attributes, allSignals);
            Native.posix_spawnattr_setsigmask(attributes, noSignals);
            Native.posix_spawnattr_setflags(attributes, Native.POSIX_SPAWN_SETSIGDEF | Native.POSIX_SPAWN_SETSIGMASK);
            nint[] argv = CString.Array(args, pins);
            nint[] envp = CString.Array(env, pins);
            int pid;
            fixed (byte* p = CString.Of(path))
            fixed (nint* a = argv)
            fixed (nint* e = envp)
            {
                int error = Native.posix_spawn(&pid, p, actions, attributes, (byte**)a, (byte**)e);
                if (error != 0) throw new SyscallException($"spawn {path}", error);
            }
            return pid;
        }
        finally
        {
            Native.posix_spawn_file_actions_destroy(actions);
            Native.posix_spawnattr_destroy(attributes);
            foreach (var pin in pins) pin.Free();
        }
    }

    // ---- cgroups: interface files and eBPF device programs ----

    /// <summary>Writes <paramref name="value"/> to an existing file in one write(2) (a cgroup interface file takes
    /// one value a write); returns 0 or the errno. O_APPEND, so that a plain file stands in for a cgroup file in
    /// tests and keeps every value written.</summary>
    public static int TryWriteFile(string path, string value)
    {
        int fd = TryOpen(path, O_WRONLY | 0x400 /* O_APPEND */, out int errno);
        if (fd < 0) return errno;
        try
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(value);
            fixed (byte* p = bytes)
            {
                while (true)
                {
                    long n = write(fd, p, (size_t)(nuint)bytes.Length);
                    if (n >= 0) return 0;
                    int e = Marshal.GetLastPInvokeError();
                    if (e != EINTR) return e;
                }
            }
        }
        finally
        {
            close(fd);
        }
    }

    public const int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8, BPF_PROG_DETACH = 9, BPF_PROG_GET_FD_BY_ID = 13,
        BPF_PROG_QUERY = 16, BPF_PROG_TYPE_CGROUP_DEVICE = 15, BPF_CGROUP_DEVICE = 6, BPF_F_ALLOW_MULTI = 2;

    static long Bpf(int command, byte* attr, int size) => Native.syscall(Native.SYS_bpf, command, (nint)attr, size, 0);

    /// <summary>Loads a BPF_PROG_TYPE_CGROUP_DEVICE program; returns its descriptor. A verifier refusal carries the
    /// verifier's log.</summary>
    public static int BpfLoadCgroupDeviceProgram(ReadOnlySpan<ulong> instructions, string license)
    {
        byte* attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        var log = new byte[65536];
        fixed (ulong* insns = instructions)
        fixed (byte* lic = CString.Of(license))
        fixed (byte* logBuffer = log)
        {
            *(uint*)(attr + 0) = BPF_PROG_TYPE_CGROUP_DEVICE;
            *(uint*)(attr + 4) = (uint)instructions.Length;
            *(ulong*)(attr + 8) = (ulong)insns;
            *(ulong*)(attr + 16) = (ulong)lic;
            long fd = Bpf(BPF_PROG_LOAD, attr, 128);
            if (fd >= 0) return (int)fd;
            int errno = Marshal.GetLastPInvokeError();
            // Load again with the verifier's log to say why.
            *(uint*)(attr + 24) = 1;
            *(uint*)(attr + 28) = (uint)log.Length;
            *(ulong*)(attr + 32) = (ulong)logBuffer;
            Bpf(BPF_PROG_LOAD, attr, 128);
            int end = Array.IndexOf(log, (byte)0);
            string text = System.Text.Encoding.UTF8.GetString(log, 0, end < 0 ? log.Length : end).Trim();
            throw new SyscallException(text.Length == 0 ? "bpf BPF_PROG_LOAD" : $"bpf BPF_PROG_LOAD ({text})", errno);
        }
    }

    /// <summary>Attaches program <paramref name="programFd"/> to the cgroup directory <paramref name="cgroupFd"/>
    /// (BPF_PROG_ATTACH, <paramref name="attachType"/>, <paramref name="flags"/>).</summary>
    public static void BpfAttach(int cgroupFd, int programFd, uint attachType, uint flags)
    {
        byte* attr = stackalloc byte[32];
        new Span<byte>(attr, 32).Clear();
        *(uint*)(attr + 0) = (uint)cgroupFd;
        *(uint*)(attr + 4) = (uint)programFd;
        *(uint*)(attr + 8) = attachType;
        *(uint*)(attr + 12) = flags;
        Check(Bpf(BPF_PROG_ATTACH, attr, 32), "bpf BPF_PROG_ATTACH");
    }

    /// <summary>Detaches program <paramref name="programFd"/> from the cgroup (BPF_PROG_DETACH).</summary>
    public static void BpfDetach(int cgroupFd, int programFd, uint attachType)
    {
        byte* attr = stackalloc byte[32];
        new Span<byte>(attr, 32).Clear();
        *(uint*)(attr + 0) = (uint)cgroupFd;
        *(uint*)(attr + 4) = (uint)programFd;
        *(uint*)(attr + 8) = attachType;
        Check(Bpf(BPF_PROG_DETACH, attr, 32), "bpf BPF_PROG_DETACH");
    }

    /// <summary>The ids of the programs attached to the cgroup itself for <paramref name="attachType"/> (BPF_PROG_QUERY).</summary>
    public static uint[] BpfQuery(int cgroupFd, uint attachType)
    {
        var ids = new uint[64];
        byte* attr = stackalloc byte[64];
        new Span<byte>(attr, 64).Clear();
        fixed (uint* p = ids)
        {
            *(uint*)(attr + 0) = (uint)cgroupFd;
            *(uint*)(attr + 4) = attachType;
            *(ulong*)(attr + 16) = (ulong)p;
            *(uint*)(attr + 24) = (uint)ids.Length;
            Check(Bpf(BPF_PROG_QUERY, attr, 64), "bpf BPF_PROG_QUERY");
            return ids[..(int)*(uint*)(attr + 24)];
        }
    }

    /// <summary>A descriptor of the loaded program <paramref name="id"/> (BPF_PROG_GET_FD_BY_ID).</summary>
    public static int BpfProgramFd(uint id)
    {
        byte* attr = stackalloc byte[16];
        new Span<byte>(attr, 16).Clear();
        *(uint*)attr = id;
        return (int)Check(Bpf(BPF_PROG_GET_FD_BY_ID, attr, 16), $"bpf BPF_PROG_GET_FD_BY_ID {id}");
    }
}
