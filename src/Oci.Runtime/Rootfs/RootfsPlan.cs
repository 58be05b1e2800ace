using Oci.Runtime.Executor;
using Oci.Runtime.Interop;
using Oci.Runtime.Spec;
using static Oci.Runtime.Executor.PlanBuilder;
using static Oci.Runtime.Rootfs.MountFlags;

namespace Oci.Runtime.Rootfs;

/// <summary>
/// Plans the container's filesystem in runc's order: root propagation, the rootfs bound onto itself, the config's
/// mounts, /dev, then pivot_root (or MS_MOVE and chroot), then read-only and masked paths and a read-only root.
/// </summary>
/// <remarks>
/// Every mount is made detached and attached with move_mount(2) onto a descriptor of its destination, with its
/// attributes set before it is attached (bind sources are cloned and set on the host side with open_tree(2) and
/// mount_setattr(2); filesystems are made with fsopen(2)/fsmount(2)): no step looks a destination up again after
/// mounting on it, so a symlink swapped in by a neighbour sharing a volume cannot redirect a remount
/// (CVE-2021-30465 class).
/// </remarks>
internal static class RootfsPlan
{
    const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_PATH = 0x200000;
    const uint OpenTreeClone = 1, AtRecursive = 0x8000, AtEmptyPath = 0x1000;
    const uint S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFCHR = 0x2000;
    /// <summary>statfs(2) magic numbers.</summary>
    public const long ProcSuperMagic = 0x9fa0, SysfsMagic = 0x62656572;

