using Oci.Runtime.Spec;

namespace Oci.Runtime.Executor;

/// <summary>What the plan of a container's set-up (or of an exec) is made from: the config and the facts about this
/// container that the runtime established.</summary>
internal sealed class SetupContext
{
    /// <summary>The container's id.</summary>
    public string ContainerId { get; set; } = "";
    /// <summary>The config; for exec, with the exec's process in place of the container's.</summary>
    public RuntimeSpec Spec { get; set; } = new();
    /// <summary>Absolute path of the bundle.</summary>
    public string Bundle { get; set; } = "";
    /// <summary>Absolute path of the root filesystem.</summary>
    public string Rootfs { get; set; } = "";
    /// <summary>True for <c>exec</c> (join a running container, no rootfs set-up), false for <c>create</c>.</summary>
    public bool IsExec { get; set; }
    /// <summary>Keep the caller's session keyring instead of joining the container's own (<c>--no-new-keyring</c>).</summary>
    public bool NoNewKeyring { get; set; }
    /// <summary>Use MS_MOVE and chroot instead of pivot_root (<c>--no-pivot</c>).</summary>
    public bool NoPivot { get; set; }
    /// <summary>Whether the container has its own mount namespace (else the rootfs is not set up).</summary>
    public bool NewMountNamespace { get; set; }
    /// <summary>Whether the process is in a user namespace other than the runtime's (devices are then bind-mounted,
    /// not made, and every capability is held there).</summary>
    public bool NewUserNamespace { get; set; }
    /// <summary>Whether the runtime works without privileges (rootless): what needs them on the host side (bind
    /// sources cloned there, id-mapped mounts) is done inside the container's user namespace or refused.</summary>
    public bool Rootless { get; set; }
    /// <summary>Whether the container has its own UTS namespace.</summary>
    public bool NewUtsNamespace { get; set; }
    /// <summary>Whether the container has its own cgroup namespace.</summary>
    public bool NewCgroupNamespace { get; set; }
    /// <summary>Whether the container makes its own network namespace (else sysfs is the host's, bound).</summary>
    public bool NewNetworkNamespace { get; set; }
    /// <summary>Whether the container makes its own IPC namespace (else mqueue is the host's, bound).</summary>
    public bool NewIpcNamespace { get; set; }
    /// <summary>The first descriptor that is not the caller's (3 + <c>--preserve-fds</c>); from it on everything
    /// is closed on exec.</summary>
    public int FirstRuntimeFd { get; set; } = 3;
    /// <summary>The caller's descriptors to give the process at other numbers (stdio, preserved ones): see
    /// <see cref="ExecutorProcess.Start"/>.</summary>
    public IReadOnlyList<(int From, int To)> Descriptors { get; set; } = [];
    /// <summary>The plan's slot of the runtime's own procfs (checked to be one), through which every /proc file is
    /// written: never the container's /proc, which the image or a mount could fake.</summary>
    public int ProcSlot { get; set; } = -1;
    /// <summary>The plan's slot of the console socket, or -1.</summary>
    public int ConsoleSocketSlot { get; set; } = -1;
    /// <summary>The container's cgroup directory in each host hierarchy, keyed by controllers ("" for cgroup2).</summary>
    public Dictionary<string, string> CgroupPaths { get; set; } = new();
    /// <summary>The host's cgroup hierarchies: controllers ("" for cgroup2) to mount point.</summary>
    public Dictionary<string, string> CgroupMountPoints { get; set; } = new();
    /// <summary>The compiled <c>linux.seccomp</c> filter, or null.</summary>
    public Seccomp.SeccompProgram? Seccomp { get; set; }
    /// <summary>The state given to hooks that run in the container (createContainer, startContainer).</summary>
    public ContainerStateDocument HookState { get; set; } = new();
    /// <summary>Whether setgroups(2) is denied in the process's user namespace.</summary>
    public bool SetgroupsDenied { get; set; }
    /// <summary>The capabilities the process holds before it drops to the config's (a capability outside them
    /// cannot be granted).</summary>
    public ulong HeldCapabilities { get; set; } = ulong.MaxValue;
}
