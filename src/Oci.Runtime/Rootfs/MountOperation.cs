using Oci.Runtime.Init;
using Oci.Runtime.Interop;
using Oci.Runtime.Spec;
using static Oci.Runtime.Rootfs.MountFlags;

namespace Oci.Runtime.Rootfs;

/// <summary>Performs one entry of config.json's <c>mounts</c> inside the container's root.</summary>
internal sealed class MountOperation(InitConfig config, int rootFd, Mount mount, string jsonPath)
{
    const int EPERM = 1, EBUSY = 16;
    readonly MountOptions options = MountOptions.Parse(mount.Options);

    public void Apply()
    {
        try
        {
            string type = mount.Type ?? "";
            if (options.IdMap || options.RecursiveIdMap)
                throw new OciException("id-mapped mounts (idmap, ridmap) are not supported yet");
            if (options.IsBind || type == "bind")
                ApplyBind();
            else if (type == "cgroup")
                new CgroupMount(config, rootFd, mount, options).Apply();
            else
                ApplyFilesystem(type);
            ApplyPropagationAndAttributes();
        }
        catch (OciException e) when (e is not SpecValidationException)
        {
            throw new OciException($"{jsonPath}: mounting {mount.Source ?? mount.Type} on {mount.Destination}: {e.Message}", e);
        }
    }

    void ApplyBind()
    {
        string source = mount.Source ?? throw new SpecValidationException($"{jsonPath}.source", "a bind mount needs a source");
        if (!source.StartsWith('/')) source = Path.Combine(config.Bundle, source);
        bool isDirectory = Directory.Exists(source);
        if (!isDirectory && !File.Exists(source))
            throw new SpecValidationException($"{jsonPath}.source", $"{source} does not exist");
        int fd = PathInRoot.OpenOrCreate(rootFd, mount.Destination, isDirectory);
        try
        {
            Sys.Mount(source, PathInRoot.ProcPath(fd), null, MS_BIND | (options.Flags & MS_REC), null);
        }
        finally
        {
            Sys.Close(fd);
        }
        // A bind mount takes its flags only through a remount.
        ulong extra = options.Flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (extra != 0) RemountBind(extra);
    }

    void RemountBind(ulong flags)
    {
        WithMountPoint(path =>
        {
            int errno = Sys.TryMount(null, path, null, MS_BIND | MS_REMOUNT | flags, null);
            // In a user namespace the kernel locks nosuid, nodev, noexec and atime flags it inherited: keep them.
            if (errno == EPERM)
                Sys.Mount(null, path, null, MS_BIND | MS_REMOUNT | flags | (CurrentFlags(path) & LockedFlags), null);
            else if (errno != 0)
                throw new SyscallException($"remounting {mount.Destination}", errno);
        });
    }

    const ulong LockedFlags = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_RDONLY;

    void ApplyFilesystem(string type)
    {
        string? keptMode = type == "tmpfs" ? ExistingDirectoryMode() : null;
        int fd = PathInRoot.OpenOrCreate(rootFd, mount.Destination, directory: true);
        bool boundHostInstance = false;
        try
        {
            string target = PathInRoot.ProcPath(fd);
            string data = Labelled(options.Data, type);
            // Before the config's options, so that a mode= of its own still wins.
            if (keptMode is not null) data = data.Length == 0 ? keptMode : $"{keptMode},{data}";
            ulong flags = options.Flags;
            // A read-only /dev still gets its devices, /dev/pts and the like made in it: mounted writable now and
            // made read-only by RootfsBuilder.Finish, as runc does.
            if (IsDev(mount)) flags &= ~MS_RDONLY;
            if (options.TmpCopyUp && type == "tmpfs")
            {
                TmpfsCopyUp(target, data);
                return;
            }
            int errno = Sys.TryMount(mount.Source ?? type, target, type, flags, data.Length == 0 ? null : data);
            if (errno == 0) return;
            // Without its own network namespace the container may not mount sysfs, and without its own IPC
            // namespace not mqueue: bind the host's instead, as runc does.
            if ((errno is EPERM or EBUSY) && type == "sysfs")
                Sys.Mount("/sys", target, null, MS_BIND | MS_REC, null);
            else if ((errno is EPERM or EBUSY) && type == "mqueue")
                Sys.Mount("/dev/mqueue", target, null, MS_BIND, null);
            else
                throw new SyscallException($"mount {type}", errno);
            boundHostInstance = true;
        }
        finally
        {
            Sys.Close(fd);
        }
        ulong bindFlags = options.Flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        if (boundHostInstance && bindFlags != 0) RemountBind(bindFlags);
    }

