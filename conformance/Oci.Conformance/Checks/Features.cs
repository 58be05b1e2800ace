using System.Text.Json.Nodes;
using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>features.md and features-linux.md: the `features` command's document.</summary>
internal static class Features
{
    private const string Doc = "features.md";
    private const string LDoc = "features-linux.md";

    private static JsonObject Need(CheckContext ctx)
    {
        if (ctx.Host.Features is not null) return ctx.Host.Features;
        if (ctx.Host.FeaturesRaw.Trim().Length > 0) throw Fail(ctx.Host.FeaturesError);
        throw Skip("the runtime provides no features document (`features` failed: " + ctx.Host.FeaturesError + ")");
    }

    private static string[] StringArray(JsonNode? n, string what)
    {
        if (n is null) return [];
        if (n is not JsonArray a) throw Fail($"{what} is not an array");
        return a.Select(x => x is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Fail($"{what} has a non-string element")).ToArray();
    }

    /// <summary>Compares two semantic versions (major.minor.patch[-pre]); pre-releases sort before the release.</summary>
    internal static int CompareVersions(string a, string b)
    {
        static (int[] Nums, string Pre) Parse(string v)
        {
            var dash = v.IndexOf('-');
            var pre = dash >= 0 ? v[(dash + 1)..] : "";
            var core = dash >= 0 ? v[..dash] : v;
            return (core.Split('.').Select(x => int.TryParse(x, out var i) ? i : 0).Concat([0, 0, 0]).Take(3).ToArray(), pre);
        }
        var (na, pa) = Parse(a);
        var (nb, pb) = Parse(b);
        for (int i = 0; i < 3; i++) if (na[i] != nb[i]) return na[i].CompareTo(nb[i]);
        if (pa == pb) return 0;
        if (pa.Length == 0) return 1;
        if (pb.Length == 0) return -1;
        return string.CompareOrdinal(pa, pb);
    }

