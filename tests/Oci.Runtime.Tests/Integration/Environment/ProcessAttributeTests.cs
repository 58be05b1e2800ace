using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Integration.ContainerEnvironment;

/// <summary>The per-process fields: noNewPrivileges, oomScoreAdj, ioPriority, scheduler, execCPUAffinity,
/// linux.personality and linux.memoryPolicy.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class ProcessAttributeTests
{
    [ContainerTheory]
    [InlineData(true, "1")]
    [InlineData(false, "0")]
    public void NoNewPrivileges(bool value, string expected)
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("grep ^NoNewPrivs /proc/self/status");
        spec.Process!.NoNewPrivileges = value;
        Assert.Matches($@"^NoNewPrivs:\s+{expected}\n$", Env.Output(h, spec));
    }

    [ContainerFact]
    public void OomScoreAdj()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("cat /proc/self/oom_score_adj");
        spec.Process!.OomScoreAdj = 432;
        Assert.Equal("432\n", Env.Output(h, spec));
        spec.Process.OomScoreAdj = 1001;
        Env.Fails(h, spec, "process.oomScoreAdj");
    }

    [ContainerTheory]
    [InlineData("IOPRIO_CLASS_BE", 5, "best-effort: prio 5")]
    [InlineData("IOPRIO_CLASS_RT", 2, "realtime: prio 2")]
    [InlineData("IOPRIO_CLASS_IDLE", 0, "idle")]
    public void IoPriority(string ioClass, int priority, string expected)
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("ionice");
        spec.Process!.IOPriority = new LinuxIOPriority { Class = ioClass, Priority = priority };
        Assert.StartsWith(expected, Env.Output(h, spec));
    }

    [ContainerFact]
    public void InvalidIoPriorityFailsNamingIt()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Process!.IOPriority = new LinuxIOPriority { Class = "IOPRIO_CLASS_BE", Priority = 8 };
        Env.Fails(h, spec, "process.ioPriority.priority");
    }

    /// <summary>The shell reads its own /proc/self/stat with a builtin, so that no fork resets anything.</summary>
    static (int Nice, int RtPriority, int Policy) Scheduling(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields after the command name start at field 3: nice is field 19, rt_priority 40, policy 41.
        return (int.Parse(fields[19 - 3]), int.Parse(fields[40 - 3]), int.Parse(fields[41 - 3]));
    }

    [ContainerTheory]
    [InlineData("SCHED_BATCH", 7, 0, 3)]
    [InlineData("SCHED_OTHER", -5, 0, 0)]
    [InlineData("SCHED_IDLE", 0, 0, 5)]
    public void Scheduler(string policy, int nice, int priority, int policyNumber)
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("read -r stat < /proc/self/stat; echo \"$stat\"");
        spec.Process!.Scheduler = new LinuxScheduler { Policy = policy, Nice = nice, Priority = priority == 0 ? null : priority };
        var (seenNice, seenPriority, seenPolicy) = Scheduling(Env.Output(h, spec).Trim());
        Assert.Equal(policyNumber, seenPolicy);
        Assert.Equal(priority, seenPriority);
        if (policyNumber is 0 or 3) Assert.Equal(nice, seenNice);
    }

    [ContainerFact]
    public void ARealtimePolicyTheContainersCgroupDoesNotAllowFailsNamingTheField()
    {
        // Real-time policies need a real-time budget in the container's cpu cgroup (resources.cpu.realtimeRuntime
        // on a v1 host with RT group scheduling); without one the kernel refuses, and so does create.
        if (!File.Exists("/sys/fs/cgroup/cpu/cpu.rt_runtime_us")) return;
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Process!.Scheduler = new LinuxScheduler { Policy = "SCHED_FIFO", Priority = 10 };
        Env.Fails(h, spec, "process.scheduler", "sched_setattr");
    }

    [ContainerFact]
    public void SchedulerFieldsThatDoNotFitThePolicyFailNamingThem()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Process!.Scheduler = new LinuxScheduler { Policy = "SCHED_OTHER", Priority = 5 };
        Env.Fails(h, spec, "process.scheduler.priority");
        spec.Process.Scheduler = new LinuxScheduler { Policy = "SCHED_WARP" };
        Env.Fails(h, spec, "process.scheduler.policy");
    }

    [ContainerTheory]
    [InlineData("LINUX32", "i686")]
    [InlineData("LINUX", "x86_64")]
    public void Personality(string domain, string machine)
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("uname -m");
        spec.Linux!.Personality = new LinuxPersonality { Domain = domain };
        Assert.Equal(machine + "\n", Env.Output(h, spec));
        spec.Linux.Personality = new LinuxPersonality { Domain = "LINUX16" };
        Env.Fails(h, spec, "linux.personality.domain");
    }

    [ContainerFact]
    public void ExecCpuAffinityDoesNotApplyToInitAndIsChecked()
    {
        using var h = new OciRunHarness();
        string hostCpus = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        var spec = Env.Sh("grep ^Cpus_allowed_list: /proc/self/status");
        // config.md: "This setting is not applicable to the container's init process."
        spec.Process!.ExecCpuAffinity = new CpuAffinity { Initial = "0", Final = "0" };
        Assert.Equal(hostCpus + "\n", Env.Output(h, spec));
        spec.Process.ExecCpuAffinity = new CpuAffinity { Final = "3-1" };
        Env.Fails(h, spec, "process.execCPUAffinity.final");
        spec.Process.ExecCpuAffinity = new CpuAffinity { Initial = "zero" };
        Env.Fails(h, spec, "process.execCPUAffinity.initial");
    }

    [ContainerFact]
    public void ExecCpuAffinityFinalIsTheAffinityOfAnExecdProcess()
    {
        var cpus = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))
            .Split('\t')[1].Trim();
        if (!cpus.Contains('-') && !cpus.Contains(',')) return; // one CPU: no affinity change to see
        string last = cpus.Split(',', '-')[^1];
        using var h = new OciRunHarness();
        var spec = Env.Sh("sleep 1000");
        // In a cpuset of its own (of every CPU): config.md's "final" is the affinity after the process joined the
        // container's cgroups, at its execve.
        spec.Linux!.Resources = new LinuxResources { Cpu = new LinuxCPU { Cpus = cpus } };
        string id = Env.Create(h, spec);
        Assert.Equal(0, h.Run("start", id).ExitCode);
        var process = OciRunHarness.NewSpec("grep", "^Cpus_allowed_list:", "/proc/self/status").Process!;
        process.ExecCpuAffinity = new CpuAffinity { Initial = cpus.Split(',', '-')[0], Final = last };
        string file = Path.Combine(h.Root, "exec-process.json");
        File.WriteAllBytes(file, SpecLoader.SerializeProcess(process));
        var result = h.Run("exec", "--process", file, id);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"Cpus_allowed_list:\t{last}", result.Stdout.Trim());
    }

    [ContainerTheory]
    [InlineData("MPOL_BIND", "0", null, "bind:0")]
    [InlineData("MPOL_INTERLEAVE", "0", null, "interleave:0")]
    [InlineData("MPOL_PREFERRED", "0", "MPOL_F_STATIC_NODES", "prefer=static:0")]
    [InlineData("MPOL_LOCAL", null, null, "local")]
    public void MemoryPolicy(string mode, string? nodes, string? flag, string expected)
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("head -n 1 /proc/self/numa_maps");
        spec.Linux!.MemoryPolicy = new LinuxMemoryPolicy { Mode = mode, Nodes = nodes, Flags = flag is null ? null : [flag] };
        Assert.Contains($" {expected} ", Env.Output(h, spec));
    }

    [ContainerFact]
    public void AMemoryPolicyOnAMissingNodeFailsNamingIt()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Linux!.MemoryPolicy = new LinuxMemoryPolicy { Mode = "MPOL_BIND", Nodes = "63" };
        Env.Fails(h, spec, "linux.memoryPolicy.nodes");
    }

    [ContainerFact]
    public void UserGroupsAndUmask()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("id -u; id -g; id -G; umask; echo $HOME");
        spec.Process!.User = new User { Uid = 1000, Gid = 1000, AdditionalGids = [5, 65534], Umask = 0x17 /* 027 */ };
        Assert.Equal("1000\n1000\n1000 5 65534\n0027\n/home/user\n", Env.Output(h, spec));
    }

    [ContainerFact]
    public void TimeOffsets()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("cut -d. -f1 /proc/uptime");
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "time" });
        spec.Linux.TimeOffsets = new Dictionary<string, LinuxTimeOffset> { ["boottime"] = new() { Secs = 50_000_000 } };
        Assert.True(long.Parse(Env.Output(h, spec).Trim()) >= 50_000_000);
        spec.Linux.Namespaces.RemoveAll(n => n.Type == "time");
        Env.Fails(h, spec, "linux.timeOffsets");
    }
}
