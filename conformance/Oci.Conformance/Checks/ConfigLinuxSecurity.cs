using System.Text.Json.Nodes;
using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>config-linux.md: Sysctl, Seccomp, Rootfs Mount Propagation, Masked Paths, Readonly Paths, Personality, Mount Label, Memory policy.</summary>
internal static class ConfigLinuxSecurity
{
    private const string Doc = "config-linux.md";

    private static JsonObject Seccomp(string defaultAction, params JsonObject[] syscalls)
    {
        var a = new JsonArray();
        foreach (var s in syscalls) a.Add((JsonNode)s);
        return Obj(("defaultAction", defaultAction),
            ("architectures", Bundle.Strings("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32")),
            ("syscalls", a));
    }

    private static JsonObject Rule(string action, params string[] names) => Obj(("names", Bundle.Strings(names)), ("action", action));

    private const string MkdirProbe = "grep ^Seccomp: /proc/self/status; mkdir /tmp/conf-dir; echo rc=$?";

    public static IEnumerable<Check> Checks()
    {
        // --- sysctl
        foreach (var (key, value) in new[] { ("net.ipv4.ip_forward", "1"), ("net.core.somaxconn", "256"), ("kernel.shmmax", "123456789"),
                                             ("fs.mqueue.msg_max", "20"), ("net.ipv4.tcp_syncookies", "0") })
        {
            yield return new($"sysctl.{key}", Doc, "Sysctl", Level.MUST, $"sysctl {key}={value} is set in the container's namespace only", ctx =>
            {
                var file = "/proc/sys/" + key.Replace('.', '/');
                var before = Host.Read(file).Trim();
                var b = ctx.NewBundle($"cat {file}");
                b.Linux["sysctl"] = Obj((key, value));
                Equal(value, ctx.RunProbe(b).Trim(), key);
                Equal(before, Host.Read(file).Trim(), $"host's {key}");
                return Pass();
            });
        }

        // --- seccomp
        const string S = "Seccomp";
        yield return new("seccomp.errno-default", Doc, S, Level.MUST,
            "SCMP_ACT_ERRNO on mkdir/mkdirat makes busybox mkdir fail with EPERM (default errno); seccomp mode 2", ctx =>
            {
                var b = ctx.NewBundle(MkdirProbe).Writable();
                b.Linux["seccomp"] = Seccomp("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir", "mkdirat"));
                var c = ctx.Create(b);
                c.Start();
                c.WaitStopped();
                var o = c.Stdout + c.Stderr;
                That(o.Contains("Seccomp:\t2", StringComparison.Ordinal), "process is not in seccomp filter mode: " + Show(o));
                That(KV(c.Stdout).Get("rc", c.Stdout) != "0", "mkdir succeeded");
                That(o.Contains("Operation not permitted", StringComparison.Ordinal), "mkdir did not fail with EPERM: " + Show(o));
                return Pass();
            });
        yield return new("seccomp.errnoRet", Doc, S, Level.MUST,
            "errnoRet 95 makes the denied syscall fail with that errno (EOPNOTSUPP)", ctx =>
            {
                var b = ctx.NewBundle(MkdirProbe).Writable();
                var rule = Rule("SCMP_ACT_ERRNO", "mkdir", "mkdirat");
                rule["errnoRet"] = 95;
                b.Linux["seccomp"] = Seccomp("SCMP_ACT_ALLOW", rule);
                var c = ctx.Create(b);
                c.Start();
                c.WaitStopped();
                var o = c.Stdout + c.Stderr;
                That(o.Contains("not supported", StringComparison.OrdinalIgnoreCase), "mkdir did not fail with EOPNOTSUPP: " + Show(o));
                return Pass();
            });
        yield return new("seccomp.allowed-unaffected", Doc, S, Level.MUST,
            "syscalls not matched by a rule follow defaultAction SCMP_ACT_ALLOW (mkdir works when only rmdir is denied)", ctx =>
            {
                var b = ctx.NewBundle(MkdirProbe).Writable();
                b.Linux["seccomp"] = Seccomp("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "rmdir"));
                var o = ctx.RunProbe(b);
                Equal("0", KV(o).Get("rc", o), "mkdir exit code");
                return Pass();
            });
        foreach (var action in new[] { "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP" })
        {
            yield return new($"seccomp.{action.ToLowerInvariant()}", Doc, S, Level.MUST,
                $"{action} on mkdir kills the mkdir process with SIGSYS (exit status 159)", ctx =>
                {
                    var b = ctx.NewBundle("mkdir /tmp/conf-dir; echo rc=$?").Writable();
                    b.Linux["seccomp"] = Seccomp("SCMP_ACT_ALLOW", Rule(action, "mkdir", "mkdirat"));
                    var o = RunProbeOrRefused(ctx, b, $"seccomp action {action}");
                    Equal("159", KV(o).Get("rc", o), "exit status of mkdir (128 + SIGSYS)");
                    return Pass();
                });
        }
        yield return new("seccomp.log", Doc, S, Level.MUST, "SCMP_ACT_LOG lets the syscall succeed", ctx =>
        {
            var b = ctx.NewBundle(MkdirProbe).Writable();
            b.Linux["seccomp"] = Seccomp("SCMP_ACT_ALLOW", Rule("SCMP_ACT_LOG", "mkdir", "mkdirat"));
            var o = RunProbeOrRefused(ctx, b, "seccomp action SCMP_ACT_LOG");
            Equal("0", KV(o).Get("rc", o), "mkdir exit code");
            return Pass();
        });
        yield return new("seccomp.args", Doc, S, Level.MUST,
            "argument filters: ERRNO on chmod/fchmodat only when mode == 0777 (chmod 777 fails, chmod 755 works)", ctx =>
            {
                var b = ctx.NewBundle("touch /tmp/f; chmod 777 /tmp/f 2>/dev/null; echo a=$?; chmod 755 /tmp/f; echo b=$?").Writable();
                var r1 = Rule("SCMP_ACT_ERRNO", "chmod");
                r1["args"] = new JsonArray(Obj(("index", 1), ("value", 511), ("op", "SCMP_CMP_EQ")));
                var r2 = Rule("SCMP_ACT_ERRNO", "fchmodat");
                r2["args"] = new JsonArray(Obj(("index", 2), ("value", 511), ("op", "SCMP_CMP_EQ")));
                b.Linux["seccomp"] = Seccomp("SCMP_ACT_ALLOW", r1, r2);
                var o = ctx.RunProbe(b);
                var kv = KV(o);
                That(kv.Get("a", o) != "0", "chmod 777 succeeded");
                Equal("0", kv.Get("b", o), "chmod 755 exit code");
                return Pass();
            });
        yield return new("seccomp.flags", Doc, S, Level.MUST,
            "flags [SECCOMP_FILTER_FLAG_LOG] are accepted and the filter still applies", ctx =>
            {
                var b = ctx.NewBundle(MkdirProbe).Writable();
                var sc = Seccomp("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir", "mkdirat"));
                sc["flags"] = Bundle.Strings("SECCOMP_FILTER_FLAG_LOG");
                b.Linux["seccomp"] = sc;
                var o = RunProbeOrRefused(ctx, b, "seccomp flag SECCOMP_FILTER_FLAG_LOG");
                That(KV(o).Get("rc", o) != "0", "mkdir succeeded");
                return Pass();
            });
        yield return new("seccomp.errnoRet-invalid-action", Doc, S, Level.MUST,
            "errnoRet on an action that takes no errno (SCMP_ACT_KILL) makes the runtime fail", ctx =>
            {
                JsonObject With(string action)
                {
                    var rule = Rule(action, "mkdir");
                    rule["errnoRet"] = 1;
                    return Seccomp("SCMP_ACT_ALLOW", rule);
                }
                return ExpectInvalid(ctx, "errnoRet with SCMP_ACT_KILL",
                    b => b.Linux["seccomp"] = With("SCMP_ACT_ERRNO"), b => b.Linux["seccomp"] = With("SCMP_ACT_KILL"));
            }) { RuncDeviation = "runc 1.1 silently accepts errnoRet on actions that take no errno" };

