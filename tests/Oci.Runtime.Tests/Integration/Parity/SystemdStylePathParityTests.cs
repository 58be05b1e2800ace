using System.Diagnostics;
using Oci.Runtime.Cgroups;
using Oci.Runtime.Tests.Integration.ContainerEnvironment;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Parity;

/// <summary>A kubelet-style <c>slice:prefix:name</c> cgroupsPath without <c>--systemd-cgroup</c>: runc's cgroupfs
/// driver takes it as a literal relative path (under the runtime's own cgroup in each hierarchy), and so does
/// oci-run.</summary>
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

    [ContainerFact]
    public void A_slice_prefix_name_path_is_the_cgroup_runc_makes_and_is_removed_after()
    {
        if (!File.Exists("/usr/bin/runc") && !File.Exists("/usr/sbin/runc")) return;
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
}
