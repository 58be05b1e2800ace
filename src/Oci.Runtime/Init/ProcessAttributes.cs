using System.Globalization;
using Oci.Runtime.Interop;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Init;

/// <summary>The names config.json gives the per-process settings (personality domains, I/O classes, scheduler
/// policies and flags, memory policies) and their kernel values.</summary>
internal static class ProcessAttributes
{
    /// <summary>personality(2) domains (linux/personality.h).</summary>
    internal static readonly IReadOnlyDictionary<string, ulong> Domains = new Dictionary<string, ulong>
    {
        ["LINUX"] = 0x0000, ["LINUX32"] = 0x0008,
    };

    internal static readonly IReadOnlyDictionary<string, int> IoClasses = new Dictionary<string, int>
    {
        ["IOPRIO_CLASS_RT"] = 1, ["IOPRIO_CLASS_BE"] = 2, ["IOPRIO_CLASS_IDLE"] = 3,
    };

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

    internal static readonly IReadOnlyDictionary<string, int> MemoryPolicyModes = new Dictionary<string, int>
    {
        ["MPOL_DEFAULT"] = 0, ["MPOL_PREFERRED"] = 1, ["MPOL_BIND"] = 2, ["MPOL_INTERLEAVE"] = 3, ["MPOL_LOCAL"] = 4,
        ["MPOL_PREFERRED_MANY"] = 5, ["MPOL_WEIGHTED_INTERLEAVE"] = 6,
    };

    internal static readonly IReadOnlyDictionary<string, int> MemoryPolicyFlags = new Dictionary<string, int>
    {
        ["MPOL_F_NUMA_BALANCING"] = 1 << 13, ["MPOL_F_RELATIVE_NODES"] = 1 << 14, ["MPOL_F_STATIC_NODES"] = 1 << 15,
    };

}
