namespace Oci.Runtime.Lifecycle;

/// <summary>Settings of a <see cref="ContainerRuntime"/>.</summary>
public sealed class RuntimeOptions
{
    /// <summary>Directory for container state (runc's <c>--root</c>); by default <see cref="DefaultRoot"/>.</summary>
    public string Root { get; init; } = DefaultRoot;

    /// <summary>runc's default state directory: <c>/run/oci-run</c>, or for a caller that is not root and has
    /// <c>$XDG_RUNTIME_DIR</c>, <c>$XDG_RUNTIME_DIR/oci-run</c> (where an unprivileged user may write).</summary>
    public static string DefaultRoot =>
        Interop.Sys.GetEuid() != 0 && Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtimeDir
            ? Path.Combine(runtimeDir, "oci-run")
            : "/run/oci-run";

    /// <summary>Rootless operation (runc's <c>--rootless</c>): true, false, or null to decide by the caller's
    /// effective uid (not 0: rootless). A rootless container needs a user namespace; it gets a cgroup only where
    /// one is delegated to the caller (else it stays in the caller's, with a warning, and <c>linux.resources</c>
    /// is not applied); bind sources are opened inside its user namespace; id maps other than the caller's own
    /// ids are written with newuidmap and newgidmap, within what /etc/subuid and /etc/subgid allow.</summary>
    public bool? Rootless { get; init; }

    /// <summary>Whether this runtime works rootless (<see cref="Rootless"/>, or the caller is not root).</summary>
    internal bool IsRootless => Rootless ?? Interop.Sys.GetEuid() != 0;

    /// <summary>Make and join no cgroup at all (crun's <c>--cgroup-manager=disabled</c>): the container stays in
    /// the caller's cgroups, <c>linux.resources</c> is not applied, and <c>kill --all</c> reaches init only.</summary>
    public bool CgroupsDisabled { get; init; }

    /// <summary>The CRIU program for checkpoint and restore (runc's <c>--criu</c>): a path, or a name looked up on
    /// PATH; null for <c>criu</c> on PATH.</summary>
    public string? CriuPath { get; init; }

    /// <summary>Use the systemd cgroup driver (runc's <c>--systemd-cgroup</c>): each new container is a transient
    /// scope that systemd makes over D-Bus (the system bus), placed by a <c>slice:prefix:name</c>
    /// <c>linux.cgroupsPath</c>, with its resources set as unit properties. Containers remember their driver:
    /// later commands on them use it whatever this says.</summary>
    public bool SystemdCgroup { get; init; }

}

/// <summary>Options of <see cref="ContainerRuntime.Create"/> (runc's <c>create</c> flags).</summary>
public class CreateOptions
{
    /// <summary>File to write init's pid to, atomically and without a newline.</summary>
    public string? PidFile { get; init; }
    /// <summary>Unix socket that receives the pty master when <c>process.terminal</c> is set.</summary>
    public string? ConsoleSocket { get; init; }
    /// <summary>A connected console socket the runtime itself holds the other end of (a foreground run's terminal
    /// relay); -1 for none.</summary>
    internal int ConsoleSocketFd { get; init; } = -1;
    /// <summary>The caller's descriptors the container's init gets at other numbers (stdio, extra files): see
    /// <see cref="Executor.ExecutorProcess.Start"/>.</summary>
    internal IReadOnlyList<(int From, int To)> Descriptors { get; init; } = [];
    /// <summary>The config's text when it was built in code rather than read from the bundle's config.json.</summary>
    internal byte[]? ConfigJson { get; init; }
    /// <summary>Use MS_MOVE and chroot instead of pivot_root.</summary>
    public bool NoPivot { get; init; }
    /// <summary>Keep the caller's session keyring instead of a new one, "_ses.ID", shared by the container's
    /// processes (exec's too).</summary>
    public bool NoNewKeyring { get; init; }
    /// <summary>How many descriptors after stdio pass to the container.</summary>
    public int PreserveFds { get; init; }
}

/// <summary>Options of <see cref="ContainerRuntime.Run"/> (runc's <c>run</c> flags): create's, and what run does
/// after the container started.</summary>
public sealed class RunOptions : CreateOptions
{
    /// <summary>Return once the container runs instead of waiting for it (runc's <c>--detach</c>).</summary>
    public bool Detach { get; init; }
    /// <summary>Do not delete the container after it exits (runc's <c>--keep</c>).</summary>
    public bool Keep { get; init; }
    /// <summary>Do not make this process a child subreaper (runc's <c>--no-subreaper</c>), so that processes of the
    /// container orphaned while it waits go to the caller's reaper. init is this process's child either way;
    /// <see cref="ContainerRuntime.Create"/> never changes the process's reaper.</summary>
    public bool NoSubreaper { get; init; }
}
