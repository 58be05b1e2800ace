namespace Oci.Runtime.Rootfs;

/// <summary>mount(2) flags and mount_setattr(2) attributes.</summary>
internal static class MountFlags
{
    public const ulong MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16,
        MS_REMOUNT = 32, MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024,
        MS_NODIRATIME = 2048, MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_SILENT = 32768,
        MS_POSIXACL = 1 << 16, MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19,
        MS_SHARED = 1 << 20, MS_RELATIME = 1 << 21, MS_I_VERSION = 1 << 23, MS_STRICTATIME = 1 << 24,
        MS_LAZYTIME = 1 << 25;

    public const ulong PropagationMask = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;

    public const ulong MOUNT_ATTR_RDONLY = 0x1, MOUNT_ATTR_NOSUID = 0x2, MOUNT_ATTR_NODEV = 0x4,
        MOUNT_ATTR_NOEXEC = 0x8, MOUNT_ATTR__ATIME = 0x70, MOUNT_ATTR_RELATIME = 0x0, MOUNT_ATTR_NOATIME = 0x10,
        MOUNT_ATTR_STRICTATIME = 0x20, MOUNT_ATTR_NODIRATIME = 0x80, MOUNT_ATTR_IDMAP = 0x100000,
        MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

    public const int MNT_DETACH = 2;
}
