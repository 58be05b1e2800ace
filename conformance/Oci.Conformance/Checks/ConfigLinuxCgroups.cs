using System.Text.Json.Nodes;
using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>config-linux.md: Control groups — cgroupsPath and resources, verified in the container's cgroup files on the host.</summary>
internal static class ConfigLinuxCgroups
{
    private const string Doc = "config-linux.md";

    /// <summary>
    /// Creates a container with resources set by <paramref name="configure"/> and compares a file of its cgroup for
    /// <paramref name="controller"/> (v1 name/expected or v2 name/expected, depending on where the controller lives).
    /// </summary>
    private static Check Res(string id, string section, Level level, string desc, string controller, Action<Bundle> configure,
        (string File, string Expect)? v1, (string File, string Expect)? v2, string? deviation = null) =>
        new(id, Doc, section, level, desc, ctx =>
        {
            if (!ctx.Host.HasController(controller)) throw Skip($"the host has no {controller} cgroup controller");
            bool isV1 = ctx.Host.V1.ContainsKey(controller);
            if (!isV1 && ctx.Host.Layout == CgroupLayout.Hybrid)
                throw Skip($"on this hybrid host {controller} exists only in the cgroup v2 hierarchy, which runtimes do not manage in hybrid mode");
            var spec = isV1 ? v1 : v2;
            if (spec is null) throw Skip($"this setting has no cgroup v{(isV1 ? 1 : 2)} file to verify on this host");
            var b = ctx.NewBundle("true");
            configure(b);
            var c = ctx.Create(b);
            var loc = ctx.Host.CgroupOf(c.Pid, controller) ?? throw Fail($"cannot find the container's {controller} cgroup");
            var mine = ctx.Host.CgroupOf(Environment.ProcessId, controller);
            That(mine is null || loc.Dir != mine.Dir, $"the container was not given its own {controller} cgroup ({loc.Path})");
            var file = Path.Combine(loc.Dir, spec.Value.File);
            if (!File.Exists(file)) throw Skip($"{spec.Value.File} does not exist in the container's cgroup (kernel/controller lacks it)");
            var got = Host.Read(file).Trim();
            if (spec.Value.Expect.StartsWith('~'))
                That(got.Split('\n').Any(l => l.Trim().Contains(spec.Value.Expect[1..], StringComparison.Ordinal)), $"{spec.Value.File} = '{Show(got)}', expected a line containing '{spec.Value.Expect[1..]}'");
            else
                Equal(spec.Value.Expect, got, spec.Value.File);
            return Pass();
        }) { RuncDeviation = deviation };

    /// <summary>
    /// Registers removal of every cgroup directory of the process (and its parent, which the check named) once the
    /// container is deleted: runtimes remove the leaf but not the parents a cgroupsPath implied.
    /// </summary>
    private static void RemoveCgroupsLater(CheckContext ctx, int pid)
    {
        var dirs = new List<string>();
        foreach (var ctl in ctx.Host.V1.Keys.Append("unified"))
            if (ctx.Host.CgroupOf(pid, ctl) is { } loc && loc.Path != "/") dirs.Add(loc.Dir);
        ctx.Defer(() =>
        {
            foreach (var d in dirs.Distinct())
            {
                Host.Cmd("rmdir", d);
                Host.Cmd("rmdir", Path.GetDirectoryName(d)!);
            }
        });
    }

    /// <summary>A controller whose hierarchy shows the container's cgroup path (any, on the unified hierarchy).</summary>
    private static string PathController(CheckContext ctx) =>
        new[] { "pids", "memory", "cpu" }.FirstOrDefault(ctx.Host.V1.ContainsKey)
        ?? (ctx.Host.V2MountPoint is not null ? "unified" : throw Skip("no cgroup hierarchy on this host"));

    private static JsonObject Memory(Bundle b) => Bundle.Obj(b.Resources, "memory");
    private static JsonObject Cpu(Bundle b) => Bundle.Obj(b.Resources, "cpu");
    private static JsonObject BlockIO(Bundle b) => Bundle.Obj(b.Resources, "blockIO");

