using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>The container process (config.md "Process").</summary>
public sealed class Process
{
    /// <summary>Whether a terminal is attached to the process.</summary>
    [JsonPropertyName("terminal")] public bool? Terminal { get; set; }
    /// <summary>The terminal's size in characters.</summary>
    [JsonPropertyName("consoleSize")] public Box? ConsoleSize { get; set; }
    /// <summary>The user the process runs as. Reading it when the document has no <c>user</c> creates the default
    /// user (uid 0, gid 0), which is then serialized.</summary>
    [JsonIgnore] public User User { get => _user ??= new(); set => _user = value; }
    /// <summary>The user as it appears in the document: null when <c>user</c> is absent (Windows configs, or
    /// configs that rely on the default), so that absent stays absent on a round-trip.</summary>
    [JsonInclude, JsonPropertyName("user")] internal User? UserOrNull { get => _user; set => _user = value; }
    private User? _user;
    /// <summary>The command and its arguments, as for execvp(3).</summary>
    [JsonPropertyName("args")] public List<string>? Args { get; set; }
    /// <summary>The full command line (Windows only).</summary>
    [JsonPropertyName("commandLine")] public string? CommandLine { get; set; }
    /// <summary>Environment variables, as <c>KEY=value</c>.</summary>
    [JsonPropertyName("env")] public List<string>? Env { get; set; }
    /// <summary>Absolute working directory inside the container.</summary>
    [JsonPropertyName("cwd"), JsonRequired] public string Cwd { get; set; } = "";
    /// <summary>The process's capability sets.</summary>
    [JsonPropertyName("capabilities")] public LinuxCapabilities? Capabilities { get; set; }
    /// <summary>Resource limits.</summary>
    [JsonPropertyName("rlimits")] public List<PosixRlimit>? Rlimits { get; set; }
    /// <summary>Sets no_new_privs for the process.</summary>
    [JsonPropertyName("noNewPrivileges")] public bool? NoNewPrivileges { get; set; }
    /// <summary>AppArmor profile of the process.</summary>
    [JsonPropertyName("apparmorProfile")] public string? ApparmorProfile { get; set; }
    /// <summary>The process's oom_score_adj.</summary>
    [JsonPropertyName("oomScoreAdj")] public int? OomScoreAdj { get; set; }
    /// <summary>SELinux label of the process.</summary>
    [JsonPropertyName("selinuxLabel")] public string? SelinuxLabel { get; set; }
    /// <summary>I/O priority of the process.</summary>
    [JsonPropertyName("ioPriority")] public LinuxIOPriority? IOPriority { get; set; }
    /// <summary>Scheduling policy and attributes.</summary>
    [JsonPropertyName("scheduler")] public LinuxScheduler? Scheduler { get; set; }
    /// <summary>CPU affinity of the process while the runtime sets it up and after exec.</summary>
    [JsonPropertyName("execCPUAffinity")] public CpuAffinity? ExecCpuAffinity { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A terminal size.</summary>
public sealed class Box
{
    /// <summary>Rows.</summary>
    [JsonPropertyName("height"), JsonRequired] public uint Height { get; set; }
    /// <summary>Columns.</summary>
    [JsonPropertyName("width"), JsonRequired] public uint Width { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>The user of a process (config.md "User", POSIX platforms).</summary>
public sealed class User
{
    /// <summary>User id in the container's user namespace.</summary>
    [JsonPropertyName("uid")] public uint Uid { get; set; }
    /// <summary>Group id in the container's user namespace.</summary>
    [JsonPropertyName("gid")] public uint Gid { get; set; }
    /// <summary>The file mode creation mask.</summary>
    [JsonPropertyName("umask")] public uint? Umask { get; set; }
    /// <summary>Supplementary group ids.</summary>
    [JsonPropertyName("additionalGids")] public List<uint>? AdditionalGids { get; set; }
    /// <summary>User name (Windows only).</summary>
    [JsonPropertyName("username")] public string? Username { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>The five capability sets of a process.</summary>
public sealed class LinuxCapabilities
{
    /// <summary>The bounding set.</summary>
    [JsonPropertyName("bounding")] public List<string>? Bounding { get; set; }
    /// <summary>The effective set.</summary>
    [JsonPropertyName("effective")] public List<string>? Effective { get; set; }
    /// <summary>The inheritable set.</summary>
    [JsonPropertyName("inheritable")] public List<string>? Inheritable { get; set; }
    /// <summary>The permitted set.</summary>
    [JsonPropertyName("permitted")] public List<string>? Permitted { get; set; }
    /// <summary>The ambient set.</summary>
    [JsonPropertyName("ambient")] public List<string>? Ambient { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A resource limit (setrlimit(2)).</summary>
public sealed class PosixRlimit
{
    /// <summary>The resource, such as <c>RLIMIT_NOFILE</c>.</summary>
    [JsonPropertyName("type"), JsonRequired] public string Type { get; set; } = "";
    /// <summary>The hard limit.</summary>
    [JsonPropertyName("hard"), JsonRequired] public ulong Hard { get; set; }
    /// <summary>The soft limit.</summary>
    [JsonPropertyName("soft"), JsonRequired] public ulong Soft { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>I/O priority (ioprio_set(2)).</summary>
public sealed class LinuxIOPriority
{
    /// <summary>IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE.</summary>
    [JsonPropertyName("class"), JsonRequired] public string Class { get; set; } = "";
    /// <summary>Priority level within the class.</summary>
    [JsonPropertyName("priority")] public int Priority { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>Scheduling policy (sched_setattr(2)).</summary>
public sealed class LinuxScheduler
{
    /// <summary>SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE or SCHED_DEADLINE.</summary>
    [JsonPropertyName("policy"), JsonRequired] public string Policy { get; set; } = "";
    /// <summary>Nice value for SCHED_OTHER and SCHED_BATCH.</summary>
    [JsonPropertyName("nice")] public int? Nice { get; set; }
    /// <summary>Static priority for SCHED_FIFO and SCHED_RR.</summary>
    [JsonPropertyName("priority")] public int? Priority { get; set; }
    /// <summary>SCHED_FLAG_* flags.</summary>
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    /// <summary>SCHED_DEADLINE runtime in nanoseconds.</summary>
    [JsonPropertyName("runtime")] public ulong? Runtime { get; set; }
    /// <summary>SCHED_DEADLINE deadline in nanoseconds.</summary>
    [JsonPropertyName("deadline")] public ulong? Deadline { get; set; }
    /// <summary>SCHED_DEADLINE period in nanoseconds.</summary>
    [JsonPropertyName("period")] public ulong? Period { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>CPU affinity of the process (config.md "execCPUAffinity").</summary>
public sealed class CpuAffinity
{
    /// <summary>CPU list while the runtime sets the process up.</summary>
    [JsonPropertyName("initial")] public string? Initial { get; set; }
    /// <summary>CPU list after the process's exec.</summary>
    [JsonPropertyName("final")] public string? Final { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}
