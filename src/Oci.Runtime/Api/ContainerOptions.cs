using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Oci.Runtime;

/// <summary>How a <see cref="Container"/> is created or found: where the runtime keeps its state, and (for
/// <see cref="Container.CreateAsync(string, Spec.RuntimeSpec, ContainerOptions?, CancellationToken)"/>) what its init
/// is given. Runc's <c>create</c> flags, and the caller's stdio as a library needs it.</summary>
public sealed class ContainerOptions
{
    /// <summary>Directory for container state (runc's <c>--root</c>). Containers of one state root are seen by every
    /// program using it, the <c>oci-run</c> command included.</summary>
    public string StateRoot { get; init; } = "/run/oci-run";

    /// <summary>Make and join no cgroup at all (crun's <c>--cgroup-manager=disabled</c>): the container stays in the
    /// caller's cgroups and <c>linux.resources</c> is not applied.</summary>
    public bool CgroupsDisabled { get; init; }

    /// <summary>For a spec built in code: the bundle directory that a relative <c>root.path</c> and the hooks' state
    /// refer to. Null: the current directory. (Ignored when creating from a bundle path.)</summary>
    public string? Bundle { get; init; }

    /// <summary>The init's standard input. Default: inherited.</summary>
    public Stdio StandardInput { get; init; } = Stdio.Inherit;

    /// <summary>The init's standard output. Default: inherited.</summary>
    public Stdio StandardOutput { get; init; } = Stdio.Inherit;

    /// <summary>The init's standard error. Default: inherited.</summary>
    public Stdio StandardError { get; init; } = Stdio.Inherit;

    /// <summary>Descriptors the init gets as 3, 4, … (runc's <c>ExtraFiles</c>); copies are made during create, the
    /// caller keeps its own. Exclusive with <see cref="PreserveFds"/>.</summary>
    public IReadOnlyList<SafeHandle> ExtraFiles { get; init; } = [];

    /// <summary>runc's <c>--preserve-fds</c>: the caller's own descriptors 3 to 3+N-1 pass to the init at the same
    /// numbers. Exclusive with <see cref="ExtraFiles"/>.</summary>
    public int PreserveFds { get; init; }

    /// <summary>File to write the init's pid to, atomically and without a newline (runc's <c>--pid-file</c>).</summary>
    public string? PidFile { get; init; }

    /// <summary>Unix socket that receives the pty master when <c>process.terminal</c> is set (runc's
    /// <c>--console-socket</c>). Null: the pty master is this handle's <see cref="Container.Terminal"/>.</summary>
    public string? ConsoleSocket { get; init; }

    /// <summary>Use MS_MOVE and chroot instead of pivot_root (runc's <c>--no-pivot</c>).</summary>
    public bool NoPivot { get; init; }

    /// <summary>Keep the caller's session keyring instead of a new one (runc's <c>--no-new-keyring</c>).</summary>
    public bool NoNewKeyring { get; init; }

    /// <summary>Make the calling process a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so that processes the
    /// container orphans (possible only without its own PID namespace) are re-parented to it rather than to the
    /// system's init. This is process-wide and lasts for the life of the process, and the caller must then reap
    /// them; off by default. The container's init is the caller's child either way.</summary>
    public bool ChildSubreaper { get; init; }

    /// <summary>Whether disposing the <see cref="Container"/> returned by <c>CreateAsync</c> deletes the container
    /// (forcibly: a running one is killed). Default true; false leaves it for <see cref="Container.Load"/> or the
    /// <c>oci-run</c> command. Handles from <see cref="Container.Load"/> never delete on dispose.</summary>
    public bool DeleteOnDispose { get; init; } = true;

    /// <summary>Where the runtime logs what it does (debug) and warnings. Null: nowhere.</summary>
    public ILogger? Logger { get; init; }
}

/// <summary>Options of <see cref="Container.DeleteAsync"/> (runc's <c>delete</c> flags).</summary>
public sealed class DeleteOptions
{
    /// <summary>Kill a running or paused container first instead of refusing (runc's <c>--force</c>).</summary>
    public bool Force { get; init; }
}

/// <summary>Options of <see cref="Container.Kill"/> (runc's <c>kill</c> flags).</summary>
public sealed class KillOptions
{
    /// <summary>Signal every process of the container (through its cgroup), not only init (runc's <c>--all</c>).</summary>
    public bool All { get; init; }
}

/// <summary>Options of <see cref="Container.ExecAsync"/>: the process's stdio and runc's <c>exec</c> flags that are
/// not about the process itself.</summary>
public sealed class ExecProcessOptions
{
    /// <summary>The process's standard input. Default: inherited.</summary>
    public Stdio StandardInput { get; init; } = Stdio.Inherit;

    /// <summary>The process's standard output. Default: inherited.</summary>
    public Stdio StandardOutput { get; init; } = Stdio.Inherit;

    /// <summary>The process's standard error. Default: inherited.</summary>
    public Stdio StandardError { get; init; } = Stdio.Inherit;

    /// <summary>Descriptors the process gets as 3, 4, …; copies are made during the exec.</summary>
    public IReadOnlyList<SafeHandle> ExtraFiles { get; init; } = [];

    /// <summary>File to write the process's pid to.</summary>
    public string? PidFile { get; init; }

    /// <summary>Unix socket that receives the pty master when the process has a terminal. Null: the pty master is
    /// the process handle's <see cref="ContainerProcess.Terminal"/>.</summary>
    public string? ConsoleSocket { get; init; }

    /// <summary>Allow an exec into a paused container (runc's <c>--ignore-paused</c>).</summary>
    public bool IgnorePaused { get; init; }

    /// <summary>Existing sub-cgroups of the container's cgroup to run the process in (runc's <c>--cgroup</c>
    /// values: <c>PATH</c>, or <c>CONTROLLER[,CONTROLLER]:PATH</c>).</summary>
    public IReadOnlyList<string> Cgroups { get; init; } = [];
}
