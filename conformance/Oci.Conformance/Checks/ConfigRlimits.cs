using System.Text.Json.Nodes;
using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>config.md: POSIX process — rlimits.</summary>
internal static class ConfigRlimits
{
    private const string Doc = "config.md";
    private const string Sec = "POSIX process";

    /// <summary>rlimit type → (name in /proc/PID/limits, preferred hard value).</summary>
    private static readonly (string Type, string ProcName, ulong Hard)[] Types =
    [
        ("RLIMIT_AS", "Max address space", 8UL << 30),
        ("RLIMIT_CORE", "Max core file size", 1UL << 20),
        ("RLIMIT_CPU", "Max cpu time", 100000),
        ("RLIMIT_DATA", "Max data size", 8UL << 30),
        ("RLIMIT_FSIZE", "Max file size", 1UL << 30),
        ("RLIMIT_LOCKS", "Max file locks", 5000),
        ("RLIMIT_MEMLOCK", "Max locked memory", 4UL << 20),
        ("RLIMIT_MSGQUEUE", "Max msgqueue size", 409600),
        ("RLIMIT_NICE", "Max nice priority", 0),
        ("RLIMIT_NOFILE", "Max open files", 4096),
        ("RLIMIT_NPROC", "Max processes", 5000),
        ("RLIMIT_RSS", "Max resident set", 1UL << 30),
        ("RLIMIT_RTPRIO", "Max realtime priority", 0),
        ("RLIMIT_RTTIME", "Max realtime timeout", 1000000),
        ("RLIMIT_SIGPENDING", "Max pending signals", 5000),
        ("RLIMIT_STACK", "Max stack size", 64UL << 20),
    ];

    private static JsonObject Limit(string type, ulong soft, ulong hard) => Obj(("type", type), ("soft", soft), ("hard", hard));

    public static IEnumerable<Check> Checks()
    {
        foreach (var (type, procName, preferredHard) in Types)
        {
            yield return new($"process.rlimits.{type.ToLowerInvariant()}", Doc, Sec, Level.MUST,
                $"{type} soft/hard are applied (getrlimit inside matches)", ctx =>
                {
                    // never ask for more than the runtime's own hard limit: raising it needs CAP_SYS_RESOURCE
                    ulong hostHard = ctx.Host.Limits.TryGetValue(procName, out var l) ? l.Hard : ulong.MaxValue;
                    ulong hard = Math.Min(preferredHard, hostHard);
                    ulong soft = hard / 2;
                    var b = ctx.NewBundle("cat /proc/self/limits");
                    b.Process["rlimits"] = new JsonArray(Limit(type, soft, hard));
                    var limits = Host.Limits(ctx.RunProbe(b));
                    That(limits.TryGetValue(procName, out var got), $"'{procName}' not in /proc/self/limits");
                    Equal($"{soft}/{hard}", $"{got.Soft}/{got.Hard}", $"{type} soft/hard");
                    return Pass(hard == 0 ? "host hard limit is 0; verified 0/0" : "");
                });
        }
        yield return new("process.rlimits.invalid-type", Doc, Sec, Level.MUST,
            "an rlimit type that maps to no kernel resource generates an error", ctx =>
            {
                return ExpectInvalid(ctx, "RLIMIT_NOT_A_LIMIT",
                    b => b.Process["rlimits"] = new JsonArray(Limit("RLIMIT_NOFILE", 100, 200)),
                    b => b.Process["rlimits"] = new JsonArray(Limit("RLIMIT_NOT_A_LIMIT", 1, 1)));
            });
        yield return new("process.rlimits.duplicate", Doc, Sec, Level.MUST,
            "duplicated rlimit entries of the same type generate an error", ctx =>
            {
                return ExpectInvalid(ctx, "duplicate RLIMIT_NOFILE",
                    b => b.Process["rlimits"] = new JsonArray(Limit("RLIMIT_NOFILE", 100, 200), Limit("RLIMIT_CORE", 300, 400)),
                    b => b.Process["rlimits"] = new JsonArray(Limit("RLIMIT_NOFILE", 100, 200), Limit("RLIMIT_NOFILE", 300, 400)));
            });
    }
}