    /// <summary>major:minor of the block device holding the root filesystem (for blockIO throttling rules).</summary>
    private static (long Major, long Minor)? RootDevice()
    {
        var m = Host.MountTable().FirstOrDefault(x => x.MountPoint == "/");
        if (m is null) return null;
        var p = m.MajorMinor.Split(':');
        long major = long.Parse(p[0]), minor = long.Parse(p[1]);
        if (major == 0) return null;
        // a partition: throttle rules need the whole disk
        var sys = $"/sys/dev/block/{major}:{minor}";
        if (File.Exists(sys + "/partition"))
        {
            var parentDev = Host.Read(Path.Combine(Path.GetDirectoryName(new DirectoryInfo(sys).ResolveLinkTarget(true)?.FullName ?? sys)!, "dev")).Trim().Split(':');
            if (parentDev.Length == 2) return (long.Parse(parentDev[0]), long.Parse(parentDev[1]));
        }
        return (major, minor);
    }

    private static Check Throttle(string field, string v1File, string v2Key) =>
        new($"cgroups.blockIO.{field}", Doc, "Block IO", Level.MUST, $"blockIO.{field} for the root disk is written to {v1File} / io.max", ctx =>
        {
            var dev = RootDevice() ?? throw Skip("the root filesystem is not on a block device");
            var inner = Res($"inner", "Block IO", Level.MUST, "", ctx.Host.V1.ContainsKey("blkio") ? "blkio" : "io",
                b => BlockIO(b)[field] = new JsonArray(Obj(("major", dev.Major), ("minor", dev.Minor), ("rate", 1048576))),
                (v1File, $"~{dev.Major}:{dev.Minor} 1048576"), ("io.max", $"~{dev.Major}:{dev.Minor} {v2Key}=1048576"));
            return inner.Run(ctx);
        });

