using System.Runtime.InteropServices;
using Oci.Runtime.Interop;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Cgroups;

/// <summary>
/// The container's cgroups on every mounted hierarchy (v1 controllers, and the cgroup2 hierarchy on hybrid and
/// unified hosts): where they are, creating and joining them, listing, signalling and freezing their processes, and
/// removing them.
/// </summary>
internal sealed class CgroupManager : ICgroupManager
{
    /// <summary>Directory of the container's cgroup in each hierarchy, keyed by <see cref="CgroupHierarchy.ProcKey"/>.</summary>
    public IReadOnlyDictionary<string, string> Paths { get; }

    /// <summary>The host's layout.</summary>
    public CgroupLayout Layout { get; }

    /// <summary>Container cgroup directories that existed before <see cref="Create"/> (joined, not made): left in
    /// place by <see cref="DestroyCreated"/>, removed by <see cref="Destroy()"/>.</summary>
    public IReadOnlyList<string> Joined => joined;

    /// <summary>Parent directories <see cref="Create"/> made on the way to the container's cgroups: removed by
    /// <see cref="Destroy()"/> when nothing else uses them.</summary>
    public IReadOnlyList<string> CreatedParents => createdParents;

    readonly List<string> joined = [];
    readonly List<string> createdParents = [];

    /// <summary>Restores a manager from paths saved in the container's state.</summary>
    public CgroupManager(IReadOnlyDictionary<string, string> paths, CgroupLayout layout,
        IEnumerable<string>? joined = null, IEnumerable<string>? createdParents = null)
    {
        Paths = paths;
        Layout = layout;
        if (joined is not null) this.joined.AddRange(joined);
        if (createdParents is not null) this.createdParents.AddRange(createdParents);
    }

    /// <summary>The container's cgroup2 directory (unified host, or the controller-less hierarchy of a hybrid one).</summary>
    public string? UnifiedPath => Paths.TryGetValue("", out var dir) ? dir : null;

    /// <summary>Places a container by <c>linux.cgroupsPath</c> as runc's cgroupfs driver does: an absolute path is
    /// taken from each hierarchy's root, a relative one from <see cref="RelativeBase"/>, and an absent one is
    /// <c>/ID</c>. A systemd-style <c>slice:prefix:name</c> is, as runc 1.1 without <c>--systemd-cgroup</c> takes
    /// it, one relative path component.</summary>
    public static CgroupManager ForContainer(string containerId, string? cgroupsPath, CgroupMounts mounts)
    {
        string path = string.IsNullOrEmpty(cgroupsPath) ? "/" + containerId : cgroupsPath;
        Dictionary<string, string>? own = null;
        var paths = new Dictionary<string, string>();
        foreach (var hierarchy in mounts.Hierarchies)
        {
            string inHierarchy;
            if (path.StartsWith('/'))
                inHierarchy = path;
            else
            {
                own ??= CgroupMounts.ReadProcessCgroups();
                inHierarchy = RelativeBase(hierarchy, mounts.Layout, own).TrimEnd('/') + "/" + path;
            }
            paths[hierarchy.ProcKey] = Combine(hierarchy, inHierarchy);
        }
        return new CgroupManager(paths, mounts.Layout);
    }

    /// <summary>Where runc 1.1 puts a relative cgroupsPath in <paramref name="hierarchy"/>: under the runtime's own
    /// cgroup in a v1 hierarchy; on a cgroup2 host under the parent of its own cgroup (runc's fs2 driver: the own
    /// cgroup most likely holds processes, and a cgroup with processes cannot give controllers to children); in the
    /// cgroup2 hierarchy of a hybrid host under the root. Observed with runc 1.1.5 from a nested cgroup.</summary>
    static string RelativeBase(CgroupHierarchy hierarchy, CgroupLayout layout, Dictionary<string, string> own)
    {
        if (!hierarchy.IsUnified) return own.TryGetValue(hierarchy.ProcKey, out var current) ? current : "/";
        if (layout != CgroupLayout.Unified) return "/";
        string ownUnified = (own.TryGetValue("", out var unified) ? unified : "/").TrimEnd('/');
        int slash = ownUnified.LastIndexOf('/');
        return slash <= 0 ? "/" : ownUnified[..slash];
    }

    internal static string Combine(CgroupHierarchy hierarchy, string cgroup)
    {
        string normalized = Normalize(cgroup);
        // Inside a cgroup namespace or a bind-mounted hierarchy the mount's root is not "/": paths are relative to it.
        if (hierarchy.Root != "/" && normalized.StartsWith(hierarchy.Root, StringComparison.Ordinal))
            normalized = normalized[hierarchy.Root.Length..];
        return hierarchy.MountPoint.TrimEnd('/') + normalized;
    }

