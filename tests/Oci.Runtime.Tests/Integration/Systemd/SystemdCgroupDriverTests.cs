using System.Text.Json.Nodes;
using Oci.Runtime.Cgroups;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Systemd;

/// <summary>
/// <c>oci-run --systemd-cgroup</c> against a real systemd: the host has none as PID 1, so the test boots one as PID 1
/// of a container (<see cref="SystemdContainer"/>) and runs oci-run inside it (the host's binary and a busybox
/// bundle bound in, driven through <c>oci-run exec</c>), where it reaches that systemd on the container's system bus.
/// The outer container has every capability but CAP_SYS_BOOT, no seccomp, its own mount and cgroup namespaces
/// and its cgroup hierarchies read-write: enough to run containers itself.
/// </summary>
public class SystemdCgroupDriverTests
{
    sealed class SystemdFactAttribute : FactAttribute
    {
        public SystemdFactAttribute()
        {
            if (SystemdContainer.Missing() is { } reason) Skip = reason;
            // On a unified host the systemd in the container runs in unified mode, where the properties are
            // MemoryMax and CPUWeight and the files memory.max and cpu.max; this test checks the hybrid/v1 ones.
            else if (CgroupMounts.Read().Layout == CgroupLayout.Unified)
                Skip = "the host's cgroups are unified: this test checks the systemd driver's v1 properties and files (a hybrid host)";
        }
    }

    const string Slice = "oci.slice", Unit = "oci-test-inner.scope";

    [ContainerFact]
    public void ACgroupsPathThatIsNotSlicePrefixNameIsRefusedNamingTheField()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("true");
        spec.Linux!.CgroupsPath = "/not/a/slice";
        string id = h.NewId();
        var result = h.RunWithGlobal(["--systemd-cgroup"], ["run", "--bundle", h.WriteBundle(spec), id]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("linux.cgroupsPath: expected cgroupsPath to be of format", result.Stderr);
        Assert.Contains("slice:prefix:name", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.Empty(h.LeftoverState());
    }

    [ContainerFact]
    public void ASystemdThatCannotBeReachedIsAClearErrorLeavingNothing()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("true");
        spec.Linux!.CgroupsPath = "oci.slice:oci-test:unreachable";
        string id = h.NewId();
        string bus = "unix:path=" + Path.Combine(h.Root, "no-bus");
        var result = h.RunThrough(["env", "DBUS_SYSTEM_BUS_ADDRESS=" + bus], ["--systemd-cgroup"], ["run", "--bundle", h.WriteBundle(spec), id]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"--systemd-cgroup: cannot reach systemd through the D-Bus system bus {bus}", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.Empty(h.LeftoverState());
        foreach (var hierarchy in CgroupMounts.Read().Hierarchies)
            Assert.False(Directory.Exists(Path.Combine(hierarchy.MountPoint, Slice, Unit.Replace("inner", "unreachable"))));
    }

    [SystemdFact]
    public void ScopeIsCreatedUpdatedPausedResumedAndDeletedThroughSystemd()
    {
        using var h = new OciRunHarness();
        string outer = h.NewId("systemd");
        string rootfs = SystemdContainer.MakeRootfs(h.Root);
        // The inner bundle lives in the outer rootfs; the busybox rootfs and oci-run are bound in read-only.
        File.WriteAllText(Path.Combine(rootfs, "oci-run"), "");
        Directory.CreateDirectory(Path.Combine(rootfs, "busybox"));
        string innerBundle = Path.Combine(rootfs, "bundle");
        Directory.CreateDirectory(innerBundle);
        var inner = OciRunHarness.NewSpec("sleep", "1000");
        inner.Root!.Path = "/busybox";
        inner.Root.Readonly = true;
        inner.Linux!.CgroupsPath = "oci.slice:oci-test:inner";
        inner.Linux.Resources = new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 64 << 20 },
            Cpu = new LinuxCPU { Shares = 512, Quota = 20000, Period = 100000 },
            Pids = new LinuxPids { Limit = 50 },
        };
        File.WriteAllBytes(Path.Combine(innerBundle, "config.json"), SpecLoader.Serialize(inner));
        var config = SystemdContainer.Config(rootfs, "/" + outer,
            SystemdContainer.Mount("/oci-run", "bind", TestPaths.OciRunBinary, "bind", "ro"),
            SystemdContainer.Mount("/busybox", "bind", BusyboxRootfs.Path, "rbind", "ro"));
        string bundle = h.WriteBundle(System.Text.Encoding.UTF8.GetBytes(config.ToJsonString()));