        // --- rootfs propagation (the bundle directory is made a shared mount on the host so that slave has a master)
        const string RP = "Rootfs Mount Propagation";
        foreach (var (prop, expect) in new[] { ("shared", "shared:"), ("slave", "master:"), ("private", ""), ("unbindable", "unbindable") })
        {
            yield return new($"rootfsPropagation.{prop}", Doc, RP, Level.MUST,
                $"rootfsPropagation {prop}: the container's / has {(expect.Length == 0 ? "no propagation fields" : expect.TrimEnd(':') + " propagation")}", ctx =>
                {
                    var b = ctx.NewBundle("cat /proc/self/mountinfo");
                    ctx.HostMount(b.Dir, "--bind", b.Dir, b.Dir);
                    Host.Mount("--make-shared", b.Dir);
                    b.Linux["rootfsPropagation"] = prop;
                    var root = MountInfo.Parse(ctx.RunProbe(b)).LastOrDefault(m => m.MountPoint == "/") ?? throw Fail("no / in mountinfo");
                    var f = root.OptionalFields;
                    bool ok = expect.Length == 0 ? !f.Contains("shared:", StringComparison.Ordinal) && !f.Contains("master:", StringComparison.Ordinal)
                        : f.Contains(expect, StringComparison.Ordinal) && (prop != "slave" || !f.Contains("shared:", StringComparison.Ordinal));
                    That(ok, $"propagation fields of / are '{f}'");
                    return Pass();
                }) { RuncDeviation = prop == "private" ? null : "with runc 1.1 the container's / carries no propagation (it is private) whatever rootfsPropagation says" };
        }

