using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>The seccomp filter of the container (config-linux.md "Seccomp").</summary>
public sealed class LinuxSeccomp
{
    /// <summary>Action for system calls no rule matches, such as <c>SCMP_ACT_ERRNO</c>.</summary>
    [JsonPropertyName("defaultAction"), JsonRequired] public string DefaultAction { get; set; } = "";
    /// <summary>Errno returned by the default action when it returns one; EPERM when absent.</summary>
    [JsonPropertyName("defaultErrnoRet")] public uint? DefaultErrnoRet { get; set; }
    /// <summary>Architectures the filter applies to, such as <c>SCMP_ARCH_X86_64</c>.</summary>
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }
    /// <summary>Flags of seccomp(2) <c>SECCOMP_SET_MODE_FILTER</c>, such as <c>SECCOMP_FILTER_FLAG_LOG</c>.</summary>
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    /// <summary>Path of the UNIX socket the seccomp notify file descriptor is sent to.</summary>
    [JsonPropertyName("listenerPath")] public string? ListenerPath { get; set; }
    /// <summary>Opaque data sent with the notify file descriptor to the listener.</summary>
    [JsonPropertyName("listenerMetadata")] public string? ListenerMetadata { get; set; }
    /// <summary>Rules for individual system calls.</summary>
    [JsonPropertyName("syscalls")] public List<LinuxSyscall>? Syscalls { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A seccomp rule for one or more system calls (specs-go <c>LinuxSyscall</c>).</summary>
public sealed class LinuxSyscall
{
    /// <summary>Names of the system calls; at least one.</summary>
    [JsonPropertyName("names"), JsonRequired] public List<string> Names { get; set; } = [];
    /// <summary>Action taken when the rule matches, such as <c>SCMP_ACT_ALLOW</c>.</summary>
    [JsonPropertyName("action"), JsonRequired] public string Action { get; set; } = "";
    /// <summary>Errno returned by the action when it returns one; EPERM when absent.</summary>
    [JsonPropertyName("errnoRet")] public uint? ErrnoRet { get; set; }
    /// <summary>Conditions on the system call's arguments; all must hold.</summary>
    [JsonPropertyName("args")] public List<LinuxSeccompArg>? Args { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A condition on one system call argument (specs-go <c>LinuxSeccompArg</c>).</summary>
public sealed class LinuxSeccompArg
{
    /// <summary>Index of the argument, 0 to 5.</summary>
    [JsonPropertyName("index"), JsonRequired] public uint Index { get; set; }
    /// <summary>Value compared with the argument.</summary>
    [JsonPropertyName("value"), JsonRequired] public ulong Value { get; set; }
    /// <summary>Second value, for <c>SCMP_CMP_MASKED_EQ</c> the value compared after masking with <see cref="Value"/>.</summary>
    [JsonPropertyName("valueTwo")] public ulong? ValueTwo { get; set; }
    /// <summary>Comparison operator, such as <c>SCMP_CMP_EQ</c>.</summary>
    [JsonPropertyName("op"), JsonRequired] public string Op { get; set; } = "";
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}
