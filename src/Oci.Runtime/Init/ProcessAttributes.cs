using System.Globalization;
using Oci.Runtime.Interop;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Init;

/// <summary>
/// The per-process settings of config.json that the container's process inherits across execve: one line in
/// <see cref="Apply"/> per field, each applied by a small method that names its field in any error. They run in the
/// container, still as root with every capability, before the user and capabilities change.
/// </summary>
internal static class ProcessAttributes
{
    public static void Apply(InitConfig config)
    {
        var process = config.Spec.Process!;
        var linux = config.Spec.Linux;
        if (process.OomScoreAdj is { } oomScoreAdj) OomScoreAdj(oomScoreAdj);
        if (linux?.Personality is { } personality) Personality(personality);
        if (process.IOPriority is { } ioPriority) IoPriority(ioPriority);
        if (process.Scheduler is { } scheduler) Scheduler(scheduler);
        if (linux?.MemoryPolicy is { } memoryPolicy) MemoryPolicy(memoryPolicy);
        // config.md: execCPUAffinity is not applicable to the container's init process.
        if (config.IsExec && process.ExecCpuAffinity?.Final is { Length: > 0 } final) Affinity("process.execCPUAffinity.final", final);
        if (!string.IsNullOrEmpty(process.ApparmorProfile)) SecurityModules.SetAppArmorProfile(process.ApparmorProfile);
        if (!string.IsNullOrEmpty(process.SelinuxLabel)) SecurityModules.SetSelinuxExecLabel(process.SelinuxLabel);
    }

    static void Attempt(string jsonPath, Action action)
    {
        try
        {
            action();
        }
        catch (SyscallException e)
        {
            throw new OciException($"{jsonPath}: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OciException($"{jsonPath}: {e.Message}", e);
        }
    }

    static void OomScoreAdj(int value) => Attempt("process.oomScoreAdj", () =>
        File.WriteAllText("/proc/self/oom_score_adj", value.ToString(CultureInfo.InvariantCulture)));

    /// <summary>personality(2) domains (linux/personality.h).</summary>
    internal static readonly IReadOnlyDictionary<string, ulong> Domains = new Dictionary<string, ulong>
    {
        ["LINUX"] = 0x0000, ["LINUX32"] = 0x0008,
    };

    static void Personality(LinuxPersonality personality) => Attempt("linux.personality", () =>
        Sys.Personality(Domains.TryGetValue(personality.Domain, out ulong domain) ? domain
            : throw new SpecValidationException("linux.personality.domain", $"unknown personality domain \"{personality.Domain}\"")));

    internal static readonly IReadOnlyDictionary<string, int> IoClasses = new Dictionary<string, int>
    {
        ["IOPRIO_CLASS_RT"] = 1, ["IOPRIO_CLASS_BE"] = 2, ["IOPRIO_CLASS_IDLE"] = 3,
    };

    static void IoPriority(LinuxIOPriority io) => Attempt("process.ioPriority", () =>
        Sys.IoprioSet(IoClasses.TryGetValue(io.Class, out int ioClass) ? ioClass
            : throw new SpecValidationException("process.ioPriority.class", $"unknown I/O priority class \"{io.Class}\""), io.Priority));

    internal static readonly IReadOnlyDictionary<string, uint> Policies = new Dictionary<string, uint>
    {
        ["SCHED_OTHER"] = 0, ["SCHED_FIFO"] = 1, ["SCHED_RR"] = 2, ["SCHED_BATCH"] = 3, ["SCHED_ISO"] = 4,
        ["SCHED_IDLE"] = 5, ["SCHED_DEADLINE"] = 6,
    };

    internal static readonly IReadOnlyDictionary<string, ulong> SchedulerFlags = new Dictionary<string, ulong>
    {
        ["SCHED_FLAG_RESET_ON_FORK"] = 0x01, ["SCHED_FLAG_RECLAIM"] = 0x02, ["SCHED_FLAG_DL_OVERRUN"] = 0x04,
        ["SCHED_FLAG_KEEP_POLICY"] = 0x08, ["SCHED_FLAG_KEEP_PARAMS"] = 0x10, ["SCHED_FLAG_UTIL_CLAMP_MIN"] = 0x20,
        ["SCHED_FLAG_UTIL_CLAMP_MAX"] = 0x40,
    };

    static void Scheduler(LinuxScheduler scheduler) => Attempt("process.scheduler", () =>
    {
        ulong flags = 0;
        foreach (var flag in scheduler.Flags ?? []) flags |= SchedulerFlags[flag];
        Sys.SchedSetattr(Policies[scheduler.Policy], flags, scheduler.Nice ?? 0, (uint)(scheduler.Priority ?? 0),
            scheduler.Runtime ?? 0, scheduler.Deadline ?? 0, scheduler.Period ?? 0);
    });

    internal static readonly IReadOnlyDictionary<string, int> MemoryPolicyModes = new Dictionary<string, int>
    {
        ["MPOL_DEFAULT"] = 0, ["MPOL_PREFERRED"] = 1, ["MPOL_BIND"] = 2, ["MPOL_INTERLEAVE"] = 3, ["MPOL_LOCAL"] = 4,
        ["MPOL_PREFERRED_MANY"] = 5, ["MPOL_WEIGHTED_INTERLEAVE"] = 6,
    };

    internal static readonly IReadOnlyDictionary<string, int> MemoryPolicyFlags = new Dictionary<string, int>
    {
        ["MPOL_F_NUMA_BALANCING"] = 1 << 13, ["MPOL_F_RELATIVE_NODES"] = 1 << 14, ["MPOL_F_STATIC_NODES"] = 1 << 15,
    };

    static void MemoryPolicy(LinuxMemoryPolicy policy) => Attempt("linux.memoryPolicy", () =>
    {
        int mode = MemoryPolicyModes[policy.Mode];
        foreach (var flag in policy.Flags ?? []) mode |= MemoryPolicyFlags[flag];
        SortedSet<int> nodes = [];
        if (!string.IsNullOrEmpty(policy.Nodes) && CpuList.TryParse(policy.Nodes, out nodes) is { } problem)
            throw new SpecValidationException("linux.memoryPolicy.nodes", problem);
        Sys.SetMempolicy(mode, nodes);
    });

    internal static void Affinity(string jsonPath, string list) => Attempt(jsonPath, () =>
    {
        if (CpuList.TryParse(list, out var cpus) is { } problem) throw new SpecValidationException(jsonPath, problem);
        Sys.SchedSetaffinity(0, cpus);
    });
}
