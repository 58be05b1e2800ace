using System.Text.Json.Nodes;
using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>config-linux.md: Namespaces, User namespace mappings, Offset for Time Namespace.</summary>
internal static class ConfigLinuxNamespaces
{
    private const string Doc = "config-linux.md";

    /// <summary>spec type → (/proc/PID/ns file, unshare(1) flags, ns file of the holder to join).</summary>
    private static readonly (string Type, string NsFile, string[] Unshare, string HolderFile)[] Types =
    [
        ("pid", "pid", ["--pid", "--fork"], "pid_for_children"),
        ("network", "net", ["--net"], "net"),
        ("mount", "mnt", ["--mount"], "mnt"),
        ("ipc", "ipc", ["--ipc"], "ipc"),
        ("uts", "uts", ["--uts"], "uts"),
        ("user", "user", ["--user", "--map-root-user"], "user"),
        ("cgroup", "cgroup", ["--cgroup"], "cgroup"),
        ("time", "time", ["--time"], "time_for_children"),
    ];

    internal static JsonArray Mapping(params (long Container, long Host, long Size)[] m)
    {
        var a = new JsonArray();
        foreach (var (c, h, s) in m) a.Add((JsonNode)Obj(("containerID", c), ("hostID", h), ("size", s)));
        return a;
    }

    internal static void AddUserNs(Bundle b, long hostId = 100000)
    {
        b.SetNamespace("user");
        b.Linux["uidMappings"] = Mapping((0, hostId, 65536));
        b.Linux["gidMappings"] = Mapping((0, hostId, 65536));
    }

    /// <summary>A config that asks for nothing a shared mount namespace cannot give: the root is the namespace's own
    /// "/", with no mounts, masked or read-only paths. (A runtime may refuse a rootfs, mounts or masked paths it
    /// would have to set up in a mount namespace it shares with the host: oci-run does, runc sets them up there.)</summary>
    private static void OnTheHostsRoot(Bundle b)
    {
        b.Config["root"] = Obj(("path", "/"), ("readonly", false));
        b.Config["mounts"] = new JsonArray();
        b.Linux.Remove("maskedPaths");
        b.Linux.Remove("readonlyPaths");
    }

    private static void RequireNamespace(CheckContext ctx, string type) =>
        ctx.Host.RequireFeature(f => ctx.Host.FeatureListContains("linux.namespaces", type), $"namespace `{type}`");

