using System.Text.Json;
using System.Text.Json.Nodes;
using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>
/// config-linux.md: the seccomp rules not covered by ConfigLinuxSecurity (errno values on actions that take none,
/// architectures, empty names, masked comparisons) and the seccomp agent: linux.seccomp.listenerPath and the
/// container process state sent over it.
/// </summary>
internal static class ConfigLinuxSeccompMore
{
    private const string Doc = "config-linux.md";
    private const string S = "Seccomp";
    private const string MkdirProbe = "mkdir /tmp/conf-dir 2>&1; echo rc=$?";

    private static JsonObject Rule(string action, params string[] names) => Obj(("names", Bundle.Strings(names)), ("action", action));

    private static JsonObject Filter(string defaultAction, params JsonObject[] rules)
    {
        var a = new JsonArray();
        foreach (var r in rules) a.Add((JsonNode)r);
        return Obj(("defaultAction", defaultAction), ("syscalls", a));
    }

    /// <summary>libseccomp's name for this machine's native architecture, or null.</summary>
    private static string? NativeArch() => Host.Cmd("uname", "-m").Stdout.Trim() switch
    {
        "x86_64" => "SCMP_ARCH_X86_64",
        "aarch64" => "SCMP_ARCH_AARCH64",
        "ppc64le" => "SCMP_ARCH_PPC64LE",
        "s390x" => "SCMP_ARCH_S390X",
        "riscv64" => "SCMP_ARCH_RISCV64",
        _ => null,
    };

    private static void RequireNotify()
    {
        var avail = Host.Read("/proc/sys/kernel/seccomp/actions_avail");
        if (!avail.Split(' ', StringSplitOptions.TrimEntries).Contains("user_notif"))
            throw Skip("the kernel has no seccomp user notification (actions_avail lacks user_notif)");
    }