        // --- masked and readonly paths
        yield return new("maskedPaths.file", Doc, "Masked Paths", Level.MUST, "a masked file reads as empty", ctx =>
        {
            var b = ctx.NewBundle("cat /conf-secret; echo end");
            b.WriteRootfsFile("/conf-secret", "secret-content\n");
            Bundle.Arr(b.Linux, "maskedPaths").Add((JsonNode?)JsonValue.Create("/conf-secret"));
            var o = ctx.RunProbe(b);
            That(!o.Contains("secret-content", StringComparison.Ordinal), "masked file content is readable");
            return Pass();
        });
        yield return new("maskedPaths.dir", Doc, "Masked Paths", Level.MUST, "a masked directory shows no entries", ctx =>
        {
            var b = ctx.NewBundle("ls -A /conf-secret-dir; echo end");
            b.WriteRootfsFile("/conf-secret-dir/inner", "x");
            Bundle.Arr(b.Linux, "maskedPaths").Add((JsonNode?)JsonValue.Create("/conf-secret-dir"));
            var o = ctx.RunProbe(b);
            That(!o.Contains("inner", StringComparison.Ordinal), "masked directory still lists its content");
            return Pass();
        });
        yield return new("maskedPaths.proc-kcore", Doc, "Masked Paths", Level.MUST, "/proc/kcore (masked in the default config) reads nothing", ctx =>
        {
            var o = ctx.RunProbe(ctx.NewBundle("echo bytes=$(head -c 16 /proc/kcore 2>/dev/null | wc -c)"));
            Equal("0", KV(o).Get("bytes", o).Trim(), "bytes read from /proc/kcore");
            return Pass();
        });
        yield return new("readonlyPaths.dir", Doc, "Readonly Paths", Level.MUST, "a readonly path cannot be written while / is writable", ctx =>
        {
            var b = ctx.NewBundle("touch /conf-ro/x 2>/dev/null; echo ro=$?; touch /conf-rw-x; echo rw=$?").Writable();
            b.WriteRootfsFile("/conf-ro/keep", "x");
            Bundle.Arr(b.Linux, "readonlyPaths").Add((JsonNode?)JsonValue.Create("/conf-ro"));
            var o = ctx.RunProbe(b);
            var kv = KV(o);
            That(kv.Get("ro", o) != "0", "write into the readonly path succeeded");
            Equal("0", kv.Get("rw", o), "write elsewhere on /");
            return Pass();
        });
        yield return new("readonlyPaths.proc-sys", Doc, "Readonly Paths", Level.MUST, "/proc/sys (readonly in the default config) cannot be written", ctx =>
        {
            var b = ctx.NewBundle("echo 0 > /proc/sys/kernel/domainname 2>/dev/null; echo rc=$?");
            b.Process["capabilities"] = Obj(("bounding", Bundle.Strings("CAP_SYS_ADMIN")), ("effective", Bundle.Strings("CAP_SYS_ADMIN")), ("permitted", Bundle.Strings("CAP_SYS_ADMIN")));
            var o = ctx.RunProbe(b);
            That(KV(o).Get("rc", o) != "0", "writing /proc/sys succeeded");
            return Pass();
        });

        // --- personality
        foreach (var (domain, machine) in new[] { ("LINUX32", "i686"), ("LINUX", "x86_64") })
        {
            yield return new($"personality.{domain.ToLowerInvariant()}", Doc, "Personality", Level.MUST,
                $"personality {domain}: uname -m shows {machine}", ctx =>
                {
                    if (System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64)
                        throw Skip("the expected uname -m values are for x86_64 hosts");
                    var b = ctx.NewBundle("uname -m");
                    b.Linux["personality"] = Obj(("domain", domain));
                    Equal(machine, RunProbeOrRefused(ctx, b, $"personality domain {domain}").Trim(), "uname -m");
                    return Pass();
                }) { RuncDeviation = domain == "LINUX32" ? "runc 1.1 ignores linux.personality" : null };
        }
        yield return new("mountLabel", Doc, "Mount Label", Level.MUST, "mountLabel sets the SELinux context of the container's mounts", ctx =>
        {
            if (!ctx.Host.SELinux) throw Skip("SELinux is not enabled on this host");
            var b = ctx.NewBundle("cat /proc/self/mountinfo");
            b.Linux["mountLabel"] = "system_u:object_r:container_file_t:s0";
            That(ctx.RunProbe(b).Contains("container_file_t", StringComparison.Ordinal), "label not in mount options");
            return Pass();
        });
        yield return new("memoryPolicy", Doc, "Memory policy", Level.MUST, "memoryPolicy MPOL_BIND on node 0 is the process's memory policy (numa_maps)", ctx =>
        {
            if (!File.Exists("/proc/self/numa_maps")) throw Skip("the kernel has no NUMA support");
            var b = ctx.NewBundle("head -n 3 /proc/self/numa_maps");
            b.Linux["memoryPolicy"] = Obj(("mode", "MPOL_BIND"), ("nodes", "0"));
            var o = RunProbeOrRefused(ctx, b, "memory policy MPOL_BIND");
            That(o.Contains("bind:0", StringComparison.Ordinal), "numa_maps shows no bind:0 policy: " + Show(o));
            return Pass();
        }) { RuncDeviation = "runc 1.1 ignores linux.memoryPolicy" };
    }
}