    /// <summary>runc (1.1.8 and later): a tmpfs over a directory the image has keeps that directory's mode
    /// (mode=0755 instead of tmpfs's own 1777, for /run or /tmp of a read-only image); null when the destination does
    /// not exist yet.</summary>
    string? ExistingDirectoryMode()
    {
        int fd = PathInRoot.TryOpen(rootFd, mount.Destination);
        if (fd < 0) return null;
        try
        {
            const uint S_IFMT = 0xF000, S_IFDIR = 0x4000;
            uint mode = Sys.FileModeAndOwner(fd).Mode;
            return (mode & S_IFMT) == S_IFDIR ? "mode=" + Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0') : null;
        }
        finally
        {
            Sys.Close(fd);
        }
    }

    /// <summary>Whether <paramref name="mount"/> is a filesystem (not a bind) mounted on /dev.</summary>
    internal static bool IsDev(Mount mount) =>
        LexicalPath.Components(mount.Destination) is ["dev"] && !MountOptions.Parse(mount.Options).IsBind && mount.Type != "bind";

    /// <summary>tmpcopyup: a tmpfs that starts with the contents the image had at the destination.</summary>
    void TmpfsCopyUp(string target, string data)
    {
        string staging = Directory.CreateTempSubdirectory("oci-run-copyup-").FullName;
        try
        {
            Sys.Mount("tmpfs", staging, "tmpfs", options.Flags & ~MS_RDONLY, data.Length == 0 ? null : data);
            CopyTree(target, staging);
            Sys.Mount(staging, target, null, MS_MOVE, null);
        }
        finally
        {
            Directory.Delete(staging);
        }
        if ((options.Flags & MS_RDONLY) != 0) RemountBind(MS_RDONLY);
    }

    static void CopyTree(string from, string to)
    {
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            string destination = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link)
                File.CreateSymbolicLink(destination, link);
            else if (entry is DirectoryInfo directory)
            {
                Directory.CreateDirectory(destination);
                CopyTree(directory.FullName, destination);
            }
            else if (entry is FileInfo file)
                file.CopyTo(destination);
        }
    }

    void ApplyPropagationAndAttributes()
    {
        if (options.Propagation.Count == 0 && options.RecursiveSet == 0 && options.RecursiveClear == 0) return;
        WithMountPoint(path =>
        {
            foreach (var propagation in options.Propagation)
                Sys.Mount(null, path, null, propagation, null);
            if (options.RecursiveSet != 0 || options.RecursiveClear != 0)
                Sys.MountSetattr(Sys.AT_FDCWD, path, Sys.AT_RECURSIVE, options.RecursiveSet, options.RecursiveClear);
        });
    }

    /// <summary>Runs <paramref name="action"/> with a path to the mount now at the destination (a descriptor
    /// opened before the mount still points below it).</summary>
    void WithMountPoint(Action<string> action)
    {
        int fd = PathInRoot.TryOpen(rootFd, mount.Destination);
        if (fd < 0) throw new OciException($"{mount.Destination} vanished while being mounted");
        try
        {
            action(PathInRoot.ProcPath(fd));
        }
        finally
        {
            Sys.Close(fd);
        }
    }

    string Labelled(string data, string type)
    {
        string? label = config.Spec.Linux?.MountLabel;
        // proc, sysfs, cgroup and mqueue take no context= option.
        if (string.IsNullOrEmpty(label) || type is "proc" or "sysfs" or "cgroup" or "cgroup2" or "mqueue") return data;
        string context = $"context=\"{label}\"";
        return data.Length == 0 ? context : $"{data},{context}";
    }

    /// <summary>The mount flags the mount at <paramref name="path"/> has now.</summary>
    internal static ulong CurrentFlags(string path)
    {
        ulong flags = Sys.StatFsFlags(path);
        // statfs reports ST_RELATIME as 4096; mount(2) spells it MS_RELATIME.
        ulong result = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_MANDLOCK | MS_NOATIME | MS_NODIRATIME);
        if ((flags & 4096) != 0) result |= MS_RELATIME;
        return result;
    }
}
