using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>runtime.md: Delete.</summary>
internal static class RuntimeDelete
{
    private const string Doc = "runtime.md";

    public static IEnumerable<Check> Checks()
    {
        yield return new("delete.stopped", Doc, "Delete", Level.MUST, "delete of a stopped container succeeds and the container is gone", ctx =>
        {
            var c = ctx.Create(ctx.NewBundle("true"));
            c.Start();
            c.WaitStopped();
            c.Delete();
            That(ctx.State(c.Id) is null, "state still succeeds");
            return Pass();
        });
        yield return new("delete.running", Doc, "Delete", Level.MUST,
            "delete (without force) of a running container fails and leaves it running", ctx =>
            {
                var c = StartSleeper(ctx);
                var r = c.TryDelete();
                That(!r.Ok, "delete of a running container succeeded");
                Equal("running", ctx.Status(c.Id), "status");
                That(Host.ProcessAlive(c.Pid), "container process died");
                return Pass();
            });
        yield return new("delete.created", Doc, "Delete", Level.MUST,
            "delete (without force) of a `created` container fails and leaves it created", ctx =>
            {
                var c = ctx.Create(ctx.NewBundle("true"));
                var r = c.TryDelete();
                That(!r.Ok, "delete of a `created` (not stopped) container succeeded without --force");
                Equal("created", ctx.Status(c.Id), "status");
                return Pass();
            }) { RuncDeviation = "runc's plain `delete` kills and removes a container in the `created` state" };
        yield return new("delete.force-running", Doc, "Delete", Level.SHOULD,
            "(runc CLI) delete --force kills and removes a running container", ctx =>
            {
                var c = StartSleeper(ctx);
                int pid = c.Pid;
                c.Delete(force: true);
                That(ctx.State(c.Id) is null, "state still succeeds");
                That(!Host.ProcessAlive(pid), "container process still alive");
                return Pass();
            });
        yield return new("delete.unknown-id", Doc, "Delete", Level.MUST, "delete of an unknown container ID fails", ctx =>
        {
            That(!ctx.Rt("delete", ctx.NewId()).Ok, "delete of an unknown id succeeded");
            return Pass();
        });
        yield return new("delete.no-id", Doc, "Delete", Level.MUST, "delete without a container ID fails", ctx =>
        {
            That(!ctx.Rt("delete").Ok, "delete without id succeeded");
            return Pass();
        });
        yield return new("delete.id-reusable", Doc, "Delete", Level.MAY, "after delete the ID can be used by a new container", ctx =>
        {
            var c = ctx.Create(ctx.NewBundle("true"));
            c.Start();
            c.WaitStopped();
            c.Delete();
            var r = ctx.TryCreate(ctx.NewBundle("true"), c.Id);
            That(r.Ok, "create with the reused id failed: " + r.Brief);
            return Pass();
        });
        yield return new("delete.cleanup.state", Doc, "Delete", Level.MUST,
            "delete removes the container's entry from the runtime's --root state directory", ctx =>
            {
                var c = ctx.Create(ctx.NewBundle("true"));
                bool before = Directory.EnumerateFileSystemEntries(ctx.Runtime.RootDir, "*", SearchOption.AllDirectories).Any(e => e.Contains(c.Id, StringComparison.Ordinal));
                c.Start();
                c.WaitStopped();
                c.Delete();
                var left = Directory.EnumerateFileSystemEntries(ctx.Runtime.RootDir, "*", SearchOption.AllDirectories)
                    .Where(e => e.Contains(c.Id, StringComparison.Ordinal)).ToList();
                That(left.Count == 0, "left in --root: " + string.Join(", ", left));
                return Pass(before ? "" : "runtime keeps no per-id entry in --root");
            });
        yield return new("delete.cleanup.process", Doc, "Delete", Level.MUST,
            "after delete --force of a running container no process of the container is left", ctx =>
            {
                var b = ctx.NewBundle();
                b.Sh("sleep 600 & sleep 600 & echo ready; wait");
                var c = ctx.Create(b);
                c.Start();
                WaitOutput(c, "ready");
                int pid = c.Pid;
                var children = Host.Read($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                That(children.Length >= 2, "probe did not start its children");
                c.Delete(force: true);
                var alive = children.Append(pid.ToString()).Where(p => Host.ProcessAlive(int.Parse(p))).ToList();
                That(alive.Count == 0, "still alive: " + string.Join(",", alive));
                return Pass();
            });
        yield return new("delete.cleanup.cgroup", Doc, "Delete", Level.MUST,
            "delete removes the cgroups the runtime created for the container", ctx =>
            {
                var b = ctx.NewBundle("true");
                var c = ctx.Create(b);
                var dirs = new List<string>();
                foreach (var ctl in new[] { "memory", "pids", "cpu", "devices", "freezer" })
                {
                    var loc = ctx.Host.CgroupOf(c.Pid, ctl);
                    var mine = ctx.Host.CgroupOf(Environment.ProcessId, ctl);
                    if (loc is not null && mine is not null && loc.Dir != mine.Dir && loc.Path.Contains(c.Id, StringComparison.Ordinal)) dirs.Add(loc.Dir);
                }
                if (dirs.Count == 0) throw Skip("the runtime created no per-container cgroup that names the container id (nothing to verify)");
                c.Start();
                c.WaitStopped();
                c.Delete();
                var left = dirs.Distinct().Where(Directory.Exists).ToList();
                That(left.Count == 0, "cgroup directories left: " + string.Join(", ", left));
                return Pass();
            });
        yield return new("delete.cleanup.mounts", Doc, "Delete", Level.MUST,
            "after delete no mount referencing the bundle remains on the host", ctx =>
            {
                var b = ctx.NewBundle("true");
                var src = ctx.NewDir("bindsrc");
                b.AddMount("/mnt/bind", "none", src, "bind");
                var c = ctx.Create(b);
                c.Start();
                c.WaitStopped();
                c.Delete();
                var left = Host.MountTable().Where(m => m.MountPoint.StartsWith(ctx.WorkDir, StringComparison.Ordinal)).Select(m => m.MountPoint).ToList();
                That(left.Count == 0, "host mounts left: " + string.Join(", ", left));
                return Pass();
            });
        yield return new("delete.keeps-foreign-resources", Doc, "Delete", Level.MUST,
            "delete does not remove resources it did not create (a joined network namespace, a bind-mounted host directory)", ctx =>
            {
                var holder = ctx.StartHelper("unshare", "--net", "sleep", "600");
                var nsPath = $"/proc/{holder.Id}/ns/net";
                Thread.Sleep(50);
                var before = Host.NsLink(holder.Id.ToString(), "net");
                var src = ctx.NewDir("keep");
                File.WriteAllText(Path.Combine(src, "file"), "data");
                var b = ctx.NewBundle("echo ran").SetNamespace("network", nsPath);
                b.AddMount("/mnt/keep", "none", src, "bind");
                var c = ctx.Create(b);
                c.Start();
                c.WaitStopped();
                c.Delete();
                That(!holder.HasExited, "namespace holder process was killed");
                Equal(before ?? "", Host.NsLink(holder.Id.ToString(), "net"), "holder's network namespace");
                Equal("data", Host.Read(Path.Combine(src, "file")), "bind-mounted host file");
                return Pass();
            });
    }
}
