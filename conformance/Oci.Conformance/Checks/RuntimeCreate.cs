using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>runtime.md: Create.</summary>
internal static class RuntimeCreate
{
    private const string Doc = "runtime.md";

    public static IEnumerable<Check> Checks()
    {
        yield return new("create.basic", Doc, "Create", Level.MUST, "create makes a new container visible to state", ctx =>
        {
            var c = ctx.Create(ctx.NewBundle("true"));
            That(ctx.State(c.Id) is not null, "state fails right after a successful create");
            return Pass();
        });
        yield return new("create.program-not-run", Doc, "Create", Level.MUST,
            "process.args is not run by create, only by start", ctx =>
            {
                var c = ctx.Create(ctx.NewBundle("echo program-ran"));
                // the runtime is done with create; the program must not have run yet
                That(!c.Stdout.Contains("program-ran", StringComparison.Ordinal), "program output appeared before start");
                c.Start();
                c.WaitStopped();
                That(c.Stdout.Contains("program-ran", StringComparison.Ordinal), $"program did not run after start: {Show(c.Stdout)}");
                return Pass();
            });
        yield return new("create.session-keyring", Doc, "Create", Level.MAY,
            "each container joins a session keyring of its own (runc's and crun's `_ses.<id>`; the spec does not name keyrings): two containers' keyrings differ", ctx =>
            {
                if (!File.Exists("/proc/keys")) throw Skip("the kernel has no keyrings (/proc/keys)");
                // The serial of the keyring named after the container, from the container's own /proc/keys.
                string? SessionKeyring(out string id)
                {
                    var b = ctx.NewBundle("cat /proc/keys");
                    if (b.Linux["maskedPaths"] is System.Text.Json.Nodes.JsonArray masked)
                        b.Linux["maskedPaths"] = Bundle.Strings([.. masked.Select(n => n!.GetValue<string>()).Where(path => path != "/proc/keys")]);
                    var c = ctx.Create(b);
                    c.Start();
                    c.WaitStopped();
                    id = c.Id;
                    string name = $"_ses.{c.Id}:";
                    return c.Stdout.Split('\n').Where(l => l.Contains(" keyring ", StringComparison.Ordinal) && l.Contains(name, StringComparison.Ordinal))
                        .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]).FirstOrDefault();
                }
                string? first = SessionKeyring(out var firstId), second = SessionKeyring(out var secondId);
                if (first is null && second is null) throw Skip("the runtime gives containers no session keyring named after them (`_ses.<id>`)");
                That(first is not null, $"{firstId} has no session keyring named after it, {secondId} has one");
                That(second is not null, $"{secondId} has no session keyring named after it, {firstId} has one");
                That(first != second, $"both containers' session keyrings are key {first}");
                return Pass();
            });
        yield return new("create.namespaces-at-create", Doc, "Create", Level.MUST,
            "configured properties (namespaces, hostname) are applied by create, before start", ctx =>
            {
                var b = ctx.NewBundle("true");
                b.Config["hostname"] = "applied-at-create";
                var c = ctx.Create(b);
                var pid = c.Pid.ToString();
                That(Host.NsLink(pid, "net") != Host.NsLink("self", "net"), "container process is not yet in a new network namespace");
                var r = Host.Cmd("nsenter", "-t", pid, "-u", "hostname");
                Equal("applied-at-create", r.Stdout.Trim(), "hostname in the container's uts namespace after create");
                return Pass();
            });
        yield return new("create.duplicate-id", Doc, "Create", Level.MUST,
            "create with an ID that is already in use fails and leaves the existing container alone", ctx =>
            {
                var c = ctx.Create(ctx.NewBundle("echo first"));
                var pid = c.Pid;
                var r = ctx.TryCreate(ctx.NewBundle("echo second"), c.Id);
                That(!r.Ok, "second create with the same id succeeded");
                Equal("created", ctx.Status(c.Id), "status of the first container");
                That(c.Pid == pid && Host.ProcessAlive(pid), "first container's process changed or died");
                c.Start();
                c.WaitStopped();
                That(c.Stdout.Contains("first", StringComparison.Ordinal), "first container did not run its own program");
                return Pass();
            });
        yield return new("create.no-id", Doc, "Create", Level.MUST, "create without a container ID generates an error", ctx =>
        {
            var b = ctx.NewBundle("true");
            b.Save();
            var r = ctx.Rt("create", "--bundle", b.Dir);
            That(!r.Ok, "create without id succeeded");
            return Pass();
        });
        yield return new("create.no-bundle", Doc, "Create", Level.MUST,
            "create without --bundle, run from a directory that is not a bundle, generates an error and creates no container", ctx =>
            {
                // runc's CLI takes the current directory when --bundle is missing; an empty one is not a bundle.
                var empty = ctx.NewDir("not-a-bundle");
                var id = ctx.NewId();
                var r = ctx.Runtime.Run(["create", id], new RunOptions { ShellPrefix = $"cd '{empty}' &&" });
                That(!r.Ok, "create without a bundle succeeded");
                That(!ctx.Rt("state", id).Ok, "a container exists after the failed create");
                return Pass();
            });
        yield return new("create.mounts-at-create", Doc, "Create", Level.MUST,
            "configured mounts are in place when create returns, before start (the created container's mount table)", ctx =>
            {
                var b = ctx.NewBundle("true");
                b.AddMount("/mnt/at-create", "tmpfs", "tmpfs", "size=1m");
                var c = ctx.Create(b);
                var mounts = Host.MountTable(c.Pid.ToString());
                That(mounts.Any(m => m.MountPoint == "/mnt/at-create" && m.FsType == "tmpfs"),
                    "no tmpfs at /mnt/at-create in the created container's mount table: " +
                    Show(string.Join(", ", mounts.Select(m => m.MountPoint))));
                return Pass();
            });
        yield return new("create.cgroup-at-create", Doc, "Create", Level.MUST,
            "resources are applied by create, before start (pids.limit in the created container's cgroup)", ctx =>
            {
                if (!ctx.Host.HasController("pids")) throw Skip("the host has no pids cgroup controller");
                if (!ctx.Host.V1.ContainsKey("pids") && ctx.Host.Layout == CgroupLayout.Hybrid)
                    throw Skip("on this hybrid host pids exists only in the cgroup v2 hierarchy, which runtimes do not manage in hybrid mode");
                var b = ctx.NewBundle("true");
                Bundle.Obj(b.Resources, "pids")["limit"] = 37;
                var c = ctx.Create(b);
                var loc = ctx.Host.CgroupOf(c.Pid, "pids") ?? throw Fail("cannot find the created container's pids cgroup");
                Equal("37", Host.Read(Path.Combine(loc.Dir, "pids.max")).Trim(), "pids.max while the container is `created`");
                return Pass();
            });
        yield return new("create.missing-bundle", Doc, "Create", Level.MUST,
            "create with a bundle path that does not exist fails and creates no container", ctx =>
            {
                var id = ctx.NewId();
                var r = ctx.Rt("create", "--bundle", Path.Combine(ctx.WorkDir, "no-such-bundle"), id);
                That(!r.Ok, "create succeeded");
                That(!ctx.Rt("state", id).Ok, "a container exists after the failed create");
                return Pass();
            });
        yield return new("create.invalid-config", Doc, "Create", Level.MUST,
            "create with an unparsable config.json fails and creates no container", ctx =>
            {
                var b = ctx.NewBundle("true");
                b.Save();
                File.WriteAllText(b.ConfigPath, "{ \"ociVersion\": \"1.0.2\", \"process\": ");
                var id = ctx.NewId();
                var r = ctx.Rt("create", "--bundle", b.Dir, id);
                That(!r.Ok, "create succeeded");
                That(!ctx.Rt("state", id).Ok, "a container exists after the failed create");
                return Pass();
            });
        yield return new("create.error-leaves-nothing", Doc, "Errors", Level.MUST,
            "a create that fails (missing rootfs) leaves no container behind and the id can be reused", ctx =>
            {
                var b = ctx.NewBundle("echo reused");
                Bundle.Obj(b.Config, "root")["path"] = "does-not-exist";
                var id = ctx.NewId();
                var r = ctx.TryCreate(b, id);
                That(!r.Ok, "create with a missing root.path succeeded");
                That(!ctx.Rt("state", id).Ok, "state succeeds for the id of the failed create");
                Bundle.Obj(b.Config, "root")["path"] = "rootfs";
                var r2 = ctx.TryCreate(b, id);
                That(r2.Ok, "create with the same id after the failure failed: " + r2.Brief);
                return Pass();
            });
        yield return new("create.invalid-id", Doc, "Create", Level.SHOULD,
            "create rejects an ID that is not valid (contains '/' or '..')", ctx =>
            {
                var b = ctx.NewBundle("true");
                b.Save();
                var r = ctx.Rt("create", "--bundle", b.Dir, "../escape-" + Guid.NewGuid().ToString("N")[..6]);
                That(!r.Ok, "create with id '../escape-…' succeeded");
                return Pass();
            });
        yield return new("create.config-change-ignored", Doc, "Create", Level.MUST,
            "changes to config.json after create do not affect the container", ctx =>
            {
                var b = ctx.NewBundle("echo original-args");
                var c = ctx.Create(b);
                b.Sh("echo changed-args");
                b.Save();
                c.Start();
                c.WaitStopped();
                That(c.Stdout.Contains("original-args", StringComparison.Ordinal), $"container ran: {Show(c.Stdout)}");
                return Pass();
            });
        yield return new("create.pid-file", Doc, "Create", Level.SHOULD,
            "(runc CLI) create --pid-file writes the container process pid, matching state", ctx =>
            {
                var b = ctx.NewBundle("true");
                var id = ctx.NewId();
                var pidFile = Path.Combine(ctx.WorkDir, "pidfile");
                var r = ctx.TryCreate(b, id, null, "--pid-file", pidFile);
                That(r.Ok, "create --pid-file failed: " + r.Brief);
                var c = new Container(ctx, id, b);
                Equal(c.Pid.ToString(), Host.Read(pidFile).Trim(), "pid file content");
                return Pass();
            });
    }
}