    /// <summary>Cleans a cgroup path lexically; ".." never climbs above the hierarchy's root.</summary>
    internal static string Normalize(string cgroup) => "/" + string.Join('/', LexicalPath.Components(cgroup));

    /// <summary>Settles, without changing anything, which of the container's cgroups exist already
    /// (<see cref="Joined"/>) and which parent directories <see cref="Create"/> will make
    /// (<see cref="CreatedParents"/>), so that the caller can record them before any cgroup exists: whatever
    /// happens to it after that, the record names everything to remove. Settling this first also means that a
    /// failure half-way never removes a cgroup that existed before. Done once; <see cref="Create"/> calls it.</summary>
    public void Plan()
    {
        if (planned) return;
        planned = true;
        foreach (var dir in Paths.Values)
            if (Directory.Exists(dir) && !joined.Contains(dir)) joined.Add(dir);
        foreach (var dir in Paths.Values)
        {
            if (joined.Contains(dir)) continue;
            var missing = new Stack<string>();
            for (var d = Path.GetDirectoryName(dir); d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
                missing.Push(d);
            foreach (var parent in missing)
                if (!createdParents.Contains(parent)) createdParents.Add(parent);
        }
    }

    bool planned;

    /// <summary>Creates every directory that does not exist yet (an existing cgroup is joined as it is). On cgroup2
    /// the controllers available at each level are enabled for the level below (runc's CreateCgroupPath): on a
    /// unified host all of them, on a hybrid host none until a resource needs one.</summary>
    public void Create()
    {
        Plan();
        foreach (var (key, dir) in Paths)
        {
            if (joined.Contains(dir))
            {
                if (key == "cpuset") InheritCpuset(dir);
                continue;
            }
            try
            {
                if (key.Length == 0 && Layout == CgroupLayout.Unified) EnableControllers(dir, null);
                Directory.CreateDirectory(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OciException($"linux.cgroupsPath: creating cgroup {dir}: {e.Message}", e);
            }
            if (key == "cpuset") InheritCpuset(dir);
        }
    }

    /// <summary>Creates the cgroup2 ancestors of <paramref name="dir"/> and enables, in each of them, the
    /// controllers it has (or only <paramref name="only"/>) for its children. Errors are ignored as runc does: a
    /// level with processes of its own cannot enable them, and then the resource write names what is missing.</summary>
    void EnableControllers(string dir, IReadOnlyCollection<string>? only)
    {
        var chain = new Stack<string>();
        for (var d = Path.GetDirectoryName(dir); d is not null; d = Path.GetDirectoryName(d))
        {
            // Up to the hierarchy's root: the first existing directory that is not a cgroup ends the walk.
            if (Directory.Exists(d) && !File.Exists(Path.Combine(d, "cgroup.controllers"))) break;
            chain.Push(d);
        }
        foreach (var level in chain)
        {
            Directory.CreateDirectory(level);
            var available = (CgroupFiles.TryRead(level, "cgroup.controllers") ?? "")
                .Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
                .Where(c => only is null || only.Contains(c)).ToList();
            if (available.Count == 0) continue;
            if (CgroupFiles.TryWrite(level, "cgroup.subtree_control", string.Join(' ', available.Select(c => "+" + c))) != 0)
                foreach (var controller in available) CgroupFiles.TryWrite(level, "cgroup.subtree_control", "+" + controller);
        }
    }

    /// <summary>Applies <c>linux.resources</c> (at create, and again for <c>update</c>) on the host's layout. Device
    /// rules are applied when <paramref name="resources"/> has them or at create (where the defaults always apply):
    /// v1 through devices.allow/deny, v2 as an eBPF program.</summary>
    public void Apply(LinuxResources? resources, ResourceApplyOptions options)
    {
        resources ??= new LinuxResources();
        // At create the config's validation has said so already.
        if (options.IsUpdate)
            foreach (var warning in ContainerDeviceRules.AccessWarnings(resources.Devices)) options.Warn?.Invoke(warning);
        if (Layout == CgroupLayout.Unified)
        {
            string dir = UnifiedPath ?? throw new OciException("no cgroup2 directory for this container");
            V2Resources.Apply(dir, resources, options);
            if (resources.Devices is not null || !options.IsUpdate)
                BpfDeviceFilter.Apply(dir, ContainerDeviceRules.For(resources.Devices));
            return;
        }
        string? unified = UnifiedPath;
        if (unified is not null && Layout == CgroupLayout.Hybrid)
        {
            // Controllers the v1 hierarchies do not hold can still be on the hybrid host's cgroup2 hierarchy.
            var wanted = new List<string>();
            if (resources.HugepageLimits is { Count: > 0 } && V1Resources.Find(Paths, "hugetlb") is null) wanted.Add("hugetlb");
            foreach (var key in resources.Unified?.Keys ?? Enumerable.Empty<string>())
                if (key.IndexOf('.') is > 0 and var dot && key[..dot] != "cgroup") wanted.Add(key[..dot]);
            if (wanted.Count > 0 && wanted.Any(c => !V2Resources.ControllerAvailable(unified, c)))
                EnableControllers(unified, wanted);
        }
        V1Resources.Apply(Paths, unified, resources, options);
        if (resources.Devices is not null || !options.IsUpdate)
            V1Resources.Devices(Paths, ContainerDeviceRules.For(resources.Devices));
    }

    /// <summary>Usage statistics of the container's cgroups.</summary>
    public CgroupStats GetStats() => CgroupStatsReader.Read(this);

    /// <summary>How many times the OOM killer has killed a process of the container (memory.events oom_kill on
    /// v2, memory.oom_control oom_kill on v1).</summary>
    public ulong OomKillCount()
    {
        if (Layout == CgroupLayout.Unified && UnifiedPath is { } dir)
            return CgroupFiles.ReadKeyValues(dir, "memory.events").GetValueOrDefault("oom_kill");
        if (V1Resources.Find(Paths, "memory") is { } memory)
            return CgroupFiles.ReadKeyValues(memory, "memory.oom_control").GetValueOrDefault("oom_kill");
        return 0;
    }

    /// <summary>A new v1 cpuset cgroup starts with empty cpus and mems, and joining it fails until they are set:
    /// copy them from the nearest ancestor that has them, top down.</summary>
    static void InheritCpuset(string dir)
    {
        var chain = new Stack<string>();
        for (var d = dir; d is not null && File.Exists(Path.Combine(d, "cpuset.cpus")); d = Path.GetDirectoryName(d))
            chain.Push(d);
        string? cpus = null, mems = null;
        foreach (var d in chain)
        {
            string c = CgroupFiles.TryRead(d, "cpuset.cpus")?.Trim() ?? "";
            string m = CgroupFiles.TryRead(d, "cpuset.mems")?.Trim() ?? "";
            if (c.Length == 0 && cpus is not null) Inherit(d, "cpuset.cpus", cpus);
            else cpus = c;
            if (m.Length == 0 && mems is not null) Inherit(d, "cpuset.mems", mems);
            else mems = m;
        }

        static void Inherit(string dir, string file, string value)
        {
            int errno = CgroupFiles.TryWrite(dir, file, value);
            if (errno != 0) throw new SyscallException($"writing {Path.Combine(dir, file)}", errno);
        }
    }

    /// <summary>Moves process <paramref name="pid"/> into the container's cgroup on every hierarchy.</summary>
    public void AddProcess(int pid)
    {
        foreach (var dir in Paths.Values)
        {
            int errno = CgroupFiles.TryWrite(dir, "cgroup.procs", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (errno != 0) throw new OciException($"joining cgroup {dir}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    /// <summary>The files with which a new process joins the container's cgroups by itself.</summary>
    public CgroupJoin? OpenJoin() => CgroupJoin.Open(Paths);

    /// <summary>The directory whose cgroup.procs lists the container's processes best: the cgroup2 one on a
    /// unified host, else a v1 controller that every process is in.</summary>
    string? ProcessListDirectory()
    {
        foreach (var key in new[] { Layout == CgroupLayout.Unified ? "" : "pids", "freezer", "memory", "cpu,cpuacct", "" })
            if (Paths.TryGetValue(key, out var dir) && Directory.Exists(dir)) return dir;
        return Paths.Values.FirstOrDefault(Directory.Exists);
    }

    /// <summary>Every process in the container's cgroup (and its descendants).</summary>
    public IReadOnlyList<int> GetPids()
    {
        var dir = ProcessListDirectory();
        var pids = new List<int>();
        if (dir is null) return pids;
        foreach (var file in Directory.EnumerateFiles(dir, "cgroup.procs", SearchOption.AllDirectories))
        {
            try
            {
                foreach (var line in File.ReadAllLines(file))
                    if (int.TryParse(line, out int pid)) pids.Add(pid);
            }
            catch (IOException) { }
        }
        return pids;
    }

    /// <summary>Sends <paramref name="signal"/> to every process of the cgroup. With SIGKILL on cgroup2 this is
    /// cgroup.kill, which also reaches processes forked while the list is read.</summary>
    public void Signal(int signal)
    {
        if (signal == 9 && Layout == CgroupLayout.Unified && Paths.TryGetValue("", out var unified)
            && File.Exists(Path.Combine(unified, "cgroup.kill")))
        {
            File.WriteAllText(Path.Combine(unified, "cgroup.kill"), "1");
            return;
        }
        bool frozen = signal == 9 && TryFreeze();
        foreach (var pid in GetPids()) Sys.Kill(pid, signal);
        if (frozen) Thaw();
    }

    /// <summary>Freezes the cgroup so that no process forks away from a kill; false where there is no freezer.</summary>
    bool TryFreeze()
    {
        try
        {
            Freeze();
            return true;
        }
        catch (OciException)
        {
            return false;
        }
    }

    /// <summary>Freezes every process of the container (v1 freezer or cgroup.freeze).</summary>
    public void Freeze() => SetFrozen(true);

    /// <summary>Thaws the container.</summary>
    public void Thaw() => SetFrozen(false);

    void SetFrozen(bool frozen)
    {
        if (Layout != CgroupLayout.Unified && Paths.TryGetValue("freezer", out var freezer) && Directory.Exists(freezer))
        {
            string want = frozen ? "FROZEN" : "THAWED";
            for (int attempt = 0; attempt < 1000; attempt++)
            {
                File.WriteAllText(Path.Combine(freezer, "freezer.state"), want);
                if (File.ReadAllText(Path.Combine(freezer, "freezer.state")).Trim() == want) return;
                Thread.Sleep(1);
            }
            throw new OciException($"freezer.state of {freezer} did not become {want}");
        }
        if (Paths.TryGetValue("", out var unified) && File.Exists(Path.Combine(unified, "cgroup.freeze")))
        {
            File.WriteAllText(Path.Combine(unified, "cgroup.freeze"), frozen ? "1" : "0");
            string want = frozen ? "frozen 1" : "frozen 0";
            for (int attempt = 0; attempt < 1000; attempt++)
            {
                if (File.ReadAllLines(Path.Combine(unified, "cgroup.events")).Contains(want)) return;
                Thread.Sleep(1);
            }
            throw new OciException($"{unified} did not become {(frozen ? "frozen" : "thawed")}");
        }
        throw new OciException("no freezer cgroup for this container");
    }

    /// <summary>Whether the container is frozen.</summary>
    public bool IsFrozen()
    {
        if (Layout != CgroupLayout.Unified && Paths.TryGetValue("freezer", out var freezer))
            return CgroupFiles.TryRead(freezer, "freezer.state")?.Trim() == "FROZEN";
        if (Paths.TryGetValue("", out var unified))
            return CgroupFiles.TryRead(unified, "cgroup.freeze")?.Trim() == "1";
        return false;
    }

    /// <summary>Removes the container's cgroups as runc's delete does: every directory of <see cref="Paths"/>,
    /// children first, whether <see cref="Create"/> made it or joined it, and the parents <see cref="Create"/> made
    /// when nothing else uses them. A cgroup still busy with exiting processes is retried for a short while; one
    /// that existed before and is still in use (another container's processes) is left, with a warning through
    /// <paramref name="warn"/>.</summary>
    public void Destroy(Action<string>? warn) => Remove(includeJoined: true, warn);

    /// <inheritdoc cref="Destroy(Action{string}?)"/>
    public void Destroy() => Destroy(null);

    /// <summary>Undoes <see cref="Create"/> after a create failed: removes what it made and leaves the cgroups that
    /// existed before (only the children the container made in them go).</summary>
    public void DestroyCreated() => Remove(includeJoined: false, null);

    void Remove(bool includeJoined, Action<string>? warn)
    {
        foreach (var dir in Paths.Values)
        {
            if (!Directory.Exists(dir)) continue;
            var all = Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories)
                .OrderByDescending(d => d.Length).ToList();
            foreach (var d in all) RemoveCgroupDirectory(d);
            if (!joined.Contains(dir))
                RemoveCgroupDirectory(dir);
            else if (includeJoined)
            {
                try
                {
                    RemoveCgroupDirectory(dir);
                }
                catch (OciException e)
                {
                    warn?.Invoke($"{e.Message}: left in place");
                }
            }
        }
        foreach (var parent in createdParents.OrderByDescending(d => d.Length))
        {
            try
            {
                Directory.Delete(parent);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    static void RemoveCgroupDirectory(string dir)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                Directory.Delete(dir);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException) when (attempt < 200)
            {
                Thread.Sleep(5);
            }
            catch (IOException e)
            {
                throw new OciException($"removing cgroup {dir}: {e.Message}", e);
            }
        }
    }
}
