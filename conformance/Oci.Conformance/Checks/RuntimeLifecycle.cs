using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>runtime.md: Lifecycle — failing hooks, and the runc CLI operations (run, list, exec).</summary>
internal static class RuntimeLifecycle
{
    private const string Doc = "runtime.md";

    public static IEnumerable<Check> Checks()
    {
        yield return new("lifecycle.operations", Doc, "Operations", Level.MUST,
            "the operations work on one container through its life: create, state, start, state, kill, state, delete, state", ctx =>
            {
                var b = ctx.NewBundle(Sleep);
                var c = ctx.Create(b);
                Equal("created", ctx.Status(c.Id), "status after create");
                c.Start();
                WaitOutput(c, "ready");
                Equal("running", ctx.Status(c.Id), "status after start");
                c.Kill("KILL");
                c.WaitStopped();
                Equal("stopped", ctx.Status(c.Id), "status after kill");
                c.Delete();
                That(!ctx.Rt("state", c.Id).Ok, "state still succeeds after delete");
                return Pass();
            });
        foreach (var hook in new[] { "prestart", "createRuntime", "createContainer" })
        {
            yield return new($"lifecycle.{hook}-fails", Doc, "Lifecycle", Level.MUST,
                $"a failing {hook} hook makes create fail, the program never runs and no container is left", ctx =>
                {
                    ctx.Host.RequireFeature(f => ctx.Host.FeatureListContains("hooks", hook), $"the `{hook}` hook");
                    var b = ctx.NewBundle("echo program-ran");
                    b.AddHook(hook, "/bin/sh", ["sh", "-c", "exit 3"]);
                    var id = ctx.NewId();
                    var r = ctx.TryCreate(b, id);
                    That(!r.Ok, "create succeeded although the hook failed");
                    var st = ctx.State(id);
                    That(st is null || st["status"]?.ToString() == "stopped", $"container left in status {st?["status"]}");
                    That(!RuntimeDriver.ReadSmall(Path.Combine(ctx.WorkDir, id + ".out")).Contains("program-ran", StringComparison.Ordinal), "program ran");
                    return Pass(st is null ? "" : "container left as stopped");
                });
        }
        yield return new("lifecycle.startContainer-fails", Doc, "Lifecycle", Level.MUST,
            "a failing startContainer hook makes start fail, the program never runs and the container is stopped", ctx =>
            {
                ctx.Host.RequireFeature(f => ctx.Host.FeatureListContains("hooks", "startContainer"), "the `startContainer` hook");
                var b = ctx.NewBundle("echo program-ran");
                b.AddHook("startContainer", "/bin/sh", ["sh", "-c", "exit 3"]);
                var c = ctx.Create(b);
                var r = c.TryStart();
                That(!r.Ok, "start succeeded although the hook failed");
                var st = ctx.State(c.Id);
                That(st is null || st["status"]?.ToString() == "stopped", $"container left in status {st?["status"]}");
                That(!c.Stdout.Contains("program-ran", StringComparison.Ordinal), "program ran");
                return Pass();
            }) { RuncDeviation = "runc runs startContainer hooks in its init process and `runc start` does not report their failure: start exits 0 and the container just stops" };
        yield return new("lifecycle.poststart-fails", Doc, "Lifecycle", Level.MUST,
            "a failing poststart hook makes start generate an error and the container is stopped", ctx =>
            {
                ctx.Host.RequireFeature(f => ctx.Host.FeatureListContains("hooks", "poststart"), "the `poststart` hook");
                var b = ctx.NewBundle("sleep 600");
                b.AddHook("poststart", "/bin/sh", ["sh", "-c", "exit 3"]);
                var id = ctx.NewId();
                var cr = ctx.TryCreate(b, id);
                if (!cr.Ok)
                {
                    // the error came from create (runtimes that run poststart too early); the container must not be left running
                    var st0 = ctx.State(id);
                    That(st0 is null || st0["status"]?.ToString() == "stopped", $"container left in status {st0?["status"]} after create failed");
                    return Pass("the error was reported by create (see hooks.poststart.timing)");
                }
                var c = new Container(ctx, id, b);
                int pid = c.Pid;
                var r = c.TryStart();
                That(!r.Ok, "start succeeded although the poststart hook failed");
                var sw = System.Diagnostics.Stopwatch.StartNew();
                while (Host.ProcessAlive(pid) && sw.Elapsed.TotalSeconds < 10) Thread.Sleep(20);
                var st = ctx.State(c.Id);
                That(st is null || st["status"]?.ToString() == "stopped", $"container left in status {st?["status"]}");
                return Pass();
            });
        yield return new("lifecycle.poststop-fails", Doc, "Lifecycle", Level.MUST,
            "a failing poststop hook is only a warning: delete succeeds and later poststop hooks still run", ctx =>
            {
                ctx.Host.RequireFeature(f => ctx.Host.FeatureListContains("hooks", "poststop"), "the `poststop` hook");
                var dir = ctx.NewDir("ps");
                var b = ctx.NewBundle("true");
                b.AddHook("poststop", "/bin/sh", ["sh", "-c", "exit 3"]);
                b.AddHook("poststop", "/bin/sh", ["sh", "-c", $"echo second > {dir}/second"]);
                var c = ctx.Create(b);
                c.Start();
                c.WaitStopped();
                var r = c.TryDelete();
                That(r.Ok, "delete failed because of the poststop hook: " + r.Brief);
                That(ctx.State(c.Id) is null, "container still exists after delete");
                Equal("second", Host.Read(Path.Combine(dir, "second")).Trim(), "second poststop hook output");
                return Pass();
            }) { RuncDeviation = "after a failing poststop hook runc skips the remaining poststop hooks" };
        yield return new("lifecycle.create-error-runs-poststop", Doc, "Lifecycle", Level.MUST,
            "when create fails in a hook, the lifecycle continues at step 12/13: poststop hooks run", ctx =>
            {
                var dir = ctx.NewDir("ps");
                var b = ctx.NewBundle("true");
                b.AddHook("createRuntime", "/bin/sh", ["sh", "-c", "exit 3"]);
                b.AddHook("poststop", "/bin/sh", ["sh", "-c", $"echo ran > {dir}/poststop"]);
                var id = ctx.NewId();
                var r = ctx.TryCreate(b, id);
                That(!r.Ok, "create succeeded although createRuntime failed");
                if (ctx.State(id) is not null) ctx.Rt("delete", "--force", id);
                Equal("ran", Host.Read(Path.Combine(dir, "poststop")).Trim(), "poststop hook after failed create");
                return Pass();
            });

        // runc CLI operations that are not in runtime.md but that callers of runc-compatible runtimes rely on.
        yield return new("cli.run-exit-code", Doc, "Operations", Level.SHOULD,
            "(runc CLI) `run` runs a container in the foreground and exits with the program's exit code", ctx =>
            {
                var b = ctx.NewBundle("echo via-run; exit 7");
                b.Save();
                var id = ctx.NewId();
                var r = ctx.Rt("run", "--bundle", b.Dir, id);
                Equal("7", r.ExitCode.ToString(), "exit code of run");
                That(r.Stdout.Contains("via-run", StringComparison.Ordinal), $"output: {Show(r.Stdout)}");
                ctx.Rt("delete", id);
                return Pass();
            });
        yield return new("cli.list", Doc, "Operations", Level.SHOULD,
            "(runc CLI) `list` shows a created container with its status", ctx =>
            {
                var c = ctx.Create(ctx.NewBundle("true"));
                var r = ctx.Rt("list");
                That(r.Ok, "list failed: " + r.Brief);
                var line = r.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith(c.Id + " ", StringComparison.Ordinal) || l.StartsWith(c.Id + "\t", StringComparison.Ordinal));
                That(line is not null, $"{c.Id} not in list output: {Show(r.Stdout)}");
                That(line!.Contains("created", StringComparison.Ordinal), $"list line has no status `created`: {line}");
                return Pass();
            });
        yield return new("cli.exec", Doc, "Operations", Level.SHOULD,
            "(runc CLI) `exec` runs a process inside a running container's namespaces and returns its exit code", ctx =>
            {
                var c = StartSleeper(ctx);
                var r = ctx.Rt("exec", c.Id, "sh", "-c", "readlink /proc/self/ns/uts; readlink /proc/1/ns/uts; exit 5");
                Equal("5", r.ExitCode.ToString(), "exec exit code (" + r.Brief + ")");
                var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                That(lines.Length == 2 && lines[0] == lines[1], $"exec'd process not in the container's uts namespace: {Show(r.Stdout)}");
                Equal(Host.NsLink(c.Pid.ToString(), "uts") ?? "", lines[0], "uts namespace");
                return Pass();
            });
    }
}
