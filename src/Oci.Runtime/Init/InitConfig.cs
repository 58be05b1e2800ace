using Oci.Runtime.Spec;

namespace Oci.Runtime.Init;

/// <summary>What the runtime tells the managed init once the bootstrap has put it into the container's
/// namespaces.</summary>
internal sealed class InitConfig
{
    /// <summary>The container's id.</summary>
    public string ContainerId { get; set; } = "";
    /// <summary>The config as JSON: config.json as the bundle holds it for create, the stored config for exec.</summary>
    /// <remarks>Sent as the document's own bytes and read by init with the spec's hand-written reader: building
    /// System.Text.Json's metadata for the spec's types cost more CPU than the rest of init's work.</remarks>
    public byte[] SpecJson { get; set; } = "{}"u8.ToArray();
    /// <summary>For exec: the process to run in place of the config's, as JSON; null for create.</summary>
    public byte[]? ProcessJson { get; set; }

    /// <summary>The config, with <see cref="ProcessJson"/> in place of its process; read on first use.</summary>
    public RuntimeSpec Spec
    {
        get
        {
            if (spec is not null) return spec;
            spec = SpecLoader.ParseUnvalidated(SpecJson);
            if (ProcessJson is not null) spec.Process = SpecLoader.ParseProcess(ProcessJson);
            return spec;
        }
    }

    RuntimeSpec? spec;

    /// <summary>Absolute path of the bundle.</summary>
    public string Bundle { get; set; } = "";
    /// <summary>Absolute path of the root filesystem.</summary>
    public string Rootfs { get; set; } = "";
    /// <summary>True for <c>exec</c> (join a running container, no rootfs set-up), false for <c>create</c>.</summary>
    public bool IsExec { get; set; }
    /// <summary>Use MS_MOVE and chroot instead of pivot_root (<c>--no-pivot</c>).</summary>
    public bool NoPivot { get; set; }
    /// <summary>Keep the caller's session keyring instead of joining the container's own (<c>--no-new-keyring</c>).</summary>
    public bool NoNewKeyring { get; set; }
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
