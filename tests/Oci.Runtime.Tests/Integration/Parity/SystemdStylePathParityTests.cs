using System.Diagnostics;
using Oci.Runtime.Cgroups;
using Oci.Runtime.Tests.Integration.ContainerEnvironment;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Parity;

/// <summary>A kubelet-style <c>slice:prefix:name</c> cgroupsPath without <c>--systemd-cgroup</c>: runc's cgroupfs
/// driver takes it as a literal relative path (under the runtime's own cgroup in a v1 hierarchy, the parent of it on
/// a cgroup2 host, the root of a hybrid host's cgroup2 hierarchy), and so does oci-run.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class SystemdStylePathParityTests
{
    static CommandResult Runc(string root, params string[] args)
    {
        var start = new ProcessStartInfo("runc") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--root", root }.Concat(args)) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return new CommandResult(p.ExitCode, stdout.Result, stderr);
    }

    [RuncFact]
    public void A_slice_prefix_name_path_is_the_cgroup_runc_makes_and_is_removed_after()
    {
        using var h = new OciRunHarness();
        string name = "oci-run-test.slice:cri-parity:" + Guid.NewGuid().ToString("N")[..8];
        var spec = Env.Sh("cat /proc/self/cgroup");
        spec.Linux!.CgroupsPath = name;
        // The host's view of the container's cgroups, not a cgroup namespace's.
        spec.Linux.Namespaces!.RemoveAll(n => n.Type == "cgroup");
        string bundle = h.WriteBundle(spec);

        var ours = h.Run("run", "--bundle", bundle, h.NewId());
        Assert.True(ours.ExitCode == 0, ours.ToString());
        var theirs = Runc(Path.Combine(h.Root, "runc-state"), "run", "--bundle", bundle, h.NewId("runc"));
        Assert.True(theirs.ExitCode == 0, theirs.ToString());

        Assert.Equal(theirs.Stdout, ours.Stdout);
        var mounts = CgroupMounts.Read();
        foreach (var line in ours.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.EndsWith("/" + name, line);
            // Both removed what they made.
            var fields = line.Split(':', 3);
            var hierarchy = mounts.Hierarchies.Single(m => m.ProcKey == fields[1]);
            Assert.False(Directory.Exists(hierarchy.MountPoint + fields[2]), $"{hierarchy.MountPoint}{fields[2]} is left");
        }
    }

    /// <summary>Runs <paramref name="script"/> (with <c>$RUNC</c>, <c>$OCI_RUN</c>, <c>$BUNDLE</c> and
    /// <c>$ROOT</c> set) in a shell of its own and returns what it printed.</summary>
    static string Script(OciRunHarness h, string bundle, string script)
    {
        string file = Path.Combine(h.Root, "script-" + Guid.NewGuid().ToString("N")[..6] + ".sh");
        File.WriteAllText(file, $"export RUNC=runc OCI_RUN={TestPaths.OciRunBinary} BUNDLE={bundle} ROOT={h.Root}\n" + script);
        return Env.Shell($"sh {file}");
    }

    [HybridHostRuncFact]
    public void A_relative_path_from_a_nested_cgroup_is_where_runc_puts_it_on_hybrid_and_cgroup2_hosts()
    {
        using var h = new OciRunHarness();
        string tag = Guid.NewGuid().ToString("N")[..8];
        string name = $"kubepods-pod{tag}.slice:cri-containerd:{tag}";
        var spec = Env.Sh("grep -E '^(0|[0-9]+:pids):' /proc/self/cgroup");
        spec.Linux!.CgroupsPath = name;
        spec.Linux.Namespaces!.RemoveAll(n => n.Type == "cgroup");
        string bundle = h.WriteBundle(spec);
        // Both runtimes run from a cgroup two levels down (in the cgroup2 hierarchy and in pids), as a shim does.
        string outer = $"oci-run-nested-{tag}";
        // Both runtimes run from a cgroup two levels down in $V2 (and in $PIDS, where there is one), as a shim does.
        string both = $$"""
            mkdir -p "$V2/{{outer}}/inner" && echo $$ > "$V2/{{outer}}/inner/cgroup.procs"
            [ -z "$PIDS" ] || { mkdir -p "$PIDS/{{outer}}/inner" && echo $$ > "$PIDS/{{outer}}/inner/cgroup.procs"; }
            echo runc; $RUNC --root "$ROOT/runc-state" run --bundle "$BUNDLE" runc-{{tag}}
            echo oci-run; $OCI_RUN --root "$ROOT/state" run --bundle "$BUNDLE" oci-{{tag}}
            echo $$ > "$V2/cgroup.procs"; rmdir "$V2/{{outer}}/inner" "$V2/{{outer}}"
            [ -z "$PIDS" ] || { echo $$ > "$PIDS/cgroup.procs"; rmdir "$PIDS/{{outer}}/inner" "$PIDS/{{outer}}"; }
            """;
        string hybrid = Script(h, bundle, "V2=/sys/fs/cgroup/unified PIDS=/sys/fs/cgroup/pids\n" + both);
        // A cgroup2 host: the same cgroup2 hierarchy mounted alone on /sys/fs/cgroup, in a mount namespace.
        string cgroup2 = Script(h, bundle,
            "exec unshare -m sh -c 'umount -R /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec sh -s' <<'EOF'\n" +
            "V2=/sys/fs/cgroup PIDS=\n" + both + "\nEOF\n");
        foreach (var output in new[] { hybrid, cgroup2 })
        {
            var parts = output.Split("oci-run\n");
            Assert.True(parts.Length == 2, output);
            Assert.Equal(parts[0]["runc\n".Length..], parts[1]);
            Assert.Contains("/" + name, parts[1]);
        }
        // runc: on a hybrid host, from the cgroup2 root; on a cgroup2 host, from the parent of its own cgroup.
        Assert.Contains($"0::/{name}\n", hybrid);
        Assert.Contains($"0::/{outer}/{name}\n", cgroup2);
    }
}

/// <summary>A runc comparison that needs a hybrid cgroup host (it makes a cgroup2 host of one in a mount namespace).</summary>
public sealed class HybridHostRuncFactAttribute : FactAttribute
{
    public HybridHostRuncFactAttribute()
    {
        Skip = new RuncFactAttribute().Skip
               ?? (CgroupMounts.Read().Layout == CgroupLayout.Hybrid ? null : "needs a hybrid cgroup host (v1 controllers, cgroup2 at /sys/fs/cgroup/unified)");
    }
}