    /// <summary>Everything before the runtime's first look inside the container: returns the slot of the rootfs.
    /// <paramref name="hostFds"/> collects the runtime's descriptors sent with the plan, to close once sent.</summary>
    public static int Mounts(PlanBuilder b, SetupContext c, List<int> hostFds)
    {
        var spec = c.Spec;
        using (b.For("linux.rootfsPropagation"))
        {
            b.Mount(None, None, PropagationFlag(spec.Linux?.RootfsPropagation) ?? MS_SLAVE | MS_REC, null, null, null,
                "set the propagation of /", targetPath: "/");
            // pivot_root refuses a new root whose parent mount is shared, and the rootfs bind mount must not
            // propagate back to the host: make the mount that holds the rootfs private, as runc does.
            string parent = MountPointOf(c.Rootfs);
            b.Mount(None, None, MS_PRIVATE, null, null, null, $"make the mount of {parent} private", targetPath: parent);
        }
        using (b.For("root.path"))
            b.Mount(None, None, MS_BIND | MS_REC, c.Rootfs, null, null, $"bind {c.Rootfs} onto itself", targetPath: c.Rootfs);
        int root = b.Open(None, c.Rootfs, O_PATH | O_DIRECTORY, 0);
        var mounts = spec.Mounts ?? [];
        // The mounts a later entry remounts stay open, so that the remount can check it changes that very mount.
        // A loop, not Where().Select(): chained LINQ dispatches a generic virtual method, which a NativeAOT process
        // resolves with its type loader on the first call (see Lifecycle/RuntimeLog.cs).
        var remounted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in mounts)
            if ((MountOptions.Parse(m.Options).Flags & MS_REMOUNT) != 0) remounted.Add(Normalized(m.Destination));
        var made = new Dictionary<string, int>(StringComparer.Ordinal);
        // Id-mapped mounts get their mapping here, on the host side, before they are sent.
        using var idMaps = new IdMapNamespaces();
        for (int i = 0; i < mounts.Count; i++)
            using (b.For($"mounts[{i}]", $"mounting {mounts[i].Source ?? mounts[i].Type} on {mounts[i].Destination}"))
                MountOne(b, c, root, mounts[i], $"mounts[{i}]", hostFds, remounted, made, idMaps);
        foreach (int slot in made.Values) b.Close(slot);
        return root;
    }

    static string Normalized(string path) => "/" + string.Join('/', LexicalPath.Components(path));

    /// <summary>Files under /proc that may be mounted over, as runc allows: those lxcfs provides.</summary>
    static readonly HashSet<string> ReplaceableProcFiles = new(StringComparer.Ordinal)
    {
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps", "/proc/uptime",
        "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid", "/proc/sys/crypto/fips_enabled",
    };

    /// <summary>runc's checkProcMount (CVE-2019-16884): on /proc itself only procfs (a new one, or a bind mount of
    /// one), and under /proc nothing but the files of <see cref="ReplaceableProcFiles"/>. A destination that only
    /// resolves into /proc (through a symlink of the image) is caught when it is opened (<c>CheckNotFilesystem</c>).</summary>
    static void CheckProcDestination(string destination, string type, bool sourceIsProcfs, string field)
    {
        if (destination == "/proc")
        {
            if (type == "proc" || sourceIsProcfs) return;
            throw new SpecValidationException($"{field}.destination", $"\"{destination}\" cannot be mounted because it is not of type proc");
        }
        if (destination.StartsWith("/proc/", StringComparison.Ordinal) && !ReplaceableProcFiles.Contains(destination))
            throw new SpecValidationException($"{field}.destination", $"\"{destination}\" cannot be mounted because it is inside /proc");
    }

    static void MountOne(PlanBuilder b, SetupContext c, int root, Mount mount, string field, List<int> hostFds,
        HashSet<string> remounted, Dictionary<string, int> made, IdMapNamespaces idMaps)
    {
        var options = MountOptions.Parse(mount.Options);
        string type = mount.Type ?? "";
        string destination = Normalized(mount.Destination);
        bool idMapped = IsIdMapped(mount, options, field);
        int tree;
        bool isDirectory = true;
        if ((options.Flags & MS_REMOUNT) != 0)
        {
            // A remount changes the mount an earlier entry made there: found by its destination, as runc does.
            int existing = b.Open(root, mount.Destination, O_PATH, ResolveInRoot);
            // It must be a mount's root and, when an earlier entry mounted there, the very mount that entry made: a
            // symlink inside what was mounted could make the path name another mount since.
            b.CheckMountRoot(existing, made.TryGetValue(destination, out int earlier) ? earlier : existing,
                $"{mount.Destination} is the mount made there before");
            b.Mount(existing, None, options.Flags, null, type.Length == 0 ? null : type,
                Labelled(options.Data, type, c.Spec.Linux?.MountLabel), $"remount {mount.Destination}");
            b.Close(existing);
            return;
        }
        if (options.IsBind || type == "bind")
        {
            string source = mount.Source ?? throw new SpecValidationException($"{field}.source", "a bind mount needs a source");
            if (!source.StartsWith('/')) source = Path.Combine(c.Bundle, source);
            isDirectory = Directory.Exists(source);
            if (!isDirectory && !File.Exists(source)) throw new SpecValidationException($"{field}.source", $"{source} does not exist");
            if (idMapped && c.Rootless)
                throw new SpecValidationException(mount.UidMappings is { Count: > 0 } ? $"{field}.uidMappings" : $"{field}.options", "id-mapped mounts need a runtime with privileges (not rootless)");
            tree = HostTree(b, c, source, (options.Flags & MS_REC) != 0, options, $"bind {source}", hostFds, out long sourceType,
                idMapped ? IdMapNamespace(c, mount, idMaps, field) : -1, options.RecursiveIdMap, field);
            CheckProcDestination(destination, type, sourceType == ProcSuperMagic, field);
        }
        else if (type == "cgroup")
        {
            CgroupPlan.Mount(b, c, root, mount, options, hostFds);
            return;
        }
        else if (type == "sysfs" && c.NewUserNamespace && !c.NewNetworkNamespace)
        {
            CheckProcDestination(destination, type, false, field);
            // In a user namespace without its own network namespace the container may not mount sysfs (the network
            // namespace is not its user namespace's): bind the host's, as runc does.
            tree = HostTree(b, c, "/sys", recursive: true, options, "bind the host's /sys", hostFds, out _);
        }
        else if (type == "mqueue" && c.NewUserNamespace && !c.NewIpcNamespace)
        {
            // Likewise mqueue without its own IPC namespace.
            CheckProcDestination(destination, type, false, field);
            tree = HostTree(b, c, "/dev/mqueue", recursive: false, options, "bind the host's /dev/mqueue", hostFds, out _);
        }
        else
        {
            CheckProcDestination(destination, type, false, field);
            // A read-only /dev still gets its devices and links made in it: mounted writable now, made read-only at
            // the end (Finish), as runc does.
            if (IsDev(mount) && (options.Flags & MS_RDONLY) != 0) options = MountOptions.Parse([.. mount.Options ?? [], "rw"]);
            tree = NewFilesystem(b, type, mount.Source, options, Labelled(options.Data, type, c.Spec.Linux?.MountLabel));
        }

        bool existedInImage = Directory.Exists(Path.Join(c.Rootfs, mount.Destination));
        b.MakePath(root, mount.Destination, lastIsFile: !isDirectory);
        // proc and sysfs go on an ordinary directory: a symlink there (or anywhere on the way) is refused.
        bool strict = type is "proc" or "sysfs";
        int target = b.Open(root, mount.Destination, O_PATH | (isDirectory ? O_DIRECTORY : 0),
            strict ? ResolveInRoot | ResolveNoSymlinks : ResolveInRoot,
            what: strict ? $"filesystem \"{type}\" must be mounted on ordinary directory: open {mount.Destination}" : null);
        // Nothing but procfs goes on /proc, and under it only what lxcfs replaces: a destination that resolved
        // there through a symlink is refused here, where it is known.
        if (destination != "/proc" && !ReplaceableProcFiles.Contains(destination))
            b.CheckNotFilesystem(target, ProcSuperMagic, $"{mount.Destination} does not lead into /proc");
        if (options.TmpCopyUp && type == "tmpfs")
            b.CopyTree(target, tree, $"copy the image's {mount.Destination} into the tmpfs");
        // runc (1.1.8 and later): a tmpfs over a directory the image has keeps that directory's mode (0755 rather
        // than tmpfs's 1777 for /run or /tmp of a read-only image) unless the options give one.
        if (type == "tmpfs" && existedInImage && !DataOptions(options.Data).Any(o => o.Key == "mode"))
            b.CopyMode(target, tree, $"give the tmpfs the mode of {mount.Destination}");
        b.MoveMount(tree, target, $"attach it on {mount.Destination}");
        foreach (var propagation in options.Propagation)
            b.MountSetattr(tree, (propagation & MS_REC) != 0, 0, 0, propagation & ~MS_REC, $"set the propagation of {mount.Destination}");
        b.Close(target);
        if (remounted.Contains(destination))
        {
            if (made.Remove(destination, out int previous)) b.Close(previous);
            made[destination] = tree;
        }
        else
            b.Close(tree);
    }

    /// <summary>Whether <paramref name="mount"/> is id-mapped (the idmap or ridmap option, or mappings of its own,
    /// which runc takes as idmap); refuses what cannot be id-mapped, naming the field.</summary>
    static bool IsIdMapped(Mount mount, MountOptions options, string field)
    {
        bool mappings = mount.UidMappings is { Count: > 0 } || mount.GidMappings is { Count: > 0 };
        if (!options.IdMap && !options.RecursiveIdMap && !mappings) return false;
        string what = mappings ? $"{field}.uidMappings" : $"{field}.options";
        if (!options.IsBind && mount.Type != "bind")
            throw new SpecValidationException(what, "id-mapped mounts are only supported for bind mounts");
        if ((options.Flags & MS_REMOUNT) != 0)
            throw new SpecValidationException($"{field}.options", "a remount cannot change the id mapping of a mount");
        if (options.IdMap && options.RecursiveIdMap)
            throw new SpecValidationException($"{field}.options", "idmap and ridmap cannot both be given");
        return true;
    }

    /// <summary>The user namespace that carries a mount's id mapping: one with the mount's own mappings, else the
    /// container's (its mappings, or the namespace it joins).</summary>
    static int IdMapNamespace(SetupContext c, Mount mount, IdMapNamespaces idMaps, string field)
    {
        if (mount.UidMappings is { Count: > 0 } uid && mount.GidMappings is { Count: > 0 } gid) return idMaps.For(uid, gid, field);
        var user = c.Spec.Linux?.Namespaces?.FirstOrDefault(n => n.Type == "user");
        if (user is null)
            throw new SpecValidationException($"{field}.options", "idmap and ridmap need uidMappings and gidMappings or a user namespace");
        if (!string.IsNullOrEmpty(user.Path)) return idMaps.Open(user.Path, field);
        return idMaps.For(c.Spec.Linux!.UidMappings ?? [], c.Spec.Linux.GidMappings ?? [], "linux");
    }

    /// <summary>A detached clone of a host path with the mount's attributes already set; sent to the executor.
    /// With <paramref name="idMapNamespace"/> (a user namespace's descriptor) the clone is id-mapped through it,
    /// every mount of the tree with <paramref name="recursiveIdMap"/>.</summary>
    static int HostTree(PlanBuilder b, SetupContext c, string source, bool recursive, MountOptions options, string what, List<int> hostFds,
        out long filesystem, int idMapNamespace = -1, bool recursiveIdMap = false, string field = "")
    {
        if (c.Rootless)
        {
            // Without privileges only the executor, in the mount namespace its user namespace owns, may clone a tree;
            // the caller can reach its sources itself. The source's filesystem is not known here (0).
            filesystem = 0;
            return ExecutorTree(b, source, recursive, options, what);
        }
        int fd = Sys.OpenTree(Sys.AT_FDCWD, source, OpenTreeClone | (recursive ? AtRecursive : 0) | (uint)Sys.O_CLOEXEC);
        hostFds.Add(fd);
        filesystem = Sys.FilesystemType(fd);
        // The mapping first: it can only be given to a mount that has none, and nothing below depends on it.
        if (idMapNamespace >= 0)
            try
            {
                Sys.MountSetattr(fd, "", AtEmptyPath | (recursiveIdMap ? AtRecursive : 0), MOUNT_ATTR_IDMAP, 0, usernsFd: idMapNamespace);
            }
            catch (SyscallException e)
            {
                // EINVAL mostly: a filesystem (or, with ridmap, a mount below) that does not support id-mapped mounts.
                throw new SyscallException($"{field}: id-mapping {source} (its filesystem must support id-mapped mounts)", e.Errno);
            }
        var (set, clear) = Attributes(options.Flags, options.ClearedFlags);
        // A bind mount takes ro, nosuid, nodev, noexec and the atime flags on its top mount only, as with runc's
        // remount; the recursive forms (rro, rnosuid, …) reach every mount below.
        if (set != 0 || clear != 0) Sys.MountSetattr(fd, "", AtEmptyPath, set, clear);
        if (options.RecursiveSet != 0 || options.RecursiveClear != 0)
            Sys.MountSetattr(fd, "", AtEmptyPath | AtRecursive, options.RecursiveSet, options.RecursiveClear);
        return b.Fds(what, fd)[0];
    }

    /// <summary>As <see cref="HostTree"/>, by the executor.</summary>
    static int ExecutorTree(PlanBuilder b, string source, bool recursive, MountOptions options, string what)
    {
        int tree = b.OpenTree(None, source, OpenTreeClone | (recursive ? AtRecursive : 0), what);
        var (set, clear) = Attributes(options.Flags, options.ClearedFlags);
        if (set != 0 || clear != 0) b.MountSetattr(tree, recursive: false, set, clear, 0, $"set the attributes of {source}");
        if (options.RecursiveSet != 0 || options.RecursiveClear != 0)
            b.MountSetattr(tree, recursive: true, options.RecursiveSet, options.RecursiveClear, 0, $"set the recursive attributes of {source}");
        return tree;
    }

    /// <summary>mount(2) flags as mount_setattr(2) attributes to set and to clear.</summary>
    internal static (ulong Set, ulong Clear) Attributes(ulong flags, ulong cleared)
    {
        ulong set = 0, clear = 0;
        void Map(ulong flag, ulong attribute)
        {
            if ((flags & flag) != 0) set |= attribute;
            else if ((cleared & flag) != 0) clear |= attribute;
        }
        Map(MS_RDONLY, MOUNT_ATTR_RDONLY);
        Map(MS_NOSUID, MOUNT_ATTR_NOSUID);
        Map(MS_NODEV, MOUNT_ATTR_NODEV);
        Map(MS_NOEXEC, MOUNT_ATTR_NOEXEC);
        Map(MS_NODIRATIME, MOUNT_ATTR_NODIRATIME);
        Map(MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW);
        if ((flags & MS_NOATIME) != 0) (set, clear) = (set | MOUNT_ATTR_NOATIME, clear | MOUNT_ATTR__ATIME);
        else if ((flags & MS_STRICTATIME) != 0) (set, clear) = (set | MOUNT_ATTR_STRICTATIME, clear | MOUNT_ATTR__ATIME);
        else if ((flags & MS_RELATIME) != 0) clear |= MOUNT_ATTR__ATIME;
        return (set, clear);
    }

    /// <summary>Superblock flags fsconfig(2) takes by name.</summary>
    static readonly (ulong Flag, string Name)[] SuperblockFlags =
        [(MS_RDONLY, "ro"), (MS_SYNCHRONOUS, "sync"), (MS_DIRSYNC, "dirsync"), (MS_LAZYTIME, "lazytime"), (MS_MANDLOCK, "mand")];

    /// <summary>A new filesystem made with fsopen(2), configured and mounted detached with its attributes.</summary>
    static int NewFilesystem(PlanBuilder b, string type, string? source, MountOptions options, string data)
    {
        // silent only quiets the kernel's log about this mount, and i_version is the filesystem's own choice on this
        // kernel (mount(2) ignores MS_I_VERSION): neither has an fsconfig(2) parameter, and neither changes what the
        // container sees. acl would, and fsconfig has no generic form of it: refused rather than dropped.
        if ((options.Flags & MS_POSIXACL) != 0)
            throw new OciException($"mount option acl is not supported on a {type} mount");
        int fs = b.FsOpen(type);
        if (!string.IsNullOrEmpty(source)) b.FsConfig(fs, 1, "source", source);
        foreach (var (flag, name) in SuperblockFlags)
            if ((options.Flags & flag) != 0) b.FsConfig(fs, 0, name, null);
        foreach (var (key, value) in DataOptions(data))
            b.FsConfig(fs, value is null ? 0 : 1, key, value);
        b.FsConfig(fs, 6, null, null);
        var (set, _) = Attributes(options.Flags, 0);
        int mount = b.FsMount(fs, set | options.RecursiveSet);
        b.Close(fs);
        return mount;
    }

    /// <summary>A mount's data split into fsconfig(2) keys and values; commas inside double quotes (an SELinux
    /// context) do not split, and the quotes go.</summary>
    internal static List<(string Key, string? Value)> DataOptions(string data)
    {
        var result = new List<(string, string?)>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        void Flush()
        {
            string item = current.ToString();
            current.Clear();
            if (item.Length == 0) return;
            int eq = item.IndexOf('=');
            result.Add(eq < 0 ? (item, null) : (item[..eq], item[(eq + 1)..]));
        }
        foreach (char ch in data)
        {
            if (ch == '"') quoted = !quoted;
            else if (ch == ',' && !quoted) Flush();
            else current.Append(ch);
        }
        Flush();
        return result;
    }

    internal static string Labelled(string data, string type, string? label)
    {
        // proc, sysfs, cgroup and mqueue take no context= option.
        if (string.IsNullOrEmpty(label) || type is "proc" or "sysfs" or "cgroup" or "cgroup2" or "mqueue") return data;
        string context = $"context=\"{label}\"";
        return data.Length == 0 ? context : $"{data},{context}";
    }

    /// <summary>The mount point that holds <paramref name="path"/> in this process's mount namespace (which the
    /// container's new one copies): from the path's real path, the highest directory still on the same mount.</summary>
    /// <remarks>By mount id, not from /proc/self/mountinfo: the kernel formats that file anew at each read, line by
    /// line, and on a node with a thousand mounts one read took 2.4 ms (the .NET runtime itself reads it twice at
    /// start, for its cgroup limits). The real path, as runc resolves root.path: a bundle reached through a symbolic
    /// link is held by the mount of the link's target.</remarks>
    static string MountPointOf(string path)
    {
        string real = Sys.RealPath(path);
        ulong id = Sys.MountId(real);
        if (id == 0)
        {
            string best = "/";
            foreach (var (point, _) in MountPoints())
                if (IsAtOrBelow(real, point) && point.Length > best.Length) best = point;
            return best;
        }
        string mountPoint = real;
        while (mountPoint != "/")
        {
            string parent = Path.GetDirectoryName(mountPoint) ?? "/";
            if (Sys.MountId(parent) != id) break;
            mountPoint = parent;
        }
        return mountPoint;
    }

    /// <summary>The mount points and filesystem types of this process's mount namespace, in mountinfo's order.</summary>
    static IEnumerable<(string Point, string Type)> MountPoints()
    {
        foreach (var line in (Sys.TryReadText("/proc/self/mountinfo") ?? "").Split('\n'))
        {
            int dash = line.IndexOf(" - ", StringComparison.Ordinal);
            var fields = line.Split(' ');
            if (dash < 0 || fields.Length < 5) continue;
            yield return (Cgroups.CgroupMounts.Unescape(fields[4]), line[(dash + 3)..].Split(' ')[0]);
        }
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="point"/> or lies below it.</summary>
    static bool IsAtOrBelow(string path, string point) =>
        path == point || path.StartsWith(point.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>/dev's nodes and links, when no bind mount provides /dev; planned after the runtime has looked at
    /// what the image and the mounts put there.</summary>
    public static void Devices(PlanBuilder b, SetupContext c, int root, ContainerFiles files)
    {
        var spec = c.Spec;
        var mounts = spec.Mounts ?? [];
        if (mounts.Any(m => LexicalPath.Components(m.Destination) is ["dev"] && MountOptions.Parse(m.Options).IsBind)) return;
        var configured = spec.Linux?.Devices ?? [];
        var made = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < configured.Count; i++)
            using (b.For($"linux.devices[{i}]"))
                Device(b, c, root, files, configured[i], $"linux.devices[{i}].path", made);
        using (b.For("linux.devices"))
        {
            // The config's devices first: one it lists at a default device's path replaces the default.
            foreach (var device in DeviceSetup.Defaults)
                Device(b, c, root, files, device, null, made);
            int dev = b.Open(root, "dev", O_PATH | O_DIRECTORY, ResolveInRoot);
            b.Symlink(dev, "/proc/self/fd", "fd", keepExisting: true);
            b.Symlink(dev, "/proc/self/fd/0", "stdin", keepExisting: true);
            b.Symlink(dev, "/proc/self/fd/1", "stdout", keepExisting: true);
            b.Symlink(dev, "/proc/self/fd/2", "stderr", keepExisting: true);
            if (File.Exists("/proc/kcore")) b.Symlink(dev, "/proc/kcore", "core", keepExisting: true);
            if (mounts.Any(m => LexicalPath.Components(m.Destination) is ["dev", "pts"]))
            {
                b.Unlink(dev, "ptmx");
                b.Symlink(dev, "pts/ptmx", "ptmx", keepExisting: false);
            }
            b.Close(dev);
        }
    }

    static void Device(PlanBuilder b, SetupContext c, int root, ContainerFiles files, LinuxDevice device, string? field, HashSet<string> made)
    {
        var components = LexicalPath.Components(device.Path);
        if (components.Count == 0) throw new SpecValidationException("linux.devices", $"invalid device path \"{device.Path}\"");
        string path = string.Join('/', components);
        if (!made.Add(path)) return;
        if (files.TypeAndDevice(path) is { } existing)
        {
            // config-linux.md: a file at a configured device's path that does not match it is an error (runc keeps
            // it silently); a matching node, or any file at a default device's path, is kept.
            if (field is not null && !DeviceSetup.Matches(existing.Type, existing.Rdev, device))
                throw new SpecValidationException(field, $"{device.Path} already exists and is not a {device.Type} {device.Major}:{device.Minor} device");
            return;
        }
        string parentPath = components.Count == 1 ? "." : string.Join('/', components.SkipLast(1));
        string name = components[^1];
        if (parentPath != ".") b.MakePath(root, parentPath, lastIsFile: false);
        int parent = b.Open(root, parentPath, O_PATH | O_DIRECTORY, ResolveInRoot);
        if (c.NewUserNamespace)
        {
            // In a user namespace mknod is refused: bind the host's node onto an empty file instead.
            b.MakePath(root, path, lastIsFile: true);
            int target = b.Open(parent, name, O_PATH | O_NOFOLLOW, ResolveInRoot);
            b.Mount(target, None, MS_BIND, device.Path, null, null, $"bind the host's {device.Path}");
            b.Close(target);
        }
        else
        {
            uint mode = device.FileMode ?? 0x1B6;
            b.Mknod(parent, name, DeviceSetup.TypeBits(device) | (mode & 0xFFF), DeviceSetup.MakeDev(device.Major ?? 0, device.Minor ?? 0), $"mknod {device.Path}");
            int node = b.Open(parent, name, O_PATH | O_NOFOLLOW, ResolveInRoot);
            b.Fchown(node, device.Uid ?? 0, device.Gid ?? 0, device.Path);
            // mknod applies the umask; the config's mode is meant exactly.
            b.Fchmod(node, mode & 0xFFF, device.Path);
            b.Close(node);
        }
        b.Close(parent);
    }

    /// <summary>Makes the rootfs the process's root; returns a new slot for "/".</summary>
    public static int SwitchRoot(PlanBuilder b, SetupContext c, int root)
    {
        using var scope = b.For("root.path");
        b.Fchdir(root, c.Rootfs);
        if (c.NoPivot)
        {
            LeaveOnlyTheRoot(b, c);
            b.Mount(None, None, MS_MOVE, ".", null, null, "move the rootfs to /", targetPath: "/");
            b.Chroot(".");
        }
        else
        {
            // pivot_root(".", ".") stacks the old root on top of the new one; unmounting "." then drops it without
            // needing a directory for it inside the container.
            int oldRoot = b.Open(None, "/", O_RDONLY | O_DIRECTORY, 0);
            b.PivotRoot(".", ".");
            b.Fchdir(oldRoot, "the old root");
            b.Mount(None, None, MS_SLAVE | MS_REC, null, null, null, "make the old root a slave", targetPath: ".");
            b.Umount(".", MNT_DETACH);
            b.Close(oldRoot);
        }
        b.Chdir("/");
        b.Close(root);
        return b.Open(None, "/", O_PATH | O_DIRECTORY, 0);
    }

    /// <summary>Without pivot_root the host's mounts stay in the container's mount namespace, below the chroot: a
    /// fully visible procfs or sysfs among them would let a process in the container mount a new one (the kernel's
    /// check looks at every mount of the namespace). As runc's msMoveRoot: every mount outside the new root is
    /// made a slave (so that nothing propagates back) and detached, deepest first; in a user namespace, where the
    /// host's mounts are locked, procfs and sysfs are covered with an empty read-only tmpfs instead.</summary>
    static void LeaveOnlyTheRoot(PlanBuilder b, SetupContext c)
    {
        string rootfs = c.Rootfs.TrimEnd('/');
        // Neither the rootfs and what is below it, nor the mounts that hold it.
        var points = MountPoints().Where(m => !IsAtOrBelow(m.Point, rootfs) && !IsAtOrBelow(rootfs, m.Point)).ToList();
        // Deepest first, and of mounts stacked on one point the last made first.
        var ordered = points.Select((p, i) => (p.Point, p.Type, Index: i))
            .OrderByDescending(p => LexicalPath.Components(p.Point).Count).ThenByDescending(p => p.Index);
        foreach (var (point, type, _) in ordered)
        {
            if (c.NewUserNamespace)
            {
                if (type is "proc" or "sysfs")
                    b.Mount(None, None, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "tmpfs", "tmpfs", "size=0",
                        $"cover the host's {type} at {point}", targetPath: point);
                continue;
            }
            b.Mount(None, None, MS_SLAVE, null, null, null, $"make the host's mount {point} a slave", targetPath: point);
            b.Umount(point, MNT_DETACH, mayNotBeMounted: true);
        }
    }

    /// <summary>Read-only and masked paths, the root's own propagation and read-only root, after the switch.</summary>
    public static void Finish(PlanBuilder b, SetupContext c, int root, ContainerFiles files)
    {
        var linux = c.Spec.Linux;
        var readonlyPaths = linux?.ReadonlyPaths ?? [];
        for (int i = 0; i < readonlyPaths.Count; i++)
        {
            string path = PlanBuilder.Relative(readonlyPaths[i]);
            if (files.TypeAndDevice(path) is null) continue;
            using var scope = b.For($"linux.readonlyPaths[{i}]");
            int target = b.Open(root, path, O_PATH, ResolveInRoot);
            // A clone of what is there, made read-only while detached, then put in its place.
            int tree = b.OpenTree(target, "", OpenTreeClone | AtRecursive | AtEmptyPath, $"clone {readonlyPaths[i]}");
            b.MountSetattr(tree, recursive: true, MOUNT_ATTR_RDONLY, 0, 0, $"make {readonlyPaths[i]} read-only");
            b.MoveMount(tree, target, $"attach it on {readonlyPaths[i]}");
            b.Close(tree);
            b.Close(target);
        }
        var masked = linux?.MaskedPaths ?? [];
        int devNull = None;
        for (int i = 0; i < masked.Count; i++)
        {
            string path = PlanBuilder.Relative(masked[i]);
            if (files.TypeAndDevice(path) is not { } existing) continue;
            using var scope = b.For($"linux.maskedPaths[{i}]");
            int target = b.Open(root, path, O_PATH | O_NOFOLLOW, ResolveInRoot);
            if ((existing.Type & S_IFMT) == S_IFDIR)
            {
                b.CheckFileType(target, S_IFDIR, $"{masked[i]} is still a directory");
                b.Mount(target, None, MS_RDONLY, "tmpfs", "tmpfs", Labelled("", "tmpfs", linux?.MountLabel), $"mask {masked[i]} with an empty tmpfs");
            }
            else
            {
                if (devNull == None)
                {
                    // The mask's source is the container's /dev/null only if it is really the null device, reached
                    // without a symlink (CVE-2025-31133: a /dev from a volume whose null links to a procfs file).
                    devNull = b.Open(root, "dev/null", O_PATH | O_NOFOLLOW, ResolveInRoot | ResolveNoSymlinks);
                    b.CheckFileType(devNull, S_IFCHR, "/dev/null is a character device");
                    b.CheckDevice(devNull, DeviceSetup.MakeDev(1, 3), "/dev/null is the null device (1:3)");
                }
                b.Mount(target, devNull, MS_BIND, null, null, null, $"mask {masked[i]} with /dev/null");
            }
            b.Close(target);
        }
        if (devNull != None) b.Close(devNull);
        var mounts = c.Spec.Mounts ?? [];
        for (int i = 0; i < mounts.Count; i++)
            if (IsDev(mounts[i]) && (MountOptions.Parse(mounts[i].Options).Flags & MS_RDONLY) != 0)
                using (b.For($"mounts[{i}]"))
                {
                    int dev = b.Open(root, "dev", O_PATH | O_DIRECTORY, ResolveInRoot | ResolveNoSymlinks);
                    b.MountSetattr(dev, recursive: false, MOUNT_ATTR_RDONLY, 0, 0, "make /dev read-only");
                    b.Close(dev);
                }
        if (PropagationFlag(linux?.RootfsPropagation) is { } propagation)
            using (b.For("linux.rootfsPropagation"))
                b.MountSetattr(root, (propagation & MS_REC) != 0, 0, 0, propagation & ~MS_REC, "set the propagation of /");
        if (c.Spec.Root?.Readonly == true)
            using (b.For("root.readonly"))
                b.MountSetattr(root, recursive: false, MOUNT_ATTR_RDONLY, 0, 0, "make / read-only");
    }

    /// <summary>Whether <paramref name="mount"/> is a filesystem (not a bind) mounted on /dev.</summary>
    static bool IsDev(Mount mount) =>
        LexicalPath.Components(mount.Destination) is ["dev"] && !MountOptions.Parse(mount.Options).IsBind && mount.Type != "bind";

    internal static ulong? PropagationFlag(string? name) => name switch
    {
        null or "" => null,
        "private" => MS_PRIVATE,
        "rprivate" => MS_PRIVATE | MS_REC,
        "shared" => MS_SHARED,
        "rshared" => MS_SHARED | MS_REC,
        "slave" => MS_SLAVE,
        "rslave" => MS_SLAVE | MS_REC,
        "unbindable" => MS_UNBINDABLE,
        "runbindable" => MS_UNBINDABLE | MS_REC,
        _ => throw new SpecValidationException("linux.rootfsPropagation", $"unknown propagation \"{name}\""),
    };
}
