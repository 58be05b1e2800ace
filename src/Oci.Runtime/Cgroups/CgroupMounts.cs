using Oci.Runtime.Interop;

namespace Oci.Runtime.Cgroups;

/// <summary>One mounted cgroup hierarchy: a v1 hierarchy with its controllers, or the cgroup2 hierarchy.</summary>
/// <param name="MountPoint">Where the hierarchy is mounted on the host.</param>
/// <param name="Root">The cgroup of the mount's root (the 4th field of mountinfo, "/" outside cgroup namespaces).</param>
/// <param name="Controllers">v1 controllers and named hierarchies (name=systemd); empty for cgroup2.</param>
/// <param name="IsUnified">Whether this is a cgroup2 hierarchy.</param>
internal sealed record CgroupHierarchy(string MountPoint, string Root, IReadOnlyList<string> Controllers, bool IsUnified)
{
    /// <summary>The key by which /proc/PID/cgroup names this hierarchy: "" for cgroup2, else its comma-joined
    /// controllers.</summary>
    public string ProcKey => IsUnified ? "" : string.Join(',', Controllers);
}

/// <summary>The cgroup hierarchies mounted in this mount namespace, read from /proc/self/mountinfo.</summary>
internal sealed class CgroupMounts
{
    /// <summary>Every mounted hierarchy (the first mount of each).</summary>
    public IReadOnlyList<CgroupHierarchy> Hierarchies { get; }

    /// <summary>The host's layout.</summary>
    public CgroupLayout Layout { get; }

    /// <summary>The cgroup2 hierarchy, if mounted.</summary>
    public CgroupHierarchy? Unified { get; }

    CgroupMounts(IReadOnlyList<CgroupHierarchy> hierarchies)
    {
        Hierarchies = hierarchies;
        Unified = hierarchies.FirstOrDefault(h => h.IsUnified);
        bool anyV1 = hierarchies.Any(h => !h.IsUnified);
        Layout = !anyV1 ? CgroupLayout.Unified : Unified is null ? CgroupLayout.V1 : CgroupLayout.Hybrid;
    }

    /// <summary>Reads the hierarchies of the current mount namespace.</summary>
    /// <remarks>The kernel formats /proc/self/mountinfo anew at each read, a line per mount: on a node with a thousand
    /// mounts one read took 2.4 ms. So the mounts at /sys/fs/cgroup and just below it are asked of the kernel one by
    /// one first; mountinfo is read when that cannot be done or is not the whole answer.</remarks>
    public static CgroupMounts Read() => ReadAtSysFsCgroup() ?? Parse(Lines("/proc/self/mountinfo"));

    /// <summary>The hierarchies mounted at /sys/fs/cgroup or directly below it, from statmount(2) (Linux 6.8); null
    /// when the kernel cannot tell, or when a hierarchy that this process is in (/proc/self/cgroup) is not among
    /// them (it is mounted elsewhere, or not at all).</summary>
    internal static CgroupMounts? ReadAtSysFsCgroup()
    {
        const string Base = "/sys/fs/cgroup";
        var found = new List<CgroupHierarchy>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (Sys.StatMount(Sys.UniqueMountId(Base)) is not { } top) return null;
        if (top.Type is "cgroup" or "cgroup2")
        {
            if (!Add(found, seen, top)) return null;
        }
        else
        {
            var below = new List<string>();
            try
            {
                below.AddRange(Directory.EnumerateDirectories(Base));
            }
            catch (IOException)
            {
                return null;
            }
            below.Sort(StringComparer.Ordinal);
            foreach (var dir in below)
            {
                ulong id = Sys.UniqueMountId(dir);
                if (id == 0 || Sys.StatMount(id) is not { } mount) return null;
                // A symbolic link (cpu -> cpu,cpuacct) or a plain directory is the tmpfs's own.
                if (mount.Type is "cgroup" or "cgroup2" && mount.Point == dir && !Add(found, seen, mount)) return null;
            }
        }
        foreach (var key in ReadProcessCgroups().Keys)
            if (!seen.Contains(key)) return null;
        return new CgroupMounts(found);

        // False for a v1 hierarchy whose options (its controllers) the kernel did not give.
        static bool Add(List<CgroupHierarchy> found, HashSet<string> seen, (string Type, string Root, string Point, string? Options) mount)
        {
            bool unified = mount.Type == "cgroup2";
            if (!unified && mount.Options is null) return false;
            var controllers = unified ? [] : Controllers(mount.Options!);
            if (seen.Add(unified ? "" : string.Join(',', controllers)))
                found.Add(new CgroupHierarchy(mount.Point, mount.Root, controllers, unified));
            return true;
        }
    }

    /// <summary>The lines of a file under /proc, read with plain system calls.</summary>
    static string[] Lines(string path) =>
        (Sys.TryReadText(path) ?? throw new FileNotFoundException($"{path} does not exist", path))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Parses mountinfo lines (proc(5)).</summary>
    public static CgroupMounts Parse(IEnumerable<string> mountinfo)
    {
        var found = new List<CgroupHierarchy>();
        var seen = new HashSet<string>();
        foreach (var line in mountinfo)
        {
            int separator = line.IndexOf(" - ", StringComparison.Ordinal);
            if (separator < 0) continue;
            var before = line[..separator].Split(' ');
            var after = line[(separator + 3)..].Split(' ');
            if (before.Length < 5 || after.Length < 3) continue;
            string fsType = after[0];
            if (fsType is not ("cgroup" or "cgroup2")) continue;
            bool unified = fsType == "cgroup2";
            var controllers = unified ? [] : Controllers(after[2]);
            string key = unified ? "" : string.Join(',', controllers);
            if (!seen.Add(key)) continue;
            found.Add(new CgroupHierarchy(Unescape(before[4]), Unescape(before[3]), controllers, unified));
        }
        return new CgroupMounts(found);
    }

    /// <summary>The controllers (and name=) of a v1 hierarchy's superblock options, sorted.</summary>
    static List<string> Controllers(string superOptions)
    {
        var controllers = new List<string>();
        foreach (var option in superOptions.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (option is "rw" or "ro" || option.StartsWith("clone_children", StringComparison.Ordinal)
                || option.StartsWith("release_agent", StringComparison.Ordinal) || option == "noprefix"
                || option == "xattr" || option == "cpuset_v2_mode" || option == "nsdelegate"
                || option == "memory_recursiveprot" || option == "favordynmods" || option == "memory_localevents")
                continue;
            controllers.Add(option);
        }
        controllers.Sort(StringComparer.Ordinal);
        return controllers;
    }

    internal static string Unescape(string field) => field.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");

    /// <summary>The cgroup of process <paramref name="pid"/> in each hierarchy, keyed as <see cref="CgroupHierarchy.ProcKey"/>.</summary>
    public static Dictionary<string, string> ReadProcessCgroups(string pid = "self")
    {
        var result = new Dictionary<string, string>();
        foreach (var line in Lines($"/proc/{pid}/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            var controllers = parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries).OrderBy(c => c, StringComparer.Ordinal);
            result[string.Join(',', controllers)] = parts[2];
        }
        return result;
    }
}
