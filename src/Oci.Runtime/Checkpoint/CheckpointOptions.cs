namespace Oci.Runtime.Lifecycle;

/// <summary>How CRIU treats the container's cgroups (runc's <c>--manage-cgroups-mode</c>).</summary>
public enum CriuCgroupsMode
{
    /// <summary>CRIU's default (soft, unless its configuration says otherwise).</summary>
    Default,
    /// <summary>Restore the cgroups' properties only where the cgroups are new.</summary>
    Soft,
    /// <summary>Restore every property of every cgroup.</summary>
    Full,
    /// <summary>As full, and fail where a property cannot be restored.</summary>
    Strict,
    /// <summary>Leave cgroups alone: neither dump nor restore them.</summary>
    Ignore,
}

/// <summary>Options of <see cref="ContainerRuntime.Checkpoint"/> (runc's <c>checkpoint</c> flags).</summary>
public sealed class CheckpointOptions
{
    /// <summary>Directory for the checkpoint's images (made if missing; runc's default is <c>./checkpoint</c>).</summary>
    public required string ImagePath { get; init; }
    /// <summary>Directory for CRIU's work files and its log (default: the image directory).</summary>
    public string? WorkPath { get; init; }
    /// <summary>A previous pre-dump's image directory, relative to <see cref="ImagePath"/> or absolute: only the
    /// memory changed since is dumped.</summary>
    public string? ParentPath { get; init; }
    /// <summary>Leave the container running after the checkpoint; otherwise it is stopped and deleted.</summary>
    public bool LeaveRunning { get; init; }
    /// <summary>Checkpoint established TCP connections.</summary>
    public bool TcpEstablished { get; init; }
    /// <summary>Allow unix sockets connected to the outside.</summary>
    public bool ExternalUnixSockets { get; init; }
    /// <summary>The container is a shell job (its session or terminal is the caller's).</summary>
    public bool ShellJob { get; init; }
    /// <summary>Checkpoint file locks.</summary>
    public bool FileLocks { get; init; }
    /// <summary>Dump memory only (a pre-dump), leaving the container running, for a later dump with
    /// <see cref="ParentPath"/>.</summary>
    public bool PreDump { get; init; }
    /// <summary>How CRIU treats cgroups.</summary>
    public CriuCgroupsMode CgroupsMode { get; init; }
    /// <summary>Namespaces CRIU leaves empty (<c>network</c>), their content being the caller's to set up.</summary>
    public IReadOnlyList<string> EmptyNamespaces { get; init; } = [];
    /// <summary>Deduplicate memory pages against the parent images as they are dumped.</summary>
    public bool AutoDedup { get; init; }
    /// <summary><c>ADDRESS:PORT</c> (runc's <c>--page-server</c>): the memory pages go to the <c>criu page-server</c>
    /// listening there instead of the image directory; with <see cref="LazyPages"/>, the port on which the
    /// checkpoint serves them (on every address) to <c>criu lazy-pages</c>. Null for none.</summary>
    public string? PageServer { get; init; }
    /// <summary>Lazy migration: the processes are dumped without their memory and stay frozen while the checkpoint
    /// serves the pages on <see cref="PageServer"/>'s port (required) to a <c>criu lazy-pages</c> daemon, which
    /// hands them to a restore with <see cref="RestoreOptions.LazyPages"/> as it touches them. The checkpoint
    /// returns once every page went (and the container is then gone), or fails and leaves the container running.</summary>
    public bool LazyPages { get; init; }
    /// <summary>With <see cref="LazyPages"/>: a descriptor of the caller's, open for writing, written one zero byte
    /// and closed once the lazy page server is ready; -1 for none.</summary>
    public int StatusFd { get; init; } = -1;
}

/// <summary>Options of <see cref="ContainerRuntime.Restore"/> (runc's <c>restore</c> flags).</summary>
public sealed class RestoreOptions
{
    /// <summary>The checkpoint's image directory.</summary>
    public required string ImagePath { get; init; }
    /// <summary>Directory for CRIU's work files and its log (default: the image directory).</summary>
    public string? WorkPath { get; init; }
    /// <summary>The bundle whose config.json and rootfs the container is restored into (empty: the current
    /// directory).</summary>
    public string Bundle { get; init; } = "";
    /// <summary>Return once the container runs instead of waiting for it (and deleting it) as <c>run</c> does.</summary>
    public bool Detach { get; init; }
    /// <summary>File to write the restored init's pid to.</summary>
    public string? PidFile { get; init; }
    /// <summary>Unix socket that receives the master of the restored container's terminal.</summary>
    public string? ConsoleSocket { get; init; }
    /// <summary>Without <see cref="Detach"/>: do not make this process a child subreaper while it waits.</summary>
    public bool NoSubreaper { get; init; }
    /// <summary>Restore established TCP connections.</summary>
    public bool TcpEstablished { get; init; }
    /// <summary>Allow unix sockets connected to the outside.</summary>
    public bool ExternalUnixSockets { get; init; }
    /// <summary>The container is a shell job.</summary>
    public bool ShellJob { get; init; }
    /// <summary>Restore file locks.</summary>
    public bool FileLocks { get; init; }
    /// <summary>How CRIU treats cgroups.</summary>
    public CriuCgroupsMode CgroupsMode { get; init; }
    /// <summary>Take memory pages on demand from a <c>criu lazy-pages</c> daemon the caller started, which CRIU
    /// reaches through the socket <c>lazy-pages.socket</c> in the work directory (<see cref="WorkPath"/>, or the
    /// image directory): the daemon's own work directory must be the same.</summary>
    public bool LazyPages { get; init; }
    /// <summary>Namespaces CRIU leaves empty (<c>network</c>).</summary>
    public IReadOnlyList<string> EmptyNamespaces { get; init; } = [];
    /// <summary>Deduplicate memory pages of the images as they are restored.</summary>
    public bool AutoDedup { get; init; }
}
