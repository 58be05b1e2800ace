
namespace Oci.Runtime.Spec;

/// <summary>The names runtime-spec v1.3 defines for Linux: the allowed values of the spec's string enums. The
/// validator checks against these sets and <c>features</c> reports them.</summary>
public static class SpecNames
{
    /// <summary>The runtime-spec version this model implements.</summary>
    public const string OciVersion = "1.3.0";

    /// <summary>Namespace types (config-linux.md "Namespaces").</summary>
    public static readonly IReadOnlySet<string> NamespaceTypes = Set(
        "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time");

    /// <summary>Clocks a time namespace can offset (config-linux.md "Offset for Time Namespace").</summary>
    public static readonly IReadOnlySet<string> TimeNamespaceClocks = Set("monotonic", "boottime");

    /// <summary>Device node types (config-linux.md "Devices").</summary>
    public static readonly IReadOnlySet<string> DeviceTypes = Set("c", "b", "u", "p");

    /// <summary>Device types of device cgroup rules: all, char, block.</summary>
    public static readonly IReadOnlySet<string> DeviceCgroupTypes = Set("a", "c", "b");

    /// <summary>Rootfs mount propagation values: runc's, with the recursive <c>r</c>-forms containerd sends for
    /// Kubernetes' <c>mountPropagation</c> (<c>rslave</c> for HostToContainer, <c>rshared</c> for Bidirectional).</summary>
    public static readonly IReadOnlySet<string> RootfsPropagations =
        Set("private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable");

    /// <summary>Hook names (config.md "POSIX-platform Hooks").</summary>
    public static readonly IReadOnlySet<string> Hooks = Set(
        "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop");

    /// <summary>Linux resource limits (getrlimit(2)), indexed by their resource number.</summary>
    public static readonly IReadOnlyList<string> RlimitsByNumber =
    [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC",
        "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ];

    /// <summary>Linux resource limits (getrlimit(2)).</summary>
    public static readonly IReadOnlySet<string> Rlimits = Set([.. RlimitsByNumber]);

    /// <summary>Linux capabilities known to this runtime (capabilities(7), up to CAP_CHECKPOINT_RESTORE), indexed
    /// by their number.</summary>
    public static readonly IReadOnlyList<string> CapabilitiesByNumber =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>Linux capabilities known to this runtime.</summary>
    public static readonly IReadOnlySet<string> Capabilities = Set([.. CapabilitiesByNumber]);

    /// <summary>I/O priority classes (ioprio_set(2)).</summary>
    public static readonly IReadOnlySet<string> IOPriorityClasses = Set("IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE");

    /// <summary>Scheduling policies (sched(7)).</summary>
    public static readonly IReadOnlySet<string> SchedulerPolicies = Set(
        "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE");

    /// <summary>Scheduling flags (sched_setattr(2)).</summary>
    public static readonly IReadOnlySet<string> SchedulerFlags = Set(
        "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY",
        "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX");

    /// <summary>Personality execution domains.</summary>
    public static readonly IReadOnlySet<string> PersonalityDomains = Set("LINUX", "LINUX32");

    /// <summary>Memory policy modes (set_mempolicy(2)).</summary>
    public static readonly IReadOnlySet<string> MemoryPolicyModes = Set(
        "MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED",
        "MPOL_PREFERRED_MANY", "MPOL_LOCAL");

    /// <summary>Memory policy mode flags.</summary>
    public static readonly IReadOnlySet<string> MemoryPolicyFlags = Set(
        "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES");

    /// <summary>Seccomp actions.</summary>
    public static readonly IReadOnlySet<string> SeccompActions = Set(
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
        "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY");

    /// <summary>Seccomp actions that return an errno, for which <c>errnoRet</c> is meaningful.</summary>
    public static readonly IReadOnlySet<string> SeccompErrnoActions = Set("SCMP_ACT_ERRNO", "SCMP_ACT_TRACE");

    /// <summary>Seccomp argument comparison operators.</summary>
    public static readonly IReadOnlySet<string> SeccompOperators = Set(
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");

    /// <summary>Seccomp architectures (libseccomp v2.6.0).</summary>
    public static readonly IReadOnlySet<string> SeccompArchitectures = Set(
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
        "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
        "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64");

    /// <summary>Seccomp filter flags (seccomp(2)).</summary>
    public static readonly IReadOnlySet<string> SeccompFlags = Set(
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");

    /// <summary>Container statuses of the state document: runtime.md's four, and <c>paused</c>, the additional
    /// state runc defines (runtime.md allows a runtime to add states).</summary>
    public static readonly IReadOnlySet<string> ContainerStatuses = Set("creating", "created", "running", "stopped", "paused");

    /// <summary>FreeBSD jail sharing modes (defs-freebsd.json <c>SharingMode</c>).</summary>
    public static readonly IReadOnlySet<string> FreeBsdSharingModes = Set("disable", "new", "inherit");

    /// <summary>FreeBSD jail sharing modes that cannot be disabled (defs-freebsd.json <c>SharingModeNoDisable</c>).</summary>
    public static readonly IReadOnlySet<string> FreeBsdSharingModesNoDisable = Set("new", "inherit");

    // Neither a FrozenSet nor a HashSet: every command is a short-lived process that looks a handful of names up, and
    // freezing or hashing ~20 sets cost more than all the look-ups they speed (see NameSet).
    private static IReadOnlySet<string> Set(params string[] names) => new NameSet(names);
}