    /// <summary>A bundle running <see cref="TinyElf.ErrnoAsXs"/> for system call <paramref name="nr"/> under a
    /// default-deny (EPERM) filter that allows only what the program needs.</summary>
    private static Bundle ErrnoProbe(CheckContext ctx, int nr)
    {
        if (NativeArch() != "SCMP_ARCH_X86_64") throw Skip("the probe program is x86-64 machine code");
        var b = ctx.NewBundle();
        string path = Path.Combine(b.Rootfs, "errno-probe");
        File.WriteAllBytes(path, TinyElf.ErrnoAsXs(nr));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        b.Args("/errno-probe");
        var f = Filter("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", "execve", "write", "exit_group"));
        f["architectures"] = Bundle.Strings("SCMP_ARCH_X86_64");
        b.Linux["seccomp"] = f;
        return b;
    }

    /// <summary>A filter that sends mkdir to the agent at <paramref name="listener"/>.</summary>
    private static JsonObject NotifyFilter(string listener, string? metadata = null)
    {
        var f = Filter("SCMP_ACT_ALLOW", Rule("SCMP_ACT_NOTIFY", "mkdir", "mkdirat"));
        f["listenerPath"] = listener;
        if (metadata is not null) f["listenerMetadata"] = metadata;
        return f;
    }

    public static IEnumerable<Check> Checks()
    {
        yield return new("seccomp.defaultErrnoRet-invalid-action", Doc, S, Level.MUST,
            "defaultErrnoRet with a defaultAction that takes no errno (SCMP_ACT_ALLOW) makes the runtime fail", ctx =>
                ExpectInvalid(ctx, "defaultErrnoRet with SCMP_ACT_ALLOW",
                    b => b.Linux["seccomp"] = Filter("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "acct")),
                    b =>
                    {
                        var f = Filter("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "acct"));
                        f["defaultErrnoRet"] = 1;
                        b.Linux["seccomp"] = f;
                    }));
        yield return new("seccomp.names-empty", Doc, S, Level.MUST,
            "a syscalls entry whose names are empty (names MUST have at least one entry) generates an error", ctx =>
                ExpectInvalid(ctx, "a seccomp rule without names",
                    b => b.Linux["seccomp"] = Filter("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "acct")),
                    b => b.Linux["seccomp"] = Filter("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO"))));
        yield return new("seccomp.architectures", Doc, S, Level.MAY,
            "architectures [the native one only]: the filter applies to the container's system calls", ctx =>
            {
                var arch = NativeArch() ?? throw Skip("the suite does not know libseccomp's name for this machine's architecture");
                var b = ctx.NewBundle(MkdirProbe).Writable();
                var f = Filter("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir", "mkdirat"));
                f["architectures"] = Bundle.Strings(arch);
                b.Linux["seccomp"] = f;
                var o = ctx.RunProbe(b);
                That(KV(o).Get("rc", o) != "0", "mkdir succeeded: " + Show(o));
                return Pass();
            });
        yield return new("seccomp.args.masked-eq", Doc, S, Level.MAY,
            "SCMP_CMP_MASKED_EQ with value 7 and valueTwo 7: chmod is denied when the mode's other bits are rwx (777), allowed otherwise (770)", ctx =>
            {
                var b = ctx.NewBundle("touch /tmp/f; chmod 777 /tmp/f 2>/dev/null; echo a=$?; chmod 770 /tmp/f; echo b=$?").Writable();
                var r1 = Rule("SCMP_ACT_ERRNO", "chmod");
                r1["args"] = new JsonArray(Obj(("index", 1), ("value", 7), ("valueTwo", 7), ("op", "SCMP_CMP_MASKED_EQ")));
                var r2 = Rule("SCMP_ACT_ERRNO", "fchmodat");
                r2["args"] = new JsonArray(Obj(("index", 2), ("value", 7), ("valueTwo", 7), ("op", "SCMP_CMP_MASKED_EQ")));
                var r3 = Rule("SCMP_ACT_ERRNO", "fchmodat2");
                r3["args"] = new JsonArray(Obj(("index", 2), ("value", 7), ("valueTwo", 7), ("op", "SCMP_CMP_MASKED_EQ")));
                b.Linux["seccomp"] = Filter("SCMP_ACT_ALLOW", r1, r2, r3);
                var o = ctx.RunProbe(b);
                var kv = KV(o);
                That(kv.Get("a", o) != "0", "chmod 777 was allowed");
                Equal("0", kv.Get("b", o), "exit code of chmod 770");
                return Pass();
            });

        // --- default-deny filters, observed with a program that needs only execve, write and exit_group
        yield return new("seccomp.defaultErrnoRet", Doc, S, Level.MAY,
            "defaultErrnoRet 13 is the errno of a call no rule matches (default SCMP_ACT_ERRNO allowing execve, write and exit_group; mkdir fails with EACCES)", ctx =>
            {
                var b = ErrnoProbe(ctx, 83); // mkdir
                b.Linux["seccomp"]!["defaultErrnoRet"] = 13;
                Equal("13", ctx.RunProbe(b).Trim().Length.ToString(System.Globalization.CultureInfo.InvariantCulture), "mkdir's errno");
                return Pass();
            }) { RuncDeviation = "runc 1.1's init makes system calls after it loads the filter (closing its log pipe), which a filter allowing only what the program needs denies: its container dies before start" };
        yield return new("seccomp.enosys-newer-than-profile", Doc, S, Level.MAY,
            "a system call numbered above every one the profile names (1000) fails with ENOSYS, not the default EPERM, so that programs fall back to older calls (runc's behaviour, which Docker's profile relies on); one below (mkdir) gets the default", ctx =>
            {
                Equal("38", ctx.RunProbe(ErrnoProbe(ctx, 1000)).Trim().Length.ToString(System.Globalization.CultureInfo.InvariantCulture), "errno of system call 1000");
                Equal("1", ctx.RunProbe(ErrnoProbe(ctx, 83)).Trim().Length.ToString(System.Globalization.CultureInfo.InvariantCulture), "mkdir's errno");
                return Pass();
            }) { RuncDeviation = "runc 1.1's init makes system calls after it loads the filter (closing its log pipe), which a filter allowing only what the program needs denies: its container dies before start" };

        // --- the seccomp agent (listenerPath) and the container process state
        yield return new("seccomp.notify.state", Doc, S, Level.MUST,
            "with SCMP_ACT_NOTIFY and listenerPath, one connection to the agent's stream socket carries one JSON container process state and the notify fd (SCM_RIGHTS, with the first bytes), then is closed", ctx =>
            {
                RequireNotify();
                var sock = Path.Combine(ctx.WorkDir, "agent.sock");
                var rx = new FdReceiver(sock, TimeSpan.FromSeconds(20));
                ctx.Defer(rx.Dispose);
                var b = ctx.NewBundle(MkdirProbe).Writable();
                b.Linux["seccomp"] = NotifyFilter(sock);
                var c = CreateOrRefused(ctx, b, "seccomp action SCMP_ACT_NOTIFY");
                int pid = c.Pid;
                var msg = rx.Wait(TimeSpan.FromSeconds(3));
                if (msg is null)
                {
                    // some runtimes contact the agent only when the program starts
                    c.Start();
                    msg = rx.Wait(TimeSpan.FromSeconds(25)) ?? throw Fail("the runtime never sent the state to the agent: " + rx.Error);
                }
                else c.Start();
                try
                {
                    That(msg.Data.Length > 0, "the connection carried no data");
                    JsonObject state;
                    try
                    {
                        using var doc = JsonDocument.Parse(msg.Data); // fails on a second JSON value after the first
                        state = JsonNode.Parse(msg.Data)!.AsObject();
                    }
                    catch (Exception e) when (e is JsonException or InvalidOperationException)
                    {
                        throw Fail($"the data is not exactly one JSON object ({e.Message}): {Show(msg.Text)}");
                    }
                    That(state["ociVersion"] is JsonValue ov && ov.GetValueKind() == JsonValueKind.String, "ociVersion is missing or not a string: " + Show(msg.Text));
                    var fds = state["fds"] as JsonArray ?? throw Fail("fds is missing: " + Show(msg.Text));
                    That(fds.Any(f => f?.ToString() == "seccompFd"), "fds does not name seccompFd: " + Show(msg.Text));
                    Equal(fds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), msg.Fds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        "descriptors received (SCM_RIGHTS) against the names in fds");
                    That(msg.FdsInFirstChunk, "the descriptors did not come with the first sendmsg");
                    var what = FdReceiver.Describe(msg.Fds[fds.Select(f => f?.ToString()).ToList().IndexOf("seccompFd")]) ?? "?";
                    That(what.Contains("seccomp", StringComparison.Ordinal), $"the seccompFd descriptor is {what}, not a seccomp notify descriptor");
                    That(state["pid"] is JsonValue pv && pv.TryGetValue<int>(out var p) && p == pid, $"pid {state["pid"]} is not the container process {pid}");
                    var st = state["state"] as JsonObject ?? throw Fail("state is missing: " + Show(msg.Text));
                    Equal(c.Id, st["id"]?.ToString(), "state.id");
                    That(st["status"] is not null && st["bundle"] is not null, "state lacks status or bundle: " + Show(st.ToJsonString()));
                    That(msg.PeerClosed, "the runtime did not close the connection after sending the state");
                }
                finally { msg.CloseFds(); }
                // with the agent gone the kernel fails the notified mkdir with ENOSYS, and the program goes on
                c.WaitStopped();
                That(KV(c.Stdout).Get("rc", c.Stdout) != "0", "mkdir succeeded although nobody answered the notification");
                return Pass();
            });
        yield return new("seccomp.notify.metadata", Doc, S, Level.MUST,
            "listenerMetadata reaches the agent as `metadata` of the container process state", ctx =>
            {
                RequireNotify();
                var sock = Path.Combine(ctx.WorkDir, "agent.sock");
                var rx = new FdReceiver(sock, TimeSpan.FromSeconds(20));
                ctx.Defer(rx.Dispose);
                var b = ctx.NewBundle(MkdirProbe).Writable();
                b.Linux["seccomp"] = NotifyFilter(sock, "conformance-metadata=1");
                var c = CreateOrRefused(ctx, b, "seccomp action SCMP_ACT_NOTIFY");
                c.Start();
                var msg = rx.Wait(TimeSpan.FromSeconds(25)) ?? throw Fail("the runtime never sent the state to the agent: " + rx.Error);
                try
                {
                    var state = JsonNode.Parse(msg.Data) as JsonObject ?? throw Fail("the data is not a JSON object");
                    Equal("conformance-metadata=1", state["metadata"]?.ToString(), "metadata");
                }
                catch (JsonException e) { throw Fail("the data is not JSON: " + e.Message); }
                finally { msg.CloseFds(); }
                c.WaitStopped();
                return Pass();
            });
        yield return new("seccomp.notify.send-fails", Doc, S, Level.MUST,
            "a listenerPath where no agent listens (sending the state fails) generates an error", ctx =>
            {
                RequireNotify();
                var sock = Path.Combine(ctx.WorkDir, "agent.sock");
                var rx = new FdReceiver(sock, TimeSpan.FromSeconds(20));
                ctx.Defer(rx.Dispose);
                return ExpectInvalid(ctx, "a listenerPath nobody listens on",
                    b => b.Linux["seccomp"] = NotifyFilter(sock),
                    b => b.Linux["seccomp"] = NotifyFilter(Path.Combine(ctx.WorkDir, "nobody-listens.sock")));
            });
        yield return new("seccomp.notify.metadata-without-path", Doc, S, Level.MUST,
            "listenerMetadata without listenerPath (it MUST NOT be set then) generates an error", ctx =>
                ExpectInvalid(ctx, "listenerMetadata without listenerPath",
                    b => b.Linux["seccomp"] = Filter("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "acct")),
                    b =>
                    {
                        var f = Filter("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "acct"));
                        f["listenerMetadata"] = "conformance";
                        b.Linux["seccomp"] = f;
                    }));

        yield return new("memoryPolicy.flags", Doc, "Memory policy", Level.MAY,
            "memoryPolicy flags [MPOL_F_STATIC_NODES] with MPOL_BIND on node 0 are the process's policy (numa_maps bind=static:0)", ctx =>
            {
                if (!File.Exists("/proc/self/numa_maps")) throw Skip("the kernel has no NUMA support");
                var b = ctx.NewBundle("head -n 3 /proc/self/numa_maps");
                b.Linux["memoryPolicy"] = Obj(("mode", "MPOL_BIND"), ("nodes", "0"), ("flags", Bundle.Strings("MPOL_F_STATIC_NODES")));
                var o = RunProbeOrRefused(ctx, b, "memory policy flag MPOL_F_STATIC_NODES");
                That(o.Contains("bind=static:0", StringComparison.Ordinal), "numa_maps shows no bind=static:0 policy: " + Show(o));
                return Pass();
            }) { RuncDeviation = "runc 1.1 ignores linux.memoryPolicy" };
    }
}