    public static IEnumerable<Check> Checks()
    {
        const string CP = "Cgroups Path";
        yield return new("cgroups.path.absolute", Doc, CP, Level.MUST,
            "an absolute cgroupsPath is taken relative to the cgroup mount point (checked in /proc/PID/cgroup)", ctx =>
            {
                string ctl = PathController(ctx);
                var want = "/oci-conformance/" + ctx.NewId();
                var b = ctx.NewBundle("true");
                b.Linux["cgroupsPath"] = want;
                var c = ctx.Create(b);
                var loc = ctx.Host.CgroupOf(c.Pid, ctl) ?? throw Fail("no cgroup found for the container");
                Equal(want, loc.Path, $"{ctl} cgroup of the container");
                That(Directory.Exists(loc.Dir), $"{loc.Dir} does not exist");
                RemoveCgroupsLater(ctx, c.Pid);
                return Pass();
            });
        yield return new("cgroups.path.relative", Doc, CP, Level.MAY,
            "a relative cgroupsPath is placed somewhere in the hierarchy, ending with that path", ctx =>
            {
                string ctl = PathController(ctx);
                var rel = "oci-conformance-rel/" + ctx.NewId();
                var b = ctx.NewBundle("true");
                b.Linux["cgroupsPath"] = rel;
                var c = ctx.Create(b);
                var loc = ctx.Host.CgroupOf(c.Pid, ctl) ?? throw Fail("no cgroup found for the container");
                That(loc.Path.EndsWith("/" + rel, StringComparison.Ordinal), $"{ctl} cgroup is {loc.Path}");
                RemoveCgroupsLater(ctx, c.Pid);
                return Pass();
            });
        yield return new("cgroups.path.consistent", Doc, CP, Level.MUST,
            "the same cgroupsPath attaches to the same place (two containers one after the other)", ctx =>
            {
                string ctl = PathController(ctx);
                var path = "/oci-conformance/" + ctx.NewId();
                string? first = null;
                for (int i = 0; i < 2; i++)
                {
                    var b = ctx.NewBundle("true");
                    b.Linux["cgroupsPath"] = path;
                    var c = ctx.Create(b);
                    var loc = ctx.Host.CgroupOf(c.Pid, ctl) ?? throw Fail("no cgroup found for the container");
                    Equal(path, loc.Path, $"{ctl} cgroup of container {i + 1}");
                    if (i == 0) RemoveCgroupsLater(ctx, c.Pid);
                    if (first is null) first = loc.Dir; else Equal(first, loc.Dir, "cgroup of the second container");
                    c.Delete(force: true);
                }
                return Pass();
            });

        const string M = "Memory";
        yield return Res("cgroups.memory.limit", M, Level.MUST, "memory.limit 64 MiB", "memory",
            b => Memory(b)["limit"] = 67108864, ("memory.limit_in_bytes", "67108864"), ("memory.max", "67108864"));
        yield return Res("cgroups.memory.unlimited", M, Level.MUST, "memory.limit -1 means unlimited", "memory",
            b => Memory(b)["limit"] = -1, ("memory.limit_in_bytes", "9223372036854771712"), ("memory.max", "max"));
        yield return Res("cgroups.memory.reservation", M, Level.MUST, "memory.reservation 32 MiB (soft limit)", "memory",
            b => Memory(b)["reservation"] = 33554432, ("memory.soft_limit_in_bytes", "33554432"), ("memory.low", "33554432"));
        yield return Res("cgroups.memory.swap", M, Level.MUST, "memory.swap 128 MiB with limit 64 MiB (memory+swap)", "memory",
            b => { Memory(b)["limit"] = 67108864; Memory(b)["swap"] = 134217728; },
            ("memory.memsw.limit_in_bytes", "134217728"), ("memory.swap.max", "67108864"));
        yield return Res("cgroups.memory.swappiness", M, Level.MUST, "memory.swappiness 10", "memory",
            b => Memory(b)["swappiness"] = 10, ("memory.swappiness", "10"), null);
        yield return Res("cgroups.memory.disableOOMKiller", M, Level.MUST, "memory.disableOOMKiller true disables the OOM killer", "memory",
            b => Memory(b)["disableOOMKiller"] = true, ("memory.oom_control", "~oom_kill_disable 1"), null);
        yield return Res("cgroups.memory.kernelTCP", M, Level.SHOULD, "memory.kernelTCP 16 MiB (NOT RECOMMENDED field)", "memory",
            b => Memory(b)["kernelTCP"] = 16777216, ("memory.kmem.tcp.limit_in_bytes", "16777216"), null,
            "runc 1.1 does not apply memory.kernelTCP (memory.kmem.tcp.limit_in_bytes stays unlimited)");

        const string C = "CPU";
        yield return Res("cgroups.cpu.shares", C, Level.MUST, "cpu.shares 512", "cpu",
            b => Cpu(b)["shares"] = 512, ("cpu.shares", "512"), ("cpu.weight", "20"));
        yield return Res("cgroups.cpu.quota", C, Level.MUST, "cpu.quota 50000 (period 100000)", "cpu",
            b => { Cpu(b)["quota"] = 50000; Cpu(b)["period"] = 100000; }, ("cpu.cfs_quota_us", "50000"), ("cpu.max", "50000 100000"));
        yield return Res("cgroups.cpu.period", C, Level.MUST, "cpu.period 250000 (quota 100000)", "cpu",
            b => { Cpu(b)["quota"] = 100000; Cpu(b)["period"] = 250000; }, ("cpu.cfs_period_us", "250000"), ("cpu.max", "100000 250000"));
        yield return Res("cgroups.cpu.burst", C, Level.MUST, "cpu.burst 20000 (quota 50000)", "cpu",
            b => { Cpu(b)["quota"] = 50000; Cpu(b)["period"] = 100000; Cpu(b)["burst"] = 20000; }, ("cpu.cfs_burst_us", "20000"), ("cpu.max.burst", "20000"),
            "runc 1.1 does not apply cpu.burst");
        yield return Res("cgroups.cpu.realtimeRuntime", C, Level.MUST, "cpu.realtimeRuntime 10000 / realtimePeriod 1000000", "cpu",
            b => { Cpu(b)["realtimeRuntime"] = 10000; Cpu(b)["realtimePeriod"] = 1000000; }, ("cpu.rt_runtime_us", "10000"), null);
        yield return Res("cgroups.cpu.realtimePeriod", C, Level.MUST, "cpu.realtimePeriod 500000", "cpu",
            b => { Cpu(b)["realtimePeriod"] = 500000; }, ("cpu.rt_period_us", "500000"), null);
        yield return Res("cgroups.cpu.idle", C, Level.MUST, "cpu.idle 1", "cpu",
            b => Cpu(b)["idle"] = 1, ("cpu.idle", "1"), ("cpu.idle", "1"),
            "runc 1.1 does not write cpu.idle on cgroup v1");
        yield return Res("cgroups.cpu.cpus", C, Level.MUST, "cpu.cpus \"0\" (cpuset)", "cpuset",
            b => Cpu(b)["cpus"] = "0", ("cpuset.cpus", "0"), ("cpuset.cpus", "0"));
        yield return Res("cgroups.cpu.mems", C, Level.MUST, "cpu.mems \"0\" (cpuset)", "cpuset",
            b => Cpu(b)["mems"] = "0", ("cpuset.mems", "0"), ("cpuset.mems", "0"));

        const string P = "PIDs";
        yield return Res("cgroups.pids.limit", P, Level.MUST, "pids.limit 42", "pids",
            b => Bundle.Obj(b.Resources, "pids")["limit"] = 42, ("pids.max", "42"), ("pids.max", "42"));
        yield return Res("cgroups.pids.unlimited", P, Level.MUST, "pids.limit -1 means max", "pids",
            b => Bundle.Obj(b.Resources, "pids")["limit"] = -1, ("pids.max", "max"), ("pids.max", "max"));
        yield return Res("cgroups.pids.zero", P, Level.SHOULD, "pids.limit 0 is a real limit of 0", "pids",
            b => Bundle.Obj(b.Resources, "pids")["limit"] = 0, ("pids.max", "0"), ("pids.max", "0"),
            "runc 1.1 treats pids.limit 0 as `unset` and leaves pids.max at max");

        yield return Res("cgroups.blockIO.weight", "Block IO", Level.MUST, "blockIO.weight 500", "blkio",
            b => BlockIO(b)["weight"] = 500, ("blkio.weight", "500"), ("io.bfq.weight", "~500"));
        yield return Throttle("throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps");
        yield return Throttle("throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps");
        yield return Throttle("throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops");
        yield return Throttle("throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops");

        yield return Res("cgroups.hugepageLimits", "Huge page limits", Level.MUST, "hugepageLimits 2MB: 4 MiB", "hugetlb",
            b => b.Resources["hugepageLimits"] = new JsonArray(Obj(("pageSize", "2MB"), ("limit", 4194304))),
            ("hugetlb.2MB.limit_in_bytes", "4194304"), ("hugetlb.2MB.max", "4194304"));
        yield return Res("cgroups.network.classID", "Network", Level.MUST, "network.classID 1048577 (net_cls)", "net_cls",
            b => Bundle.Obj(b.Resources, "network")["classID"] = 1048577, ("net_cls.classid", "1048577"), null);

        yield return new("cgroups.unified", Doc, "Unified", Level.MUST,
            "unified {pids.max: 10} is written on cgroup v2, and generates an error when the controller is not in the v2 hierarchy", ctx =>
            {
                var b = ctx.NewBundle("true");
                b.Resources["unified"] = Obj(("pids.max", "10"));
                if (!ctx.Host.V2Controllers.Contains("pids"))
                {
                    if (ctx.Host.V2MountPoint is null && ctx.Host.Layout == CgroupLayout.None) throw Skip("no cgroups on this host");
                    return ExpectInvalid(ctx, "unified pids.max while pids is not a cgroup v2 controller here",
                        _ => { }, x => x.Resources["unified"] = Obj(("pids.max", "10")));
                }
                var c = ctx.Create(b);
                var loc = ctx.Host.CgroupOf(c.Pid, "pids") ?? throw Fail("no pids cgroup");
                Equal("10", Host.Read(Path.Combine(loc.Dir, "pids.max")).Trim(), "pids.max");
                return Pass();
            });
        yield return Res("cgroups.network.priorities", "Network", Level.MUST, "network.priorities [lo: 5] (net_prio.ifpriomap)", "net_prio",
            b => Bundle.Obj(b.Resources, "network")["priorities"] = new JsonArray(Obj(("name", "lo"), ("priority", 5))),
            ("net_prio.ifpriomap", "~lo 5"), null);
        yield return new("cgroups.blockIO.weightDevice-empty", Doc, "Block IO", Level.MUST,
            "a weightDevice entry with neither weight nor leafWeight (one of them MUST be given) generates an error", ctx =>
            {
                var dev = RootDevice() ?? (8, 0);
                return ExpectInvalid(ctx, "a weightDevice entry without weights",
                    _ => { }, b => BlockIO(b)["weightDevice"] = new JsonArray(Obj(("major", dev.Major), ("minor", dev.Minor))));
            });
        yield return new("cgroups.rdma.empty-entry", Doc, "RDMA", Level.MUST,
            "an rdma entry with neither hcaHandles nor hcaObjects (one of them MUST be given) generates an error", ctx =>
                ExpectInvalid(ctx, "an rdma entry without limits",
                    _ => { }, b => b.Resources["rdma"] = Obj(("conformance0", new JsonObject()))));
        yield return new("cgroups.unified.unknown-key", Doc, "Unified", Level.MUST,
            "a unified key no runtime needs to know (cgroup.max.descendants: 7) is still written to its file", ctx =>
            {
                if (ctx.Host.Layout != CgroupLayout.V2) throw Skip($"unified applies to cgroup v2 hosts; this host's layout is {ctx.Host.Layout}");
                var b = ctx.NewBundle("true");
                b.Resources["unified"] = Obj(("cgroup.max.descendants", "7"));
                var c = ctx.Create(b);
                var loc = ctx.Host.CgroupOf(c.Pid, "unified") ?? throw Fail("cannot find the container's cgroup");
                That(loc.Path != "/", "the container has no cgroup of its own");
                Equal("7", Host.Read(Path.Combine(loc.Dir, "cgroup.max.descendants")).Trim(), "cgroup.max.descendants");
                return Pass();
            });
        yield return new("cgroups.v2.unconvertible", Doc, "Example", Level.MUST,
            "on cgroup v2, a v1 setting with no v2 equivalent (memory.swappiness) generates an error", ctx =>
            {
                if (ctx.Host.Layout != CgroupLayout.V2) throw Skip($"the rule is about cgroup v2 hosts; this host's layout is {ctx.Host.Layout}");
                if (!ctx.Host.V2Controllers.Contains("memory")) throw Skip("the memory controller is not enabled in this cgroup v2 hierarchy");
                return ExpectInvalid(ctx, "memory.swappiness on cgroup v2",
                    b => Memory(b)["limit"] = 67108864, b => { Memory(b)["limit"] = 67108864; Memory(b)["swappiness"] = 10; });
            });

        // --- cgroup ownership (delegation to a container with its own user and cgroup namespaces)
        const string O = "Cgroup ownership";
        yield return new("cgroup-ownership.delegated", Doc, O, Level.SHOULD,
            "cgroup v2, user and cgroup namespaces, /sys/fs/cgroup mounted rw: the cgroup and the delegate files that exist belong to the container's root, no other file does", ctx =>
            {
                var (_, loc) = Delegated(ctx, cgroupNs: true, rw: true);
                var listed = DelegateFiles(out _);
                Equal("100000", Owner(loc.Dir), $"owner of {loc.Dir}");
                foreach (var f in listed.Where(f => File.Exists(Path.Combine(loc.Dir, f))))
                    Equal("100000", Owner(Path.Combine(loc.Dir, f)), $"owner of {f}");
                foreach (var f in Directory.EnumerateFiles(loc.Dir).Select(Path.GetFileName).OfType<string>().Where(f => !listed.Contains(f)))
                    Equal("0", Owner(Path.Combine(loc.Dir, f)), $"owner of {f} (not a delegate file)");
                return Pass();
            });
        yield return new("cgroup-ownership.missing-delegate-files", Doc, O, Level.MUST,
            "delegating a cgroup in which some files of /sys/kernel/cgroup/delegate do not exist does not make create fail", ctx =>
            {
                var listed = DelegateFiles(out bool fromKernel);
                if (!fromKernel) throw Skip("the host has no /sys/kernel/cgroup/delegate");
                var (_, loc) = Delegated(ctx, cgroupNs: true, rw: true);
                if (Owner(loc.Dir) == "0") throw Skip("the runtime does not change the cgroup's owner (which it may), so the case does not arise");
                var missing = listed.Where(f => !File.Exists(Path.Combine(loc.Dir, f))).ToList();
                if (missing.Count == 0) throw Skip("every file of /sys/kernel/cgroup/delegate exists in the container's cgroup, so the case does not arise");
                return Pass($"create succeeded although {string.Join(", ", missing)} do not exist in the cgroup");
            });
        yield return new("cgroup-ownership.fallback", Doc, O, Level.MUST,
            "without /sys/kernel/cgroup/delegate, a runtime that delegates the cgroup gives the fallback files (cgroup.procs, cgroup.subtree_control, cgroup.threads) to the container's root", ctx =>
            {
                if (File.Exists("/sys/kernel/cgroup/delegate")) throw Skip("the host has /sys/kernel/cgroup/delegate, so the fallback list is not in use");
                var (_, loc) = Delegated(ctx, cgroupNs: true, rw: true);
                if (Owner(loc.Dir) == "0") throw Skip("the runtime does not change the cgroup's owner (which it may), so the files it would change cannot be seen");
                foreach (var f in new[] { "cgroup.procs", "cgroup.subtree_control", "cgroup.threads" })
                    Equal("100000", Owner(Path.Combine(loc.Dir, f)), $"owner of {f}");
                return Pass();
            });
        yield return new("cgroup-ownership.no-cgroupns", Doc, O, Level.SHOULD,
            "cgroup v2 and a user namespace but no new cgroup namespace: the cgroup's owner is not changed", ctx =>
            {
                var (_, loc) = Delegated(ctx, cgroupNs: false, rw: true);
                Equal("0", Owner(loc.Dir), $"owner of {loc.Dir}");
                return Pass();
            });
        yield return new("cgroup-ownership.ro-mount", Doc, O, Level.SHOULD,
            "cgroup v2, user and cgroup namespaces, but /sys/fs/cgroup mounted ro: the cgroup's owner is not changed", ctx =>
            {
                var (_, loc) = Delegated(ctx, cgroupNs: true, rw: false);
                Equal("0", Owner(loc.Dir), $"owner of {loc.Dir}");
                return Pass();
            });
        yield return new("cgroup-ownership.v1", Doc, O, Level.SHOULD,
            "cgroups v1 in use, user and cgroup namespaces, /sys/fs/cgroup mounted rw: the container's v1 cgroups keep their owner", ctx =>
            {
                if (ctx.Host.Layout is not (CgroupLayout.V1 or CgroupLayout.Hybrid)) throw Skip($"the rule is about cgroups v1; this host's layout is {ctx.Host.Layout}");
                var ctl = new[] { "pids", "memory", "cpu", "devices" }.FirstOrDefault(ctx.Host.V1.ContainsKey) ?? throw Skip("no v1 controller to look at");
                var b = ctx.NewBundle("true");
                ConfigLinuxNamespaces.AddUserNs(b);
                b.SetNamespace("cgroup");
                b.RemoveMount("/sys/fs/cgroup").AddMount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "rw");
                var c = CreateOrRefused(ctx, b, "a rw cgroup mount in a user namespace on cgroups v1");
                var loc = ctx.Host.CgroupOf(c.Pid, ctl) ?? throw Fail($"cannot find the container's {ctl} cgroup");
                That(loc.Path != "/", $"the container has no {ctl} cgroup of its own");
                Equal("0", Owner(loc.Dir), $"owner of {loc.Dir}");
                return Pass();
            });
        yield return new("intelRdt.no-resctrl", Doc, "IntelRdt", Level.MUST,
            "intelRdt without a mounted resctrl filesystem generates an error", ctx =>
            {
                if (Host.MountTable().Any(m => m.FsType == "resctrl")) throw Skip("resctrl is mounted on this host; the error case cannot be provoked");
                return ExpectInvalid(ctx, "intelRdt without resctrl", _ => { }, b => b.Linux["intelRdt"] = Obj(("closID", "conformance")));
            }) { RuncDeviation = "runc 1.1 accepts intelRdt with only a closID although no resctrl filesystem is mounted" };
    }

    /// <summary>
    /// A container with a user namespace (root = host 100000), optionally its own cgroup namespace and a rw cgroup
    /// mount, on a cgroup v2 host; returns it and its cgroup.
    /// </summary>
    private static (Container C, CgroupLocation Loc) Delegated(CheckContext ctx, bool cgroupNs, bool rw)
    {
        if (ctx.Host.Layout != CgroupLayout.V2) throw Skip($"the rule is about cgroup v2 hosts; this host's layout is {ctx.Host.Layout}");
        var b = ctx.NewBundle("true");
        ConfigLinuxNamespaces.AddUserNs(b);
        if (cgroupNs) b.SetNamespace("cgroup");
        b.RemoveMount("/sys/fs/cgroup").AddMount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", rw ? "rw" : "ro");
        var c = ctx.Create(b);
        var loc = ctx.Host.CgroupOf(c.Pid, "unified") ?? throw Fail("cannot find the container's cgroup");
        That(loc.Path != "/" && loc.Path != ctx.Host.CgroupOf(Environment.ProcessId, "unified")?.Path, "the container has no cgroup of its own");
        return (c, loc);
    }

    /// <summary>The files of /sys/kernel/cgroup/delegate, or the spec's fallback list when the kernel has no such file.</summary>
    private static List<string> DelegateFiles(out bool fromKernel)
    {
        var text = Host.Read("/sys/kernel/cgroup/delegate");
        fromKernel = text.Length > 0;
        return fromKernel
            ? text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
            : ["cgroup.procs", "cgroup.subtree_control", "cgroup.threads"];
    }

    private static string Owner(string path)
    {
        var r = Host.Cmd("stat", "-c", "%u", path);
        return r.Ok ? r.Stdout.Trim() : $"(stat failed: {r.Brief})";
    }
}
