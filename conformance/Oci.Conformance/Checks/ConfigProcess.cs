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
                var stat = RunProbeOrRefused(ctx, b, "scheduler policy SCHED_BATCH").Trim();
                // the probe's `cat` inherits policy and nice from the container process
                Equal("3", StatField(stat, 41), "scheduling policy (3 = SCHED_BATCH)");
                Equal("7", StatField(stat, 19), "nice");
                return Pass();
            }) { RuncDeviation = "runc 1.1 ignores process.scheduler" };
        yield return new("process.scheduler.fifo", Doc, "Linux Process", Level.MAY,
            "scheduler {policy SCHED_FIFO, priority 10} is the container process's policy and static priority (chrt -p)", ctx =>
            {
                var b = ctx.NewBundle();
                b.Process["scheduler"] = Obj(("policy", "SCHED_FIFO"), ("priority", 10));
                AllowRealtime(ctx, b);
                var chrt = Chrt(ctx, StartSleeperOrRefused(ctx, b, "scheduler policy SCHED_FIFO"));
                That(chrt.Contains("policy: SCHED_FIFO", StringComparison.Ordinal), "policy is not SCHED_FIFO: " + Show(chrt));
                That(chrt.Contains("priority: 10", StringComparison.Ordinal), "priority is not 10: " + Show(chrt));
                return Pass();
            }) { RuncDeviation = "runc 1.1 ignores process.scheduler" };
        yield return new("process.scheduler.flags", Doc, "Linux Process", Level.MAY,
            "scheduler flags [SCHED_FLAG_RESET_ON_FORK] are applied (chrt -p shows SCHED_RESET_ON_FORK)", ctx =>
            {
                var b = ctx.NewBundle();
                b.Process["scheduler"] = Obj(("policy", "SCHED_BATCH"), ("flags", Bundle.Strings("SCHED_FLAG_RESET_ON_FORK")));
                var chrt = Chrt(ctx, StartSleeperOrRefused(ctx, b, "scheduler flag SCHED_FLAG_RESET_ON_FORK"));
                That(chrt.Contains("SCHED_BATCH|SCHED_RESET_ON_FORK", StringComparison.Ordinal), "policy lacks SCHED_RESET_ON_FORK: " + Show(chrt));
                return Pass();
            }) { RuncDeviation = "runc 1.1 ignores process.scheduler" };
        yield return new("process.scheduler.deadline", Doc, "Linux Process", Level.MAY,
            "scheduler {SCHED_DEADLINE, runtime 2 ms, deadline 20 ms, period 40 ms} is applied (chrt -p)", ctx =>
            {
                var probe = Host.Cmd("chrt", "-d", "--sched-runtime", "2000000", "--sched-deadline", "20000000", "--sched-period", "40000000", "0", "true");
                if (!probe.Ok) throw Skip("the host does not let even the suite use SCHED_DEADLINE (chrt -d: " + probe.Brief + ")");
                var b = ctx.NewBundle();
                b.Process["scheduler"] = Obj(("policy", "SCHED_DEADLINE"), ("runtime", 2000000), ("deadline", 20000000), ("period", 40000000));
                var chrt = Chrt(ctx, StartSleeperOrRefused(ctx, b, "scheduler policy SCHED_DEADLINE"));
                That(chrt.Contains("policy: SCHED_DEADLINE", StringComparison.Ordinal), "policy is not SCHED_DEADLINE: " + Show(chrt));
                That(chrt.Contains("2000000/20000000/40000000", StringComparison.Ordinal), "runtime/deadline/period differ: " + Show(chrt));
                return Pass();
            }) { RuncDeviation = "runc 1.1 ignores process.scheduler" };
        // config.md: execCPUAffinity "is not applicable to the container's init process", so it is checked on a
        // process run by `exec --process` (runc's CLI) in a running container.
        yield return new("process.execCPUAffinity.final", Doc, "Linux Process", Level.MAY,
            "execCPUAffinity.final (the host's last CPU) is the CPU affinity of a process run by `exec --process`", ctx =>
            {
                var cpus = CpuList(Host.StatusField("self", "Cpus_allowed_list") ?? "");
                if (cpus.Count < 2) throw Skip("the host lets the suite run on fewer than two CPUs, so an affinity change cannot be seen");
                var last = cpus[^1].ToString(System.Globalization.CultureInfo.InvariantCulture);
                var c = StartSleeper(ctx);
                var process = Obj(("terminal", false), ("user", Obj(("uid", 0), ("gid", 0))), ("cwd", "/"),
                    ("env", Bundle.Strings("PATH=/bin:/sbin:/usr/bin:/usr/sbin")),
                    ("args", Bundle.Strings("grep", "Cpus_allowed_list", "/proc/self/status")),
                    ("execCPUAffinity", Obj(("final", last))));
                var file = Path.Combine(ctx.WorkDir, "exec-process.json");
                File.WriteAllText(file, process.ToJsonString());
                var r = ctx.Rt("exec", "--process", file, c.Id);
                That(r.Ok, "exec --process failed: " + r.Brief);
                Equal("Cpus_allowed_list:\t" + last, r.Stdout.Trim(), "CPU affinity");
                return Pass();
            }) { RuncDeviation = "runc 1.1 ignores process.execCPUAffinity" };
        yield return new("process.execCPUAffinity.unset", Doc, "Linux Process", Level.SHOULD,
            "without execCPUAffinity the process keeps the affinity the kernel gives it (all CPUs the suite may use)", ctx =>
            {
                var mine = Host.StatusField("self", "Cpus_allowed_list") ?? "";
                var b = ctx.NewBundle("grep Cpus_allowed_list /proc/self/status");
                Equal("Cpus_allowed_list:\t" + mine, ctx.RunProbe(b).Trim(), "CPU affinity");
                return Pass();
            });
        foreach (var withSize in new[] { false, true })
        {
            yield return new(withSize ? "process.terminal.consoleSize" : "process.terminal", Doc, "Process", withSize ? Level.MUST : Level.MAY,
                withSize
                    ? "with terminal true, consoleSize {height 33, width 111} is the terminal's size (stty size)"
                    : "terminal true: stdin, stdout and stderr are a terminal, whose master comes over --console-socket", ctx =>
                {
                    var sock = Path.Combine(ctx.WorkDir, "console.sock");
                    var rx = new FdReceiver(sock, TimeSpan.FromSeconds(30));
                    ctx.Defer(rx.Dispose);
                    var b = ctx.NewBundle("[ -t 0 ] && echo in=tty; [ -t 1 ] && echo out=tty; [ -t 2 ] && echo err=tty; echo size=$(stty size); echo done=1");
                    b.Process["terminal"] = true;
                    if (withSize) b.Process["consoleSize"] = Obj(("height", 33), ("width", 111));
                    var id = ctx.NewId();
                    var r = ctx.TryCreate(b, id, null, "--console-socket", sock);
                    That(r.Ok, "create with a terminal failed: " + r.Brief);
                    var msg = rx.Wait(TimeSpan.FromSeconds(15)) ?? throw Fail("nothing came over the console socket: " + rx.Error);
                    That(msg.Fds.Count == 1, $"{msg.Fds.Count} descriptors came over the console socket, expected the pty master");
                    var what = FdReceiver.Describe(msg.Fds[0]) ?? "?";
                    That(what.Contains("ptmx", StringComparison.Ordinal), $"the descriptor is {what}, not a pty master");
                    var reader = PtyReader.Start(msg.Fds[0]);
                    var c = new Container(ctx, id, b);
                    c.Start();
                    c.WaitStopped();
                    var output = reader.Finish(TimeSpan.FromSeconds(10)).Replace("\r", "", StringComparison.Ordinal);
                    var kv = KV(output);
                    kv.Get("done", output);
                    if (withSize) Equal("33 111", kv.Get("size", output), "stty size (rows columns)");
                    else
                    {
                        That(kv.GetValueOrDefault("in") == "tty" && kv.GetValueOrDefault("out") == "tty" && kv.GetValueOrDefault("err") == "tty",
                            "not all of stdin/stdout/stderr are a terminal: " + Show(output));
                    }
                    return Pass();
                });
        }
        yield return new("process.ioPriority", Doc, "Linux Process", Level.MUST,
            "ioPriority {IOPRIO_CLASS_BE, 6} is applied (ionice -p)", ctx =>
            {
                var b = ctx.NewBundle("ionice -p $$");
                b.Process["ioPriority"] = Obj(("class", "IOPRIO_CLASS_BE"), ("priority", 6));
                Equal("best-effort: prio 6", RunProbeOrRefused(ctx, b, "ioPriority class IOPRIO_CLASS_BE").Trim(), "ionice");
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

    /// <summary>`chrt -p PID` of a running container's process (util-linux on the host).</summary>
    private static string Chrt(CheckContext ctx, Container c)
    {
        var r = Host.Cmd("chrt", "-p", c.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!r.Ok) throw Skip("the host's `chrt -p` (util-linux) does not work: " + r.Brief);
        return r.Stdout;
    }

    /// <summary>
    /// With RT group scheduling (cgroup v1 cpu.rt_runtime_us), a new cgroup gets no real-time budget, so a real-time
    /// policy needs cpu.realtimeRuntime in the config, as a user would have to write it.
    /// </summary>
    private static void AllowRealtime(CheckContext ctx, Bundle b)
    {
        if (ctx.Host.V1.TryGetValue("cpu", out var cpu) && File.Exists(Path.Combine(cpu.MountPoint, "cpu.rt_runtime_us")))
        {
            var c = Bundle.Obj(b.Resources, "cpu");
            c["realtimeRuntime"] = 10000;
            c["realtimePeriod"] = 1000000;
        }
    }

    /// <summary>Parses a CPU list ("0-3,7").</summary>
    internal static List<int> CpuList(string list)
    {
        var cpus = new List<int>();
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-');
            if (!int.TryParse(range[0], out var lo)) continue;
            int hi = range.Length > 1 && int.TryParse(range[1], out var h) ? h : lo;
            for (int i = lo; i <= hi; i++) cpus.Add(i);
        }
        return cpus;
    }
}
