using System.Text.Json.Nodes;
using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>config.md: POSIX-platform Hooks (and the hook steps of runtime.md's lifecycle).</summary>
internal static class ConfigHooks
{
    private const string Doc = "config.md";

    public static readonly string[] All = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"];

    private static string Section(string hook) => hook switch
    {
        "prestart" => "Prestart",
        "createRuntime" => "CreateRuntime Hooks",
        "createContainer" => "CreateContainer Hooks",
        "startContainer" => "StartContainer Hooks",
        "poststart" => "Poststart",
        _ => "Poststop",
    };

    private static bool InContainerNs(string hook) => hook is "createContainer" or "startContainer";

    /// <summary>A bundle with every hook recording: its stdin (state), its mount namespace and its position in `order`.</summary>
    internal sealed class HookedRun(CheckContext ctx, string[] hooks)
    {
        public readonly string Dir = ctx.NewDir("hooklog");
        public Bundle Bundle = null!;
        public Container C = null!;

        public Bundle Make(string program = "echo program >> /hooklog/order")
        {
            Bundle = ctx.NewBundle(program).Writable();
            Bundle.AddMount("/hooklog", "none", Dir, "bind", "rw");
            foreach (var h in hooks)
            {
                // startContainer's path resolves in the container: use the container's busybox and the bind mount.
                bool inside = h == "startContainer";
                string d = inside ? "/hooklog" : Dir;
                string script = $"timeout 5 cat > {d}/{h}.stdin; echo {h} >> {d}/order; readlink /proc/self/ns/mnt > {d}/{h}.mntns; readlink /proc/self/ns/net > {d}/{h}.netns";
                Bundle.AddHook(h, inside ? "/bin/sh" : "/bin/sh", ["sh", "-c", script]);
            }
            return Bundle;
        }

        public string[] Order() => Host.Read(Path.Combine(Dir, "order")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        public bool Ran(string hook) => Order().Contains(hook);
        public string Read(string hook, string what) => Host.Read(Path.Combine(Dir, $"{hook}.{what}")).Trim();
    }

    private static void RequireHook(CheckContext ctx, string hook) =>
        ctx.Host.RequireFeature(f => ctx.Host.FeatureListContains("hooks", hook), $"the `{hook}` hook");

    public static IEnumerable<Check> Checks()
    {
        foreach (var hook in All)
        {
            string when = hook switch
            {
                "prestart" or "createRuntime" or "createContainer" => "during create (done when create returns, not before), before start",
                "startContainer" => "during start, before the user program runs",
                "poststart" => "during start, after the program was executed and before start returns",
                _ => "during delete (not when the container stops), before delete returns",
            };
            yield return new($"hooks.{hook}.timing", Doc, Section(hook), Level.MUST, $"{hook} hook is invoked {when}", ctx =>
            {
                RequireHook(ctx, hook);
                var run = new HookedRun(ctx, [hook]);
                var c = ctx.Create(run.Make());
                bool createPhase = hook is "prestart" or "createRuntime" or "createContainer";
                if (createPhase) That(run.Ran(hook), $"{hook} had not run when create returned");
                else That(!run.Ran(hook), $"{hook} already ran during create");
                c.Start();
                if (hook is "startContainer" or "poststart") That(run.Ran(hook), $"{hook} had not run when start returned");
                c.WaitStopped();
                var order = run.Order();
                if (hook == "startContainer")
                {
                    int hi = Array.IndexOf(order, hook), pi = Array.IndexOf(order, "program");
                    That(pi < 0 || hi < pi, $"user program ran before startContainer: {string.Join(",", order)}");
                }
                if (hook == "poststop") That(!run.Ran(hook), "poststop ran before delete");
                c.Delete();
                if (hook == "poststop") That(run.Ran(hook), "poststop had not run when delete returned");
                return Pass();
            }) { RuncDeviation = hook == "poststart" ? "runc 1.1 runs poststart hooks at the end of `create`, not during `start`" : null };
            yield return new($"hooks.{hook}.state-stdin", Doc, "POSIX-platform Hooks", Level.MUST,
                $"{hook} hook receives the container state as JSON on stdin (id, bundle{(hook == "poststop" ? "" : ", pid")})", ctx =>
                {
                    RequireHook(ctx, hook);
                    var run = new HookedRun(ctx, [hook]);
                    var c = ctx.Create(run.Make("true"));
                    c.Start();
                    c.WaitStopped();
                    c.Delete();
                    var text = run.Read(hook, "stdin");
                    That(text.Length > 0, $"{hook} got nothing on stdin");
                    JsonObject st;
                    try { st = JsonNode.Parse(text) as JsonObject ?? throw Fail("stdin is not a JSON object"); }
                    catch (System.Text.Json.JsonException) { throw Fail("stdin is not JSON: " + Show(text)); }
                    Equal(c.Id, st["id"]?.ToString(), "state.id");
                    Equal(c.Bundle.Dir, st["bundle"]?.ToString()?.TrimEnd('/'), "state.bundle");
                    That(st["ociVersion"] is not null && st["status"] is not null, "state lacks ociVersion or status: " + Show(text));
                    if (hook != "poststop")
                        That(st["pid"] is JsonValue v && v.TryGetValue<int>(out var pid) && pid > 0, "state lacks a pid: " + Show(text));
                    return Pass();
                });
            yield return new($"hooks.{hook}.namespace", Doc, Section(hook), Level.MUST,
                $"{hook} hook is executed in the {(InContainerNs(hook) ? "container" : "runtime")} namespace (mount namespace compared)", ctx =>
                {
                    RequireHook(ctx, hook);
                    var run = new HookedRun(ctx, [hook]);
                    var c = ctx.Create(run.Make("true"));
                    var containerMnt = Host.NsLink(c.Pid.ToString(), "mnt");
                    var runtimeMnt = Host.NsLink("self", "mnt");
                    c.Start();
                    c.WaitStopped();
                    c.Delete();
                    var seen = run.Read(hook, "mntns");
                    That(seen.Length > 0, $"{hook} did not run or could not read its namespace");
                    Equal(InContainerNs(hook) ? containerMnt! : runtimeMnt!, seen, $"{hook}'s mount namespace");
                    return Pass();
                });
        }
        // Where a hook's path resolves: a script that exists only on the host (runtime namespace) or only in the rootfs.
        foreach (var hook in All)
        {
            bool inContainer = hook == "startContainer";
            string id = inContainer ? "hooks.startContainer.path-container-ns" : $"hooks.{hook}.path-runtime-ns";
            yield return new(id, Doc, "POSIX-platform Hooks", Level.MUST,
                inContainer
                    ? "a startContainer hook path that exists only in the container's rootfs is found and run (it resolves in the container namespace)"
                    : $"a {hook} hook path that exists only on the host, not in the rootfs, is found and run (it resolves in the runtime namespace)", ctx =>
                {
                    RequireHook(ctx, hook);
                    var log = ctx.NewDir("hookran");
                    var b = ctx.NewBundle("true").Writable();
                    b.AddMount("/hooklog", "none", log, "bind", "rw");
                    string path;
                    if (inContainer)
                    {
                        path = "/conformance-hook-in-rootfs.sh";
                        var f = b.WriteRootfsFile(path, "#!/bin/sh\ncat > /dev/null\necho ran > /hooklog/ran\n");
                        Host.Chmod(f, "755");
                        That(!File.Exists(path), $"{path} exists on the host, so the check cannot tell the namespaces apart");
                    }
                    else
                    {
                        var dir = ctx.NewDir("host-only-hooks");
                        path = Path.Combine(dir, "hook.sh");
                        File.WriteAllText(path, $"#!/bin/sh\ncat > /dev/null\necho ran > {log}/ran\n");
                        Host.Chmod(path, "755");
                        That(!File.Exists(Path.Combine(b.Rootfs, path.TrimStart('/'))), "the host path exists in the rootfs too");
                    }
                    b.AddHook(hook, path, [path]);
                    var c = ctx.Create(b);
                    c.Start();
                    c.WaitStopped();
                    c.Delete();
                    That(File.Exists(Path.Combine(log, "ran")), $"the {hook} hook at {path} did not run");
                    return Pass();
                });
        }
        // prestart, createRuntime and createContainer run once the environment exists but before pivot_root: the
        // configured mount is in the container's mount table and the container's root is not yet the bundle's rootfs.
        foreach (var hook in new[] { "prestart", "createRuntime", "createContainer" })
        {
            yield return new($"hooks.{hook}.before-pivot", Doc, Section(hook), Level.MUST,
                $"when the {hook} hook runs, the configured mounts are made but the container's root is not yet the rootfs (before pivot_root)", ctx =>
                {
                    RequireHook(ctx, hook);
                    var log = ctx.NewDir("pivotlog");
                    var b = ctx.NewBundle("true");
                    b.AddMount("/mnt/hookcheck", "tmpfs", "tmpfs", "size=1m");
                    // The rootfs carries /etc/conformance-marker; the host does not.
                    That(!File.Exists("/etc/conformance-marker"), "the host has /etc/conformance-marker, so the check cannot tell the roots apart");
                    string target = hook == "createContainer" ? "self" : "$pid";
                    string script = "state=$(cat); pid=$(echo \"$state\" | grep -o '\"pid\": *[0-9]*' | grep -o '[0-9]*$'); " +
                        $"if [ -e /proc/{target}/root/etc/conformance-marker ]; then echo pivoted; else echo not-pivoted; fi > {log}/root; " +
                        $"if grep -q '/mnt/hookcheck ' /proc/{target}/mountinfo; then echo mounted; else echo not-mounted; fi > {log}/mounts";
                    b.AddHook(hook, "/bin/sh", ["sh", "-c", script]);
                    ctx.Create(b);
                    var root = Host.Read(Path.Combine(log, "root")).Trim();
                    var mounts = Host.Read(Path.Combine(log, "mounts")).Trim();
                    That(root.Length > 0 && mounts.Length > 0, $"the {hook} hook left no record (it did not run, or could not reach {log})");
                    Equal("mounted", mounts, "configured mount /mnt/hookcheck when the hook ran");
                    Equal("not-pivoted", root, "container root when the hook ran");
                    return Pass();
                });
        }
        yield return new("hooks.order", Doc, "POSIX-platform Hooks", Level.MUST,
            "all hooks run, in lifecycle order: prestart, createRuntime, createContainer, startContainer, poststart, poststop", ctx =>
            {
                var hooks = All.Where(h => ctx.Host.FeatureListContains("hooks", h) != false).ToArray();
                var run = new HookedRun(ctx, hooks);
                var c = ctx.Create(run.Make());
                c.Start();
                c.WaitStopped();
                c.Delete();
                var order = run.Order().Where(o => o != "program").ToArray();
                Equal(string.Join(",", hooks), string.Join(",", order), "hook order");
                return Pass();
            }) { RuncDeviation = "runc 1.1 runs poststart hooks during `create`, so they come before startContainer" };
        yield return new("hooks.multiple-in-order", Doc, "POSIX-platform Hooks", Level.MUST,
            "several hooks of one kind are called in the listed order", ctx =>
            {
                var dir = ctx.NewDir("multi");
                var b = ctx.NewBundle("true");
                foreach (var n in new[] { "one", "two", "three" })
                    b.AddHook("createRuntime", "/bin/sh", ["sh", "-c", $"echo {n} >> {dir}/order"]);
                var c = ctx.Create(b);
                Equal("one,two,three", string.Join(",", Host.Read(Path.Combine(dir, "order")).Split('\n', StringSplitOptions.RemoveEmptyEntries)), "order");
                return Pass();
            });
        yield return new("hooks.args-env", Doc, "POSIX-platform Hooks", Level.MUST,
            "hook args are passed as argv (args[0] included) and env as the environment", ctx =>
            {
                var dir = ctx.NewDir("argenv");
                var b = ctx.NewBundle("true");
                b.AddHook("createRuntime", "/bin/sh", ["sh", "-c", $"echo \"$0|$1|$HOOKVAR\" > {dir}/out", "zeroth", "first arg"], ["HOOKVAR=hook value"]);
                ctx.Create(b);
                Equal("zeroth|first arg|hook value", Host.Read(Path.Combine(dir, "out")).Trim(), "hook output");
                return Pass();
            });
        yield return new("hooks.env-exact", Doc, "POSIX-platform Hooks", Level.MUST,
            "a hook with `env` gets exactly that environment, not the runtime's", ctx =>
            {
                var dir = ctx.NewDir("envexact");
                var b = ctx.NewBundle("true");
                b.AddHook("createRuntime", "/bin/sh", ["sh", "-c", $"echo \"${{OCI_CONF_SENTINEL:-unset}}\" > {dir}/out"], ["A=b"]);
                var r = ctx.TryCreate(b, ctx.NewId(), "export OCI_CONF_SENTINEL=leaked;");
                That(r.Ok, "create failed: " + r.Brief);
                Equal("unset", Host.Read(Path.Combine(dir, "out")).Trim(), "runtime variable seen by the hook");
                return Pass();
            });
        yield return new("hooks.timeout", Doc, "POSIX-platform Hooks", Level.MUST,
            "a hook that runs longer than its `timeout` is aborted and the operation fails", ctx =>
            {
                var b = ctx.NewBundle("true");
                b.AddHook("createRuntime", "/bin/sh", ["sh", "-c", "sleep 20"], null, 1);
                var r = ctx.TryCreate(b, ctx.NewId());
                That(!r.Ok, r.TimedOut ? "runtime hung on the hook" : "create succeeded although the hook exceeded its timeout");
                return Pass();
            });
        yield return new("hooks.poststart-after-exec", Doc, "Poststart", Level.MUST,
            "when poststart runs the container is `running` (the user program was executed)", ctx =>
            {
                var dir = ctx.NewDir("ps");
                var b = ctx.NewBundle("sleep 600");
                b.AddHook("poststart", "/bin/sh", ["sh", "-c", $"cat > {dir}/stdin"]);
                var c = ctx.Create(b);
                c.Start();
                var st = JsonNode.Parse(Host.Read(Path.Combine(dir, "stdin")).Trim() is { Length: > 0 } s ? s : "{}");
                var status = st?["status"]?.ToString();
                var cmd = Host.Read($"/proc/{c.Pid}/cmdline").Replace('\0', ' ').Trim();
                That(cmd.StartsWith("sleep", StringComparison.Ordinal), $"container process runs '{cmd}' after start");
                Equal("running", status, "status in the state given to poststart");
                return Pass();
            }) { RuncDeviation = "runc 1.1 runs poststart hooks during `create`, when the status is still `created`" };
    }
}
