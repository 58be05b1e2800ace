using System.Globalization;
using System.Text.Json.Nodes;
using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>config.md: Linux Process — capabilities.</summary>
internal static class ConfigCapabilities
{
    private const string Doc = "config.md";
    private const string Sec = "Linux Process";

    /// <summary>Capability names indexed by their bit number (capabilities(7)).</summary>
    public static readonly string[] Names =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
        "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
        "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    private static JsonObject Caps(string[]? bounding = null, string[]? effective = null, string[]? permitted = null,
        string[]? inheritable = null, string[]? ambient = null)
    {
        var o = new JsonObject();
        if (bounding is not null) o["bounding"] = Bundle.Strings(bounding);
        if (effective is not null) o["effective"] = Bundle.Strings(effective);
        if (permitted is not null) o["permitted"] = Bundle.Strings(permitted);
        if (inheritable is not null) o["inheritable"] = Bundle.Strings(inheritable);
        if (ambient is not null) o["ambient"] = Bundle.Strings(ambient);
        return o;
    }

    /// <summary>Runs a probe printing the Cap* lines; returns set name → mask.</summary>
    private static Dictionary<string, ulong> CapsInside(CheckContext ctx, Bundle b)
    {
        b.Sh("grep ^Cap /proc/self/status");
        var o = ctx.RunProbe(b);
        var d = new Dictionary<string, ulong>();
        foreach (var line in o.Split('\n'))
        {
            var p = line.Split(':', 2);
            if (p.Length == 2 && ulong.TryParse(p[1].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v)) d[p[0]] = v;
        }
        That(d.ContainsKey("CapEff") && d.ContainsKey("CapBnd"), "probe printed no Cap lines: " + Show(o));
        return d;
    }

    private static string Hex(ulong v) => v.ToString("x16", CultureInfo.InvariantCulture);

    public static IEnumerable<Check> Checks()
    {
        for (int bit = 0; bit < Names.Length; bit++)
        {
            int capBit = bit;
            string name = Names[bit];
            yield return new($"process.capabilities.{name.ToLowerInvariant()}", Doc, Sec, Level.MUST,
                $"{name} alone in all five sets: the process has exactly that capability (effective, permitted, bounding, ambient)", ctx =>
                {
                    if (!ctx.Host.HasCap(capBit)) throw Skip($"the host's bounding set lacks {name}, so no runtime can grant it");
                    ctx.Host.RequireFeature(f => ctx.Host.FeatureListContains("linux.capabilities", name), name);
                    var b = ctx.NewBundle();
                    string[] one = [name];
                    b.Process["capabilities"] = Caps(one, one, one, one, one);
                    var caps = CapsInside(ctx, b);
                    ulong want = 1UL << capBit;
                    foreach (var set in new[] { "CapEff", "CapPrm", "CapBnd", "CapAmb", "CapInh" })
                        Equal(Hex(want), Hex(caps.GetValueOrDefault(set)), set);
                    return Pass();
                });
        }
        yield return new("process.capabilities.bounding-only", Doc, Sec, Level.MUST,
            "a capability only in `bounding` is in the bounding set but not effective for a non-root user", ctx =>
            {
                var b = ctx.NewBundle();
                b.Process["user"] = Obj(("uid", 1000), ("gid", 1000));
                b.Process["capabilities"] = Caps(["CAP_CHOWN", "CAP_KILL"], [], [], [], []);
                var caps = CapsInside(ctx, b);
                Equal(Hex(0x21), Hex(caps["CapBnd"]), "CapBnd");
                Equal(Hex(0), Hex(caps["CapEff"]), "CapEff");
                return Pass();
            });
        yield return new("process.capabilities.inheritable", Doc, Sec, Level.MUST,
            "`inheritable` is the inheritable set", ctx =>
            {
                var b = ctx.NewBundle();
                b.Process["user"] = Obj(("uid", 1000), ("gid", 1000));
                b.Process["capabilities"] = Caps(["CAP_CHOWN", "CAP_KILL"], [], [], ["CAP_KILL"], []);
                var caps = CapsInside(ctx, b);
                Equal(Hex(0x20), Hex(caps["CapInh"]), "CapInh");
                Equal(Hex(0), Hex(caps["CapAmb"]), "CapAmb");
                return Pass();
            });
        yield return new("process.capabilities.ambient-nonroot", Doc, Sec, Level.MUST,
            "`ambient` caps survive exec for a non-root user (effective = ambient)", ctx =>
            {
                var b = ctx.NewBundle();
                b.Process["user"] = Obj(("uid", 1000), ("gid", 1000));
                string[] set = ["CAP_NET_BIND_SERVICE"];
                b.Process["capabilities"] = Caps(["CAP_NET_BIND_SERVICE", "CAP_CHOWN"], set, set, set, set);
                var caps = CapsInside(ctx, b);
                Equal(Hex(1UL << 10), Hex(caps["CapAmb"]), "CapAmb");
                Equal(Hex(1UL << 10), Hex(caps["CapEff"]), "CapEff");
                return Pass();
            });
        yield return new("process.capabilities.none", Doc, Sec, Level.MUST,
            "empty capability sets: uid 0 has no capabilities at all", ctx =>
            {
                var b = ctx.NewBundle();
                b.Process["capabilities"] = Caps([], [], [], [], []);
                var caps = CapsInside(ctx, b);
                foreach (var set in new[] { "CapEff", "CapPrm", "CapBnd", "CapAmb", "CapInh" })
                    Equal(Hex(0), Hex(caps[set]), set);
                return Pass();
            });
        yield return new("process.capabilities.enforced", Doc, Sec, Level.MUST,
            "without CAP_CHOWN, root in the container cannot chown; with it, it can", ctx =>
            {
                var b1 = ctx.NewBundle("touch /tmp/f; chown 5 /tmp/f 2>/dev/null; echo rc=$?").Writable();
                b1.Process["capabilities"] = Caps(["CAP_KILL"], ["CAP_KILL"], ["CAP_KILL"], [], []);
                var o1 = ctx.RunProbe(b1);
                That(KV(o1).Get("rc", o1) != "0", "chown succeeded without CAP_CHOWN");
                var b2 = ctx.NewBundle("touch /tmp/f; chown 5 /tmp/f; echo rc=$?").Writable();
                b2.Process["capabilities"] = Caps(["CAP_CHOWN"], ["CAP_CHOWN"], ["CAP_CHOWN"], [], []);
                var o2 = ctx.RunProbe(b2);
                Equal("0", KV(o2).Get("rc", o2), "chown with CAP_CHOWN");
                return Pass();
            });
        yield return new("process.capabilities.unknown-name", Doc, Sec, Level.SHOULD,
            "an unknown capability name is logged as a warning and does not make the container fail", ctx =>
            {
                var b = ctx.NewBundle("echo ran=1");
                b.Process["capabilities"] = Caps(["CAP_KILL", "CAP_NOT_A_CAPABILITY"], ["CAP_KILL"], ["CAP_KILL"], [], []);
                var (ok, output, err) = ctx.TryRunProbe(b);
                That(ok, "container failed: " + err);
                Equal("1", KV(output).Get("ran", output), "probe");
                return Pass();
            });
        yield return new("process.capabilities.ungrantable", Doc, Sec, Level.SHOULD,
            "a capability the runtime itself lacks does not make the container fail (warning only)", ctx =>
            {
                int missing = Enumerable.Range(0, Names.Length).FirstOrDefault(i => !ctx.Host.HasCap(i), -1);
                if (missing < 0) throw Skip("the host's bounding set has every capability; nothing ungrantable to request");
                var b = ctx.NewBundle("grep ^CapEff /proc/self/status");
                string[] set = ["CAP_KILL", Names[missing]];
                b.Process["capabilities"] = Caps(set, set, set, [], []);
                var (ok, output, err) = ctx.TryRunProbe(b);
                That(ok, $"container requesting {Names[missing]} (absent from the host) failed: {err}");
                That(output.Contains("CapEff", StringComparison.Ordinal), "probe did not run");
                return Pass();
            }) { RuncDeviation = "runc 1.1 fails when a requested capability cannot be granted" };
    }
}
