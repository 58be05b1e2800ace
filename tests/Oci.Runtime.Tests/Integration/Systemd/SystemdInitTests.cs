using Oci.Runtime.Cgroups;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Systemd;

/// <summary>systemd as a container's init: it boots, manages its cgroup, and halts on SIGRTMIN+3 with exit 0,
/// leaving no cgroup, mount or process.</summary>
public class SystemdInitTests
{
    sealed class SystemdFactAttribute : FactAttribute
    {
        public SystemdFactAttribute()
        {
            if (SystemdContainer.Missing() is { } reason) Skip = reason;
        }
    }

    [SystemdFact]
    public void SystemdBootsAndHaltsOnSigrtmin3WithExitZeroLeavingNothing()
    {
        using var h = new OciRunHarness();
        string id = h.NewId("systemd");
        string rootfs = SystemdContainer.MakeRootfs(h.Root);
        var config = SystemdContainer.Config(rootfs, "/" + id);
        string bundle = h.WriteBundle(System.Text.Encoding.UTF8.GetBytes(config.ToJsonString()));

        using var run = h.Start("run", "--bundle", bundle, id);
        // systemd writes its boot messages to its stdout: keep the pipes drained so that it never blocks on them.
        var output = new System.Text.StringBuilder();
        run.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        run.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        int initPid = 0;
        try
        {
            Assert.True(OciRunHarness.Eventually(() => h.Run("state", id).ExitCode == 0), $"the container never appeared: {output}");
            initPid = h.State(id).Pid ?? 0;

            var boot = SystemdContainer.WaitForBoot(h, id);
            string state = boot.Stdout.Trim();
            Assert.True(state is "running" or "degraded",
                $"systemd did not boot: {boot}\nfailed units: {h.Run("exec", id, "systemctl", "--failed", "--no-pager")}\n{output}");

            // systemd manages its cgroup: it moved itself into init.scope of the container's cgroup namespace, and
            // sees the environment's container= and its own tmpfs /run.
            Assert.Contains("0::/init.scope", h.Run("exec", id, "cat", "/proc/1/cgroup").Stdout);
            Assert.Contains($"0::/{id}/init.scope", File.ReadAllText($"/proc/{initPid}/cgroup"));
            // systemd 252 names the container managers it knows; any other container= value is "container-other".
            var virt = h.Run("exec", id, "systemd-detect-virt", "--container");
            Assert.True(virt.ExitCode == 0 && virt.Stdout.Trim() != "none", virt.ToString());
            var run0 = h.Run("exec", id, "findmnt", "-n", "-o", "FSTYPE,OPTIONS", "/run");
            Assert.StartsWith("tmpfs", run0.Stdout);
            Assert.Contains("rw", run0.Stdout);

            var kill = h.Run("kill", id, "RTMIN+3");
            Assert.True(kill.ExitCode == 0, kill.ToString());
            Assert.True(run.WaitForExit(120_000), $"systemd did not halt on SIGRTMIN+3:\n{output}");
            run.WaitForExit();
            Assert.True(run.ExitCode == 0, $"run exited {run.ExitCode}:\n{output}");
        }
        finally
        {
            if (!run.HasExited)
            {
                h.Run("kill", id, "KILL");
                run.WaitForExit(120_000);
            }
        }

        // Nothing left: no state, no cgroup in any hierarchy, no mount of the rootfs, no process.
        Assert.NotEqual(0, h.Run("state", id).ExitCode);
        foreach (var hierarchy in CgroupMounts.Read().Hierarchies)
            Assert.False(Directory.Exists(Path.Combine(hierarchy.MountPoint, id)), $"cgroup {hierarchy.MountPoint}/{id} is left");
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), line => line.Contains(rootfs));
        Assert.False(initPid > 0 && File.Exists($"/proc/{initPid}/cmdline") &&
                     File.ReadAllText($"/proc/{initPid}/cmdline").Contains("systemd"), "systemd is still running");
    }
}
