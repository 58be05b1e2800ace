namespace Oci.Runtime.Lifecycle;

/// <summary>Settings of a <see cref="ContainerRuntime"/>.</summary>
public sealed class RuntimeOptions
{
    /// <summary>Directory for container state (runc's <c>--root</c>).</summary>
    public string Root { get; init; } = "/run/oci-run";

    /// <summary>Make and join no cgroup at all (crun's <c>--cgroup-manager=disabled</c>): the container stays in
    /// the caller's cgroups, <c>linux.resources</c> is not applied, and <c>kill --all</c> reaches init only.</summary>
    public bool CgroupsDisabled { get; init; }

}

/// <summary>Options of <see cref="ContainerRuntime.Create"/> (runc's <c>create</c> flags).</summary>
public sealed class CreateOptions
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
    /// <summary>For <c>run</c>: do not make this process a child subreaper (runc's <c>run --no-subreaper</c>), so that
    /// processes of the container orphaned while it waits go to the caller's reaper. init is this process's child
    /// either way; <c>create</c> never changes the process's reaper.</summary>
    public bool NoSubreaper { get; init; }
}