    private static readonly HashSet<string> TopLevel = ["ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "linux", "annotations", "potentiallyUnsafeConfigAnnotations"];
    private static readonly HashSet<string> LinuxKeys = ["namespaces", "capabilities", "cgroup", "seccomp", "apparmor", "selinux", "intelRdt", "mountExtensions", "netDevices", "memoryPolicy"];
    private static readonly HashSet<string> NsTypes = ["pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"];

    public static IEnumerable<Check> Checks()
    {
        yield return new("features.valid-json", Doc, "Features Structure", Level.MAY,
            "`features` prints a JSON object", ctx => { Need(ctx); return Pass(); });
        yield return new("features.versions", Doc, "Specification version", Level.MUST,
            "ociVersionMin and ociVersionMax are strings and max >= min", ctx =>
            {
                var f = Need(ctx);
                var min = f["ociVersionMin"] is JsonValue a && a.TryGetValue<string>(out var s1) ? s1 : throw Fail("ociVersionMin missing or not a string");
                var max = f["ociVersionMax"] is JsonValue b && b.TryGetValue<string>(out var s2) ? s2 : throw Fail("ociVersionMax missing or not a string");
                That(CompareVersions(max, min) >= 0, $"ociVersionMax {max} < ociVersionMin {min}");
                return Pass();
            });
        foreach (var which in new[] { "ociVersionMin", "ociVersionMax" })
        {
            yield return new($"features.accepts-{which}", Doc, "Specification version", Level.MUST,
                $"a config whose ociVersion is the features' {which} is accepted", ctx =>
                {
                    var f = Need(ctx);
                    var v = f[which]?.ToString() ?? throw Fail($"{which} missing");
                    var b = ctx.NewBundle("echo ok=1");
                    b.Config["ociVersion"] = v;
                    var (ok, output, err) = ctx.TryRunProbe(b);
                    That(ok, $"config with ociVersion {v} rejected: {err}");
                    Equal("1", KV(output).Get("ok", output), "probe");
                    return Pass();
                });
        }
        yield return new("features.known-properties", Doc, "Specification version", Level.MUST,
            "the document has no properties undefined by the spec (top level and `linux`)", ctx =>
            {
                var f = Need(ctx);
                var unknown = f.Select(kv => kv.Key).Where(k => !TopLevel.Contains(k)).ToList();
                if (f["linux"] is JsonObject l) unknown.AddRange(l.Select(kv => "linux." + kv.Key).Where(k => !LinuxKeys.Contains(k[6..])));
                That(unknown.Count == 0, "unknown properties: " + string.Join(", ", unknown));
                return Pass();
            });
        yield return new("features.hooks", Doc, "Hooks", Level.MUST, "hooks lists only known hook names", ctx =>
        {
            var hooks = StringArray(Need(ctx)["hooks"], "hooks");
            var bad = hooks.Where(h => !ConfigHooks.All.Contains(h)).ToList();
            That(bad.Count == 0, "unknown hooks: " + string.Join(", ", bad));
            return Pass(hooks.Length == 0 ? "no hooks listed" : "");
        });
        yield return new("features.mountOptions-no-fs-specific", Doc, "Mount Options", Level.SHOULD,
            "mountOptions contains no filesystem-specific (data) options such as size= or mode=", ctx =>
            {
                var opts = StringArray(Need(ctx)["mountOptions"], "mountOptions");
                var bad = opts.Where(o => o.Contains('=')).ToList();
                That(bad.Count == 0, "filesystem-specific options listed: " + string.Join(", ", bad));
                return Pass();
            });
        yield return new("features.mountOptions-accepted", Doc, "Mount Options", Level.MUST,
            "every listed flag-like mount option (ro, nosuid, nodev, noexec, …) is accepted in a tmpfs mount", ctx =>
            {
                var opts = StringArray(Need(ctx)["mountOptions"], "mountOptions").ToHashSet();
                string[] candidates = ["ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec", "noatime", "nodiratime", "relatime", "strictatime", "sync", "dirsync"];
                var b = ctx.NewBundle("echo ok=1");
                int i = 0;
                foreach (var o in candidates.Where(opts.Contains)) b.AddMount($"/mnt/o{i++}", "tmpfs", "tmpfs", o);
                if (i == 0) throw Skip("none of the probed options is listed");
                var (ok, output, err) = ctx.TryRunProbe(b);
                That(ok, "a container using the listed options failed: " + err);
                return Pass($"{i} options");
            });
        yield return new("features.annotations", Doc, "Annotations", Level.MUST, "annotations is a string→string map", ctx =>
        {
            var a = Need(ctx)["annotations"];
            if (a is null) return Pass("absent");
            That(a is JsonObject o && o.All(kv => kv.Value is JsonValue v && v.TryGetValue<string>(out _)), "annotations is not a map of strings");
            return Pass();
        });
        yield return new("features.linux.namespaces", LDoc, "Namespaces", Level.MUST, "linux.namespaces lists only spec namespace types", ctx =>
        {
            var ns = StringArray(Need(ctx)["linux"]?["namespaces"], "linux.namespaces");
            var bad = ns.Where(n => !NsTypes.Contains(n)).ToList();
            That(bad.Count == 0, "unknown namespace types: " + string.Join(", ", bad));
            return Pass(ns.Length == 0 ? "absent" : string.Join(",", ns));
        });
        yield return new("features.linux.capabilities", LDoc, "Capabilities", Level.MUST, "linux.capabilities lists only capability names", ctx =>
        {
            var caps = StringArray(Need(ctx)["linux"]?["capabilities"], "linux.capabilities");
            var bad = caps.Where(c => !c.StartsWith("CAP_", StringComparison.Ordinal)).ToList();
            That(bad.Count == 0, "not capability names: " + string.Join(", ", bad));
            return Pass();
        });
        yield return new("features.linux.seccomp", LDoc, "Seccomp", Level.MUST,
            "linux.seccomp.enabled is a boolean; actions, operators, archs, knownFlags and supportedFlags are lists of such names", ctx =>
        {
            var s = Need(ctx)["linux"]?["seccomp"];
            if (s is null) return Pass("absent");
            That(s["enabled"] is null || s["enabled"]!.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False, "enabled is not a boolean");
            var bad = StringArray(s["actions"], "seccomp.actions").Where(a => !a.StartsWith("SCMP_ACT_", StringComparison.Ordinal))
                .Concat(StringArray(s["operators"], "seccomp.operators").Where(a => !a.StartsWith("SCMP_CMP_", StringComparison.Ordinal)))
                .Concat(StringArray(s["archs"], "seccomp.archs").Where(a => !a.StartsWith("SCMP_ARCH_", StringComparison.Ordinal)))
                .Concat(StringArray(s["knownFlags"], "seccomp.knownFlags").Where(a => !a.StartsWith("SECCOMP_FILTER_FLAG_", StringComparison.Ordinal)))
                .Concat(StringArray(s["supportedFlags"], "seccomp.supportedFlags").Where(a => !a.StartsWith("SECCOMP_FILTER_FLAG_", StringComparison.Ordinal))).ToList();
            That(bad.Count == 0, "unknown names: " + string.Join(", ", bad));
            var unknownSupported = StringArray(s["supportedFlags"], "supportedFlags").Except(StringArray(s["knownFlags"], "knownFlags")).ToList();
            That(s["knownFlags"] is null || unknownSupported.Count == 0, "supportedFlags not among knownFlags: " + string.Join(", ", unknownSupported));
            return Pass();
        });
        yield return new("features.linux.cgroup", LDoc, "Cgroup", Level.MUST, "linux.cgroup fields (v1, v2, systemd, systemdUser, rdma) are booleans", ctx =>
        {
            var c = Need(ctx)["linux"]?["cgroup"];
            if (c is null) return Pass("absent");
            That(c is JsonObject o && o.All(kv => kv.Value is null || kv.Value.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False),
                "cgroup has non-boolean fields: " + Show(c.ToJsonString()));
            return Pass();
        });
        yield return new("features.potentiallyUnsafeConfigAnnotations", Doc, "Unsafe annotations in `config.json`", Level.MAY,
            "potentiallyUnsafeConfigAnnotations, if present, is a list of strings", ctx =>
            {
                var a = StringArray(Need(ctx)["potentiallyUnsafeConfigAnnotations"], "potentiallyUnsafeConfigAnnotations");
                return Pass(a.Length == 0 ? "absent or empty" : string.Join(", ", a));
            });
        yield return new("features.linux.enabled-flags", LDoc, "AppArmor", Level.MAY,
            "apparmor, selinux, intelRdt, mountExtensions.idmap and netDevices report their support as booleans", ctx =>
            {
                var l = Need(ctx)["linux"];
                if (l is null) return Pass("no linux object");
                var bad = new List<string>();
                foreach (var path in new[] { "apparmor.enabled", "selinux.enabled", "intelRdt.enabled", "intelRdt.schemata", "intelRdt.monitoring",
                                             "mountExtensions.idmap.enabled", "netDevices.enabled" })
                {
                    JsonNode? n = l;
                    foreach (var part in path.Split('.')) n = n?[part];
                    if (n is not null && n.GetValueKind() is not (System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False)) bad.Add(path);
                }
                That(bad.Count == 0, "not booleans: " + string.Join(", ", bad));
                return Pass();
            });
        yield return new("features.linux.memoryPolicy", LDoc, "MemoryPolicy", Level.MAY,
            "linux.memoryPolicy modes and flags, if present, are MPOL_* names", ctx =>
            {
                var m = Need(ctx)["linux"]?["memoryPolicy"];
                if (m is null) return Pass("absent");
                var bad = StringArray(m["modes"], "memoryPolicy.modes").Concat(StringArray(m["flags"], "memoryPolicy.flags"))
                    .Where(x => !x.StartsWith("MPOL_", StringComparison.Ordinal)).ToList();
                That(bad.Count == 0, "not MPOL_ names: " + string.Join(", ", bad));
                return Pass();
            });
        yield return new("features.linux.namespaces-accepted", LDoc, "Namespaces", Level.MUST,
            "a container with a new namespace of every listed type the host has (/proc/self/ns) runs", ctx =>
            {
                var listed = StringArray(Need(ctx)["linux"]?["namespaces"], "linux.namespaces");
                if (listed.Length == 0) throw Skip("linux.namespaces is absent or empty");
                static string NsFile(string t) => t switch { "network" => "net", "mount" => "mnt", _ => t };
                var usable = listed.Where(t => NsTypes.Contains(t) && File.Exists($"/proc/self/ns/{NsFile(t)}")).ToList();
                var b = ctx.NewBundle("echo ok=1");
                foreach (var t in usable) b.SetNamespace(t);
                if (usable.Contains("user")) { ConfigLinuxNamespaces.AddUserNs(b); b.RemoveMount("/sys/fs/cgroup"); }
                var (ok, output, err) = ctx.TryRunProbe(b);
                That(ok, $"a container with new {string.Join(", ", usable)} namespaces failed: {err}");
                Equal("1", KV(output).Get("ok", output), "probe");
                return Pass(string.Join(",", usable));
            });
        yield return new("features.linux.capabilities-accepted", LDoc, "Capabilities", Level.MUST,
            "a container given every listed capability the host's bounding set has runs with them in its bounding set", ctx =>
            {
                var listed = StringArray(Need(ctx)["linux"]?["capabilities"], "linux.capabilities");
                if (listed.Length == 0) throw Skip("linux.capabilities is absent or empty");
                var grantable = listed.Where(c => Array.IndexOf(ConfigCapabilities.Names, c) is var bit && bit >= 0 && ctx.Host.HasCap(bit)).ToList();
                var b = ctx.NewBundle("grep CapBnd /proc/self/status");
                b.Process["capabilities"] = Obj(("bounding", Bundle.Strings([.. grantable])), ("permitted", Bundle.Strings([.. grantable])),
                    ("effective", Bundle.Strings([.. grantable])));
                var (ok, output, err) = ctx.TryRunProbe(b);
                That(ok, "a container with every listed capability failed: " + err);
                var mask = ulong.Parse(output.Trim().Split('\t').Last(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                var missing = grantable.Where(c => (mask & (1UL << Array.IndexOf(ConfigCapabilities.Names, c))) == 0).ToList();
                That(missing.Count == 0, "not in the bounding set: " + string.Join(", ", missing));
                return Pass($"{grantable.Count} capabilities");
            });
        yield return new("features.linux.seccomp-accepted", LDoc, "Seccomp", Level.MUST,
            "filters using every listed action (but NOTIFY, which needs an agent), every listed operator, and all listed architectures of the host's byte order are accepted", ctx =>
            {
                var s = Need(ctx)["linux"]?["seccomp"] ?? throw Skip("linux.seccomp is absent");
                var avail = Host.Read("/proc/sys/kernel/seccomp/actions_avail").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                static string? Kernel(string a) => a switch
                {
                    "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => "kill_thread", "SCMP_ACT_KILL_PROCESS" => "kill_process", "SCMP_ACT_TRAP" => "trap",
                    "SCMP_ACT_ERRNO" => "errno", "SCMP_ACT_TRACE" => "trace", "SCMP_ACT_LOG" => "log", "SCMP_ACT_ALLOW" => "allow", _ => null,
                };
                // system calls a shell running `echo` never makes, one per rule
                string[] unused = ["acct", "swapon", "swapoff", "kexec_load", "init_module", "delete_module", "quotactl", "vhangup", "finit_module", "fanotify_init", "pivot_root", "syslog"];
                var failures = new List<string>();
                var actions = StringArray(s["actions"], "actions").Where(a => Kernel(a) is { } k && avail.Contains(k)).ToList();
                var operators = StringArray(s["operators"], "operators").ToList();
                // one filter cannot mix byte orders (libseccomp refuses), so only the archs of the host's byte order are tried
                string[] bigEndian = ["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
                    "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_M68K", "SCMP_ARCH_SHEB"];
                var archs = StringArray(s["archs"], "archs").Where(a => bigEndian.Contains(a) != BitConverter.IsLittleEndian).ToList();
                int n = 0;
                JsonObject Rule(string action, JsonArray? args = null)
                {
                    var r = Obj(("names", Bundle.Strings(unused[n++ % unused.Length])), ("action", action));
                    if (args is not null) r["args"] = args;
                    return r;
                }
                void Try(string what, JsonObject filter)
                {
                    var b = ctx.NewBundle("echo ok=1");
                    b.Linux["seccomp"] = filter;
                    var (ok, output, err) = ctx.TryRunProbe(b);
                    if (!ok || KV(output).GetValueOrDefault("ok") != "1") failures.Add($"{what}: {(ok ? Show(output) : err)}");
                }
                if (actions.Count > 0)
                {
                    n = 0;
                    var rules = new JsonArray();
                    foreach (var a in actions) rules.Add((JsonNode)Rule(a));
                    Try("actions " + string.Join(",", actions), Obj(("defaultAction", "SCMP_ACT_ALLOW"), ("syscalls", rules)));
                }
                if (operators.Count > 0)
                {
                    n = 0;
                    var rules = new JsonArray();
                    foreach (var op in operators)
                        rules.Add((JsonNode)Rule("SCMP_ACT_ERRNO", new JsonArray(Obj(("index", 0), ("value", 1), ("valueTwo", 1), ("op", op)))));
                    Try("operators " + string.Join(",", operators), Obj(("defaultAction", "SCMP_ACT_ALLOW"), ("syscalls", rules)));
                }
                if (archs.Count > 0)
                {
                    n = 0;
                    Try("architectures " + string.Join(",", archs), Obj(("defaultAction", "SCMP_ACT_ALLOW"), ("architectures", Bundle.Strings([.. archs])),
                        ("syscalls", new JsonArray(Rule("SCMP_ACT_ERRNO")))));
                }
                if (actions.Count + operators.Count + archs.Count == 0) throw Skip("no actions, operators or archs listed");
                That(failures.Count == 0, string.Join("; ", failures));
                return Pass();
            });
        yield return new("features.linux.seccomp-flags", LDoc, "Seccomp", Level.MUST,
            "every listed supportedFlags flag that needs no seccomp agent works: the filter loads with it and still applies", ctx =>
            {
                var s = Need(ctx)["linux"]?["seccomp"] ?? throw Skip("linux.seccomp is absent");
                var flags = StringArray(s["supportedFlags"], "supportedFlags")
                    .Where(f => f is not ("SECCOMP_FILTER_FLAG_NEW_LISTENER" or "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")).ToList();
                if (flags.Count == 0) throw Skip("supportedFlags lists no flag that works without a seccomp agent");
                var failures = new List<string>();
                foreach (var flag in flags)
                {
                    var b = ctx.NewBundle("mkdir /tmp/conf-dir 2>/dev/null; echo rc=$?").Writable();
                    b.Linux["seccomp"] = Obj(("defaultAction", "SCMP_ACT_ALLOW"), ("flags", Bundle.Strings(flag)),
                        ("syscalls", new JsonArray(Obj(("names", Bundle.Strings("mkdir", "mkdirat")), ("action", "SCMP_ACT_ERRNO")))));
                    var (ok, output, err) = ctx.TryRunProbe(b);
                    if (!ok) failures.Add($"{flag}: {err}");
                    else if (KV(output).GetValueOrDefault("rc") is null or "0") failures.Add($"{flag}: the filter did not apply ({Show(output)})");
                }
                That(failures.Count == 0, string.Join("; ", failures));
                return Pass(string.Join(",", flags));
            });
        yield return new("features.linux.memoryPolicy-accepted", LDoc, "MemoryPolicy", Level.MUST,
            "every listed memory policy mode (with node 0 where it takes nodes) and every listed flag (with MPOL_BIND) is accepted and applied", ctx =>
            {
                var m = Need(ctx)["linux"]?["memoryPolicy"] ?? throw Skip("linux.memoryPolicy is absent");
                if (!File.Exists("/proc/self/numa_maps")) throw Skip("the kernel has no NUMA support");
                var failures = new List<string>();
                void Try(string what, JsonObject policy)
                {
                    var b = ctx.NewBundle("echo ok=1");
                    b.Linux["memoryPolicy"] = policy;
                    var (ok, output, err) = ctx.TryRunProbe(b);
                    if (!ok || KV(output).GetValueOrDefault("ok") != "1") failures.Add($"{what}: {(ok ? Show(output) : err)}");
                }
                foreach (var mode in StringArray(m["modes"], "modes"))
                    Try(mode, mode is "MPOL_DEFAULT" or "MPOL_LOCAL" ? Obj(("mode", mode)) : Obj(("mode", mode), ("nodes", "0")));
                foreach (var flag in StringArray(m["flags"], "flags"))
                    Try(flag, Obj(("mode", "MPOL_BIND"), ("nodes", "0"), ("flags", Bundle.Strings(flag))));
                That(failures.Count == 0, string.Join("; ", failures));
                return Pass();
            });
    }
}