using System.Text.Json;
using System.Text.Json.Serialization;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Init;

/// <summary>What the runtime tells the managed init once the bootstrap has put it into the container's
/// namespaces.</summary>
internal sealed class InitConfig
{
    /// <summary>The container's id.</summary>
    public string ContainerId { get; set; } = "";
    /// <summary>The validated config.</summary>
    /// <remarks>On the wire as <see cref="SpecJson"/>, written with the options that loaded config.json: the runtime
    /// then builds System.Text.Json's metadata for the spec's types once per process, not once per context.</remarks>
    [JsonIgnore]
    public RuntimeSpec Spec
    {
        get => spec ??= specJson.ValueKind == JsonValueKind.Object
            ? specJson.Deserialize(SpecJsonContext.Relaxed.RuntimeSpec) ?? new()
            : new();
        set
        {
            spec = value;
            specJson = default;
        }
    }

    /// <summary><see cref="Spec"/> as JSON.</summary>
    [JsonPropertyName("Spec")]
    public JsonElement SpecJson
    {
        get => specJson.ValueKind != JsonValueKind.Undefined
            ? specJson
            : JsonSerializer.SerializeToElement(Spec, SpecJsonContext.Relaxed.RuntimeSpec);
        set
        {
            specJson = value;
            spec = null;
        }
    }

    RuntimeSpec? spec;
    JsonElement specJson;

    /// <summary>Absolute path of the bundle.</summary>
    public string Bundle { get; set; } = "";
    /// <summary>Absolute path of the root filesystem.</summary>
    public string Rootfs { get; set; } = "";
    /// <summary>True for <c>exec</c> (join a running container, no rootfs set-up), false for <c>create</c>.</summary>
    public bool IsExec { get; set; }
    /// <summary>Use MS_MOVE and chroot instead of pivot_root (<c>--no-pivot</c>).</summary>
    public bool NoPivot { get; set; }
    /// <summary>Whether the container has its own mount namespace (else the rootfs is not set up).</summary>
    public bool NewMountNamespace { get; set; }
    /// <summary>Whether the container has its own user namespace (devices are then bind-mounted, not made).</summary>
    public bool NewUserNamespace { get; set; }
    /// <summary>Whether the container has its own UTS namespace.</summary>
    public bool NewUtsNamespace { get; set; }
    /// <summary>Whether the container has its own cgroup namespace.</summary>
    public bool NewCgroupNamespace { get; set; }
    /// <summary>The first descriptor that is not the caller's (3 + <c>--preserve-fds</c>); from it on everything
    /// is closed on exec.</summary>
    public int FirstRuntimeFd { get; set; } = 3;
    /// <summary>Descriptor of the exec fifo opened O_PATH, or -1.</summary>
    public int ExecFifoFd { get; set; } = -1;
    /// <summary>Descriptor of the console socket, or -1.</summary>
    public int ConsoleSocketFd { get; set; } = -1;
    /// <summary>The container's cgroup directory in each host hierarchy, keyed by controllers ("" for cgroup2).</summary>
    public Dictionary<string, string> CgroupPaths { get; set; } = new();
    /// <summary>The host's cgroup hierarchies: controllers ("" for cgroup2) to mount point.</summary>
    public Dictionary<string, string> CgroupMountPoints { get; set; } = new();
    /// <summary>The compiled <c>linux.seccomp</c> filter, or null.</summary>
    public Seccomp.SeccompProgram? Seccomp { get; set; }
    /// <summary>The state given to hooks that run in the container (createContainer, startContainer).</summary>
    public ContainerStateDocument HookState { get; set; } = new();
}

/// <summary>A message between the managed init and the runtime.</summary>
internal sealed class InitMessage
{
    /// <summary>Kinds of message.</summary>
    public const string Hooks = "hooks", Resume = "resume", Ready = "ready", Error = "error", Warning = "warning";

    /// <summary>One of the kinds above.</summary>
    public string Type { get; set; } = "";
    /// <summary>The error's text.</summary>
    public string? Message { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InitConfig))]
[JsonSerializable(typeof(InitMessage))]
internal partial class InitJsonContext : JsonSerializerContext
{
}