    /// <summary>Starts `unshare FLAGS sleep 600` and returns the path of the namespace to join, once it exists.</summary>
    internal static string Holder(CheckContext ctx, string[] unshareFlags, string holderFile, string nsFile)
    {
        var p = ctx.StartHelper(["unshare", .. unshareFlags, "sleep", "600"]);
        var mine = Host.NsLink("self", nsFile);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < 10)
        {
            var l = Host.NsLink(p.Id.ToString(), holderFile);
            if (l is not null && l != mine) return $"/proc/{p.Id}/ns/{holderFile}";
            if (p.HasExited) throw Skip($"host cannot make a {nsFile} namespace with unshare {string.Join(' ', unshareFlags)}");
            Thread.Sleep(10);
        }
        throw Fail("namespace holder did not enter its new namespace");
    }

    public static IEnumerable<Check> Checks()
    {
        foreach (var (type, nsFile, unshare, holderFile) in Types)
        {
            yield return new($"namespaces.{type}.new", Doc, "Namespaces", Level.MUST,
                $"a `{type}` entry without path puts the container in a new {type} namespace", ctx =>
                {
                    RequireNamespace(ctx, type);
                    var b = ctx.NewBundle($"readlink /proc/self/ns/{nsFile}");
                    b.SetNamespace(type);
                    if (type == "user") AddUserNs(b);
                    var seen = ctx.RunProbe(b).Trim();
                    That(seen.StartsWith(nsFile + ":[", StringComparison.Ordinal), $"probe printed '{seen}'");
                    That(seen != Host.NsLink("self", nsFile), $"container shares the runtime's {type} namespace {seen}");
                    return Pass();
                });
            yield return new($"namespaces.{type}.path", Doc, "Namespaces", Level.MUST,
                $"a `{type}` entry with a path joins that existing namespace", ctx =>
                {
                    RequireNamespace(ctx, type);
                    var path = Holder(ctx, unshare, holderFile, nsFile);
                    var target = new FileInfo(path).LinkTarget;
                    var b = ctx.NewBundle($"readlink /proc/self/ns/{nsFile}");
                    b.SetNamespace(type, path);
                    // A runtime may set the rootfs up inside a joined mount namespace (runc) or refuse to change a
                    // namespace it does not own (oci-run): either way the container must be in the joined one.
                    string? seen = null;
                    if (type == "mount")
                    {
                        var (ok, output, _) = ctx.TryRunProbe(b);
                        if (ok) seen = output.Trim();
                        else
                        {
                            b = ctx.NewBundle($"readlink /proc/self/ns/{nsFile}");
                            b.SetNamespace(type, path);
                            OnTheHostsRoot(b);
                        }
                    }
                    if (type == "user")
                    {
                        // the holder maps container root to host root (unshare --map-root-user); describe that mapping
                        b.Linux["uidMappings"] = Mapping((0, 0, 1));
                        b.Linux["gidMappings"] = Mapping((0, 0, 1));
                        // gid 5 (tty) is not mapped in that namespace: drop devpts' gid=5 option
                        b.RemoveMount("/dev/pts").AddMount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620");
                    }
                    seen ??= ctx.RunProbe(b).Trim();
                    Equal(target ?? "", seen, $"{type} namespace of the container");
                    return Pass();
                });
            if (type is "mount") continue;
            yield return new($"namespaces.{type}.inherit", Doc, "Namespaces", Level.MUST,
                $"without a `{type}` entry the container stays in the runtime's {type} namespace", ctx =>
                {
                    var b = ctx.NewBundle($"readlink /proc/self/ns/{nsFile}");
                    b.RemoveNamespace(type);
                    if (type == "uts") b.Config.Remove("hostname"); // a hostname needs a private uts namespace
                    Equal(Host.NsLink("self", nsFile) ?? "", ctx.RunProbe(b).Trim(), $"{type} namespace");
                    return Pass();
                });
        }
        yield return new("namespaces.mount.inherit", Doc, "Namespaces", Level.MUST,
            "without a `mount` entry the container stays in the runtime's mount namespace", ctx =>
            {
                // Runs with a config that needs no mounts; the runtime's mount namespace must not change.
                var b = ctx.NewBundle("readlink /proc/self/ns/mnt");
                b.RemoveNamespace("mount");
                OnTheHostsRoot(b);
                var (ok, output, err) = ctx.TryRunProbe(b);
                That(ok, "container without a mount namespace failed: " + err);
                Equal(Host.NsLink("self", "mnt") ?? "", output.Trim(), "mount namespace");
                return Pass();
            });
        yield return new("namespaces.duplicate", Doc, "Namespaces", Level.MUST,
            "duplicated namespace types generate an error", ctx =>
            {
                return ExpectInvalid(ctx, "two `uts` entries", _ => { }, b => b.Namespaces.Add((JsonNode)Obj(("type", "uts"))));
            });
        yield return new("namespaces.wrong-type-path", Doc, "Namespaces", Level.MUST,
            "a path that is not a namespace of the given type generates an error", ctx =>
            {
                var net = Holder(ctx, ["--net"], "net", "net");
                var uts = Holder(ctx, ["--uts"], "uts", "uts");
                return ExpectInvalid(ctx, "uts entry pointing at a network namespace",
                    b => b.SetNamespace("uts", uts), b => b.SetNamespace("uts", net));
            });
        yield return new("namespaces.pid.init", Doc, "Namespaces", Level.MUST,
            "in a new pid namespace the container process is pid 1 and sees only its own processes", ctx =>
            {
                var o = ctx.RunProbe(ctx.NewBundle("echo pid=$$; ls -d /proc/[0-9]* | wc -l"));
                var lines = o.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Equal("pid=1", lines[0], "pid");
                That(lines.Length > 1 && int.Parse(lines[1].Trim()) <= 3, $"sees {lines.ElementAtOrDefault(1)} processes");
                return Pass();
            });
        yield return new("namespaces.network.isolated", Doc, "Namespaces", Level.MUST,
            "a new network namespace has only the loopback interface", ctx =>
            {
                var o = ctx.RunProbe(ctx.NewBundle("ls /sys/class/net"));
                Equal("lo", o.Trim(), "interfaces");
                return Pass();
            });
        yield return new("namespaces.cgroup.root", Doc, "Namespaces", Level.MUST,
            "in a new cgroup namespace the container's own cgroup is its root (/proc/self/cgroup shows /)", ctx =>
            {
                RequireNamespace(ctx, "cgroup");
                var b = ctx.NewBundle("cat /proc/self/cgroup").SetNamespace("cgroup");
                var o = ctx.RunProbe(b);
                var bad = o.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.EndsWith(":/", StringComparison.Ordinal)).ToList();
                That(bad.Count == 0, "cgroup paths not at the namespace root: " + string.Join(" | ", bad));
                return Pass();
            });

        // --- user namespace mappings
        const string U = "User namespace mappings";
        yield return new("userns.uid_map", Doc, U, Level.MUST, "uidMappings are written to the container's uid_map", ctx =>
        {
            var b = ctx.NewBundle("cat /proc/self/uid_map");
            AddUserNs(b);
            var f = ctx.RunProbe(b).Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
            Equal("0 100000 65536", string.Join(' ', f), "uid_map");
            return Pass();
        });
        yield return new("userns.gid_map", Doc, U, Level.MUST, "gidMappings are written to the container's gid_map", ctx =>
        {
            var b = ctx.NewBundle("cat /proc/self/gid_map");
            AddUserNs(b);
            b.Linux["gidMappings"] = Mapping((0, 200000, 65536));
            var f = ctx.RunProbe(b).Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
            Equal("0 200000 65536", string.Join(' ', f), "gid_map");
            return Pass();
        });
        yield return new("userns.multiple-ranges", Doc, U, Level.MUST, "several mapping entries are all applied", ctx =>
        {
            var b = ctx.NewBundle("cat /proc/self/uid_map");
            AddUserNs(b);
            b.Linux["uidMappings"] = Mapping((0, 100000, 1000), (1000, 300000, 1000));
            var lines = ctx.RunProbe(b).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).Order(StringComparer.Ordinal).ToList();
            Equal("0 100000 1000|1000 300000 1000", string.Join('|', lines), "uid_map");
            return Pass();
        });
        yield return new("userns.host-view", Doc, U, Level.MUST,
            "the container's root is seen on the host as the mapped host uid/gid", ctx =>
            {
                var b = ctx.NewBundle("true");
                AddUserNs(b);
                var c = ctx.Create(b);
                var uid = Host.StatusField(c.Pid.ToString(), "Uid")?.Split('\t', StringSplitOptions.RemoveEmptyEntries)[0];
                var gid = Host.StatusField(c.Pid.ToString(), "Gid")?.Split('\t', StringSplitOptions.RemoveEmptyEntries)[0];
                Equal("100000:100000", $"{uid}:{gid}", "host uid:gid of the container process");
                return Pass();
            });
        yield return new("userns.inside-root", Doc, U, Level.MUST, "inside the user namespace the process is uid 0 with full capabilities over it", ctx =>
        {
            var b = ctx.NewBundle("id -u; grep ^CapEff /proc/self/status");
            AddUserNs(b);
            var o = ctx.RunProbe(b).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Equal("0", o[0].Trim(), "uid");
            return Pass();
        });
        yield return new("userns.no-chown", Doc, U, Level.SHOULD,
            "the runtime does not change ownership of the rootfs to realize the mapping", ctx =>
            {
                var b = ctx.NewBundle("true");
                AddUserNs(b);
                ctx.RunProbe(b);
                var st = Host.Cmd("stat", "-c", "%u:%g", Path.Combine(b.Rootfs, "bin", "busybox"), Path.Combine(b.Rootfs, "etc"));
                Equal("0:0\n0:0", st.Stdout.Trim(), "owner of rootfs files after the run");
                return Pass();
            });

        // --- time namespace offsets
        const string TO = "Offset for Time Namespace";
        foreach (var clock in new[] { "boottime", "monotonic" })
        {
            yield return new($"timeOffsets.{clock}", Doc, TO, Level.MUST,
                $"timeOffsets.{clock} (secs{(clock == "monotonic" ? ", nanosecs" : "")}) is applied in the container's time namespace (/proc/self/timens_offsets{(clock == "boottime" ? ", /proc/uptime" : "")})", ctx =>
                {
                    RequireNamespace(ctx, "time");
                    if (!File.Exists("/proc/self/timens_offsets")) throw Skip("the kernel has no time namespaces");
                    const long off = 10 * 86400;
                    var b = ctx.NewBundle("cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime").SetNamespace("time");
                    long nanos = clock == "monotonic" ? 250000000 : 0;
                    b.Linux["timeOffsets"] = Obj((clock, Obj(("secs", off), ("nanosecs", nanos))));
                    var o = ctx.RunProbe(b);
                    var line = o.Split('\n').FirstOrDefault(l => l.StartsWith(clock, StringComparison.Ordinal));
                    That(line is not null, "no timens_offsets line for " + clock + ": " + Show(o));
                    var f = line!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    Equal($"{off}", f[1], $"{clock} offset seconds");
                    Equal($"{nanos}", f.ElementAtOrDefault(2), $"{clock} offset nanoseconds");
                    if (clock == "boottime")
                    {
                        long inside = long.Parse(o.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim());
                        long host = (long)double.Parse(Host.Read("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                        That(inside >= off && inside - host > off - 3600, $"uptime inside {inside}s vs host {host}s: not shifted by {off}s");
                    }
                    return Pass();
                });
        }
    }
}
