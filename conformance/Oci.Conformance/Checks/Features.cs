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
        yield return new("features.linux.seccomp", LDoc, "Seccomp", Level.MUST, "linux.seccomp.enabled is a boolean and actions are SCMP_ACT_* names", ctx =>
        {
            var s = Need(ctx)["linux"]?["seccomp"];
            if (s is null) return Pass("absent");
            That(s["enabled"] is null || s["enabled"]!.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False, "enabled is not a boolean");
            var bad = StringArray(s["actions"], "seccomp.actions").Where(a => !a.StartsWith("SCMP_ACT_", StringComparison.Ordinal)).ToList();
            That(bad.Count == 0, "unknown actions: " + string.Join(", ", bad));
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
    }
}