        using var run = h.Start("run", "--bundle", bundle, outer);
        var output = new System.Text.StringBuilder();
        run.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        run.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        try
        {
            Assert.True(OciRunHarness.Eventually(() => h.Run("state", outer).ExitCode == 0), $"the container never appeared: {output}");
            var boot = SystemdContainer.WaitForBoot(h, outer);
            Assert.True(boot.Stdout.Trim() is "running" or "degraded", $"systemd did not boot: {boot}\n{output}");

            CommandResult Inner(params string[] args)
            {
                var result = h.Run(["exec", outer, "/oci-run", "--systemd-cgroup", .. args]);
                Assert.True(result.ExitCode == 0, $"oci-run {string.Join(' ', args)}: {result}");
                return result;
            }
            Dictionary<string, string> Show() => h.Run("exec", outer, "systemctl", "show", Unit,
                    "-p", "LoadState", "-p", "ActiveState", "-p", "Slice", "-p", "Delegate", "-p", "MemoryLimit", "-p", "CPUQuotaPerSecUSec",
                    "-p", "CPUShares", "-p", "TasksMax")
                .Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            // The scope's cgroup seen from the host: below the outer container's, where its systemd put the slice.
            string File(string controller, string file) =>
                System.IO.File.ReadAllText(Path.Combine("/sys/fs/cgroup", controller, outer, Slice, Unit, file)).Trim();

            Inner("create", "--bundle", "/bundle", "inner");
            Inner("start", "inner");
            var unit = Show();
            Assert.Equal("active", unit["ActiveState"]);
            Assert.Equal(Slice, unit["Slice"]);
            Assert.Equal("yes", unit["Delegate"]);
            Assert.Equal("67108864", unit["MemoryLimit"]);
            Assert.Equal("200ms", unit["CPUQuotaPerSecUSec"]);
            Assert.Equal("512", unit["CPUShares"]);
            Assert.Equal("50", unit["TasksMax"]);
            Assert.Equal("67108864", File("memory", "memory.limit_in_bytes"));
            Assert.Equal("20000", File("cpu", "cpu.cfs_quota_us"));
            Assert.Equal("512", File("cpu", "cpu.shares"));
            Assert.Equal("50", File("pids", "pids.max"));
            // The container's processes are the scope's.
            string pid = h.Run("exec", outer, "/oci-run", "state", "inner").Stdout.Split("\"pid\":")[1].Split(',')[0].Trim();
            // (pids of the outer container's PID namespace, where the inner oci-run runs)
            Assert.Contains(pid, h.Run("exec", outer, "cat", $"/sys/fs/cgroup/pids/{Slice}/{Unit}/cgroup.procs").Stdout.Split('\n'));
            Assert.Contains(pid, Inner("ps", "--format", "json", "inner").Stdout);

            Inner("update", "--memory", "134217728", "--cpu-quota", "50000", "--pids-limit", "60", "inner");
            unit = Show();
            Assert.Equal("134217728", unit["MemoryLimit"]);
            Assert.Equal("500ms", unit["CPUQuotaPerSecUSec"]);
            Assert.Equal("60", unit["TasksMax"]);
            Assert.Equal("134217728", File("memory", "memory.limit_in_bytes"));
            Assert.Equal("50000", File("cpu", "cpu.cfs_quota_us"));
            Assert.Equal("60", File("pids", "pids.max"));

            Inner("pause", "inner");
            Assert.Equal("FROZEN", File("freezer", "freezer.state"));
            Assert.Contains("\"paused\"", Inner("state", "inner").Stdout);
            Inner("resume", "inner");
            Assert.Equal("THAWED", File("freezer", "freezer.state"));
            Assert.Contains("\"running\"", Inner("state", "inner").Stdout);

            Inner("kill", "--all", "inner", "KILL");
            Assert.True(OciRunHarness.Eventually(() => h.Run("exec", outer, "/oci-run", "state", "inner").Stdout.Contains("\"stopped\"")));
            Inner("delete", "inner");
            Assert.Equal("not-found", Show()["LoadState"]);
            foreach (var controller in new[] { "systemd", "memory", "cpu", "pids", "freezer", "unified" })
                Assert.False(Directory.Exists(Path.Combine("/sys/fs/cgroup", controller, outer, Slice, Unit)), $"{controller} cgroup of the scope is left");

            // A container whose systemd cannot be reached any more is still deleted: a warning, and its cgroups go.
            Inner("create", "--bundle", "/bundle", "inner");
            var orphan = h.Run("exec", outer, "env", "DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent", "/oci-run", "--systemd-cgroup",
                "delete", "--force", "inner");
            Assert.True(orphan.ExitCode == 0, orphan.ToString());
            Assert.Contains($"stopping systemd unit {Unit}", orphan.Stderr);
            foreach (var controller in new[] { "memory", "cpu", "pids", "freezer" })
                Assert.False(Directory.Exists(Path.Combine("/sys/fs/cgroup", controller, outer, Slice, Unit)), $"{controller} cgroup of the scope is left");
            // systemd itself lets the emptied scope go.
            Assert.True(OciRunHarness.Eventually(() => Show()["LoadState"] == "not-found"), "the emptied scope stays loaded");

            Assert.Equal(0, h.Run("kill", outer, "RTMIN+3").ExitCode);
            Assert.True(run.WaitForExit(120_000), $"systemd did not halt:\n{output}");
            run.WaitForExit();
            Assert.True(run.ExitCode == 0, $"run exited {run.ExitCode}:\n{output}");
        }
        finally
        {
            if (!run.HasExited)
            {
                h.Run("kill", outer, "KILL");
                run.WaitForExit(120_000);
            }
        }
        foreach (var hierarchy in CgroupMounts.Read().Hierarchies)
            Assert.False(Directory.Exists(Path.Combine(hierarchy.MountPoint, outer)), $"cgroup {hierarchy.MountPoint}/{outer} is left");
        Assert.DoesNotContain(System.IO.File.ReadAllLines("/proc/self/mountinfo"), line => line.Contains(rootfs));
    }
}
