using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>config.md: Process, POSIX process, Linux Process, User; Hostname and Domainname.</summary>
internal static class ConfigProcess
{
    private const string Doc = "config.md";

    /// <summary>Field (1-based, as in proc(5)) of /proc/self/stat printed by the probe.</summary>
    private static string StatField(string stat, int field)
    {
        int close = stat.LastIndexOf(')');
        var rest = stat[(close + 2)..].Split(' ');
        return rest[field - 3];
    }

    public static IEnumerable<Check> Checks()
    {
        yield return new("process.args.verbatim", Doc, "Process", Level.MUST,
            "args are passed verbatim as argv (spaces, quotes, empty strings)", ctx =>
            {
                var b = ctx.NewBundle();
                b.Args("sh", "-c", "for a in \"$@\"; do printf '<%s>' \"$a\"; done", "argv0", "a b", "c'd", "", "$HOME");
                Equal("<a b><c'd><><$HOME>", ctx.RunProbe(b).Trim(), "argv seen by the program");
                return Pass();
            });
        yield return new("process.args.path-lookup", Doc, "Process", Level.MUST,
            "args[0] without a slash is looked up in the container's PATH (execvp semantics)", ctx =>
            {
                var b = ctx.NewBundle();
                b.WriteRootfsFile("/opt/tools/conformance-tool", "#!/bin/sh\necho tool-ran\n");
                Host.Chmod(Path.Combine(b.Rootfs, "opt/tools/conformance-tool"), "755");
                b.Process["env"] = Bundle.Strings("PATH=/opt/tools:/bin");
                b.Args("conformance-tool");
                Equal("tool-ran", ctx.RunProbe(b).Trim(), "output");
                return Pass();
            });
        yield return new("process.args.absolute", Doc, "Process", Level.MUST, "an absolute args[0] is executed", ctx =>
        {
            var b = ctx.NewBundle();
            b.Args("/bin/echo", "absolute-ok");
            Equal("absolute-ok", ctx.RunProbe(b).Trim(), "output");
            return Pass();
        });
        foreach (var (name, entry, expect) in new[] {
            ("simple", "CONF_A=alpha", "alpha"),
            ("spaces", "CONF_B=two words", "two words"),
            ("equals", "CONF_C=x=y=z", "x=y=z"),
            ("empty", "CONF_D=", "") })
        {
            var key = entry[..entry.IndexOf('=')];
            yield return new($"process.env.{name}", Doc, "Process", Level.MUST,
                $"env entry `{entry}` is in the program's environment", ctx =>
                {
                    var b = ctx.NewBundle($"env | grep '^{key}=' ; echo end");
                    b.Process["env"]!.AsArray().Add((System.Text.Json.Nodes.JsonNode?)System.Text.Json.Nodes.JsonValue.Create(entry));
                    var o = ctx.RunProbe(b);
                    var line = o.Split('\n').FirstOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal));
                    Equal(entry, line, "environment entry");
                    return Pass();
                });
        }
        yield return new("process.env.no-runtime-leak", Doc, "Process", Level.MUST,
            "the program's environment comes from process.env, not from the runtime's environment", ctx =>
            {
                var b = ctx.NewBundle("echo leak=${OCI_CONF_SENTINEL:-none}");
                var c = ctx.Create(b, shellPrefix: "export OCI_CONF_SENTINEL=leaked;");
                c.Start();
                c.WaitStopped();
                Equal("none", KV(c.Stdout).Get("leak", c.Stdout), "variable from the runtime's environment");
                return Pass();
            });
        foreach (var cwd in new[] { "/tmp", "/etc" })
        {
            yield return new($"process.cwd{cwd.Replace('/', '.')}", Doc, "Process", Level.MUST, $"cwd {cwd} is the working directory", ctx =>
            {
                var b = ctx.NewBundle("pwd -P");
                b.Process["cwd"] = cwd;
                Equal(cwd, ctx.RunProbe(b).Trim(), "working directory");
                return Pass();
            });
        }
        yield return new("process.consoleSize-ignored", Doc, "Process", Level.MUST,
            "consoleSize is ignored when terminal is false (the program runs, stdout is not a tty)", ctx =>
            {
                var b = ctx.NewBundle("[ -t 1 ] && echo tty=yes || echo tty=no");
                b.Process["consoleSize"] = Obj(("height", 10), ("width", 40));
                var o = ctx.RunProbe(b);
                Equal("no", KV(o).Get("tty", o), "stdout is a terminal");
                return Pass();
            });

        // --- user
        yield return new("process.user.uid", Doc, "POSIX-platform User", Level.MUST, "user.uid 1000 is the real and effective uid", ctx =>
        {
            var b = ctx.NewBundle("grep ^Uid: /proc/self/status");
            b.Process["user"] = Obj(("uid", 1000), ("gid", 1000));
            var f = ctx.RunProbe(b).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            Equal("Uid: 1000 1000 1000 1000", string.Join(' ', f), "Uid line (real effective saved fs)");
            return Pass();
        });
        yield return new("process.user.gid", Doc, "POSIX-platform User", Level.MUST, "user.gid 1000 is the real and effective gid", ctx =>
        {
            var b = ctx.NewBundle("grep ^Gid: /proc/self/status");
            b.Process["user"] = Obj(("uid", 1000), ("gid", 1000));
            var f = ctx.RunProbe(b).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            Equal("Gid: 1000 1000 1000 1000", string.Join(' ', f), "Gid line (real effective saved fs)");
            return Pass();
        });
        yield return new("process.user.root-gid", Doc, "POSIX-platform User", Level.MUST, "uid 0 with gid 42 runs with group 42", ctx =>
        {
            var b = ctx.NewBundle("id -u; id -g");
            b.Process["user"] = Obj(("uid", 0), ("gid", 42));
            Equal("0\n42", ctx.RunProbe(b).Trim(), "id -u / id -g");
            return Pass();
        });
        yield return new("process.user.additionalGids", Doc, "POSIX-platform User", Level.MUST,
            "additionalGids are the supplementary groups", ctx =>
            {
                var b = ctx.NewBundle("grep ^Groups: /proc/self/status");
                b.Process["user"] = Obj(("uid", 1000), ("gid", 1000), ("additionalGids", new System.Text.Json.Nodes.JsonArray(5, 6, 1234)));
                var groups = ctx.RunProbe(b).Replace("Groups:", "").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries).ToHashSet();
                groups.Remove("1000");
                Equal("1234,5,6", string.Join(',', groups.Order(StringComparer.Ordinal)), "supplementary groups (primary gid ignored)");
                return Pass();
            });
        yield return new("process.user.no-additionalGids", Doc, "POSIX-platform User", Level.SHOULD,
            "without additionalGids the process has no supplementary groups other than its gid", ctx =>
            {
                var b = ctx.NewBundle("grep ^Groups: /proc/self/status");
                b.Process["user"] = Obj(("uid", 1000), ("gid", 1000));
                var groups = ctx.RunProbe(b).Replace("Groups:", "").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Where(g => g != "1000").ToList();
                That(groups.Count == 0, "unexpected supplementary groups: " + string.Join(',', groups));
                return Pass();
            });
        yield return new("process.user.umask", Doc, "POSIX-platform User", Level.MUST,
            "user.umask (63 = 0077) is the process umask and applies to new files", ctx =>
            {
                var b = ctx.NewBundle("umask; touch /tmp/f && stat -c %a /tmp/f").Writable();
                b.Process["user"] = Obj(("uid", 0), ("gid", 0), ("umask", 63));
                Equal("0077\n600", ctx.RunProbe(b).Trim(), "umask and mode of a new file");
                return Pass();
            });
        yield return new("process.user.umask-unset", Doc, "POSIX-platform User", Level.SHOULD,
            "without user.umask the umask is not changed from the caller's (caller runs with 0027)", ctx =>
            {
                var b = ctx.NewBundle("umask");
                var c = ctx.Create(b, shellPrefix: "umask 027;");
                c.Start();
                c.WaitStopped();
                Equal("0027", c.Stdout.Trim(), "umask in the container");
                return Pass();
            }) { RuncDeviation = "runc sets umask 0022 when process.user.umask is unset" };

        // --- linux process
        yield return new("process.noNewPrivileges.true", Doc, "Linux Process", Level.MUST,
            "noNewPrivileges true sets no_new_privs", ctx =>
            {
                var b = ctx.NewBundle("grep ^NoNewPrivs: /proc/self/status");
                b.Process["noNewPrivileges"] = true;
                That(ctx.RunProbe(b).Trim().EndsWith('1'), "NoNewPrivs is not 1");
                return Pass();
            });
        yield return new("process.noNewPrivileges.false", Doc, "Linux Process", Level.MUST,
            "noNewPrivileges false leaves no_new_privs unset", ctx =>
            {
                var b = ctx.NewBundle("grep ^NoNewPrivs: /proc/self/status");
                b.Process["noNewPrivileges"] = false;
                That(ctx.RunProbe(b).Trim().EndsWith('0'), "NoNewPrivs is not 0");
                return Pass();
            });
        yield return new("process.oomScoreAdj.set", Doc, "Linux Process", Level.MUST,
            "oomScoreAdj 500 is written to oom_score_adj", ctx =>
            {
                var b = ctx.NewBundle("cat /proc/self/oom_score_adj");
                b.Process["oomScoreAdj"] = 500;
                Equal("500", ctx.RunProbe(b).Trim(), "oom_score_adj");
                return Pass();
            });
        yield return new("process.oomScoreAdj.unset", Doc, "Linux Process", Level.MUST,
            "without oomScoreAdj the oom_score_adj is not changed (caller has 123)", ctx =>
            {
                var c = ctx.Create(ctx.NewBundle("cat /proc/self/oom_score_adj"), shellPrefix: "echo 123 > /proc/self/oom_score_adj;");
                c.Start();
                c.WaitStopped();
                Equal("123", c.Stdout.Trim(), "oom_score_adj");
                return Pass();
            });
        yield return new("process.scheduler", Doc, "Linux Process", Level.MUST,
            "scheduler {policy SCHED_BATCH, nice 7} is applied (policy and nice in /proc/self/stat)", ctx =>
            {
                var b = ctx.NewBundle("cat /proc/self/stat");
                b.Process["scheduler"] = Obj(("policy", "SCHED_BATCH"), ("nice", 7));
                var stat = ctx.RunProbe(b).Trim();
                // the probe's `cat` inherits policy and nice from the container process
                Equal("3", StatField(stat, 41), "scheduling policy (3 = SCHED_BATCH)");
                Equal("7", StatField(stat, 19), "nice");
                return Pass();
            }) { RuncDeviation = "runc 1.1 ignores process.scheduler" };
        yield return new("process.ioPriority", Doc, "Linux Process", Level.MUST,
            "ioPriority {IOPRIO_CLASS_BE, 6} is applied (ionice -p)", ctx =>
            {
                var b = ctx.NewBundle("ionice -p $$");
                b.Process["ioPriority"] = Obj(("class", "IOPRIO_CLASS_BE"), ("priority", 6));
                Equal("best-effort: prio 6", ctx.RunProbe(b).Trim(), "ionice");
                return Pass();
            }) { RuncDeviation = "runc 1.1 ignores process.ioPriority" };
        yield return new("process.apparmorProfile", Doc, "Linux Process", Level.MUST,
            "apparmorProfile `unconfined` is the process's AppArmor label", ctx =>
            {
                if (!ctx.Host.AppArmor) throw Skip("AppArmor is not enabled on this host");
                var b = ctx.NewBundle("cat /proc/self/attr/current");
                b.Process["apparmorProfile"] = "unconfined";
                That(ctx.RunProbe(b).Trim().StartsWith("unconfined", StringComparison.Ordinal), "label is not unconfined");
                return Pass();
            });
        yield return new("process.selinuxLabel", Doc, "Linux Process", Level.MUST,
            "selinuxLabel is the process's SELinux context", ctx =>
            {
                if (!ctx.Host.SELinux) throw Skip("SELinux is not enabled on this host");
                var b = ctx.NewBundle("cat /proc/self/attr/current");
                b.Process["selinuxLabel"] = "system_u:system_r:container_t:s0";
                That(ctx.RunProbe(b).Contains("container_t", StringComparison.Ordinal), "label not applied");
                return Pass();
            });

        // --- hostname / domainname
        yield return new("hostname", Doc, "Hostname", Level.MUST, "hostname is the container's hostname (uts namespace)", ctx =>
        {
            var b = ctx.NewBundle("hostname; cat /proc/sys/kernel/hostname");
            b.Config["hostname"] = "conformance-host";
            Equal("conformance-host\nconformance-host", ctx.RunProbe(b).Trim(), "hostname");
            That(Host.Read("/proc/sys/kernel/hostname").Trim() != "conformance-host", "host's hostname was changed");
            return Pass();
        });
        yield return new("domainname", Doc, "Domainname", Level.MUST, "domainname is the container's NIS domain name", ctx =>
        {
            var b = ctx.NewBundle("cat /proc/sys/kernel/domainname");
            b.Config["domainname"] = "conformance.test";
            Equal("conformance.test", ctx.RunProbe(b).Trim(), "domainname");
            return Pass();
        }) { RuncDeviation = "runc 1.1 ignores `domainname`" };
    }
}
