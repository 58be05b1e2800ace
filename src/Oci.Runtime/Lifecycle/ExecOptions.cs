namespace Oci.Runtime.Lifecycle;

/// <summary>Options of <see cref="ContainerRuntime.Exec(string, Spec.Process, ExecOptions)"/> (runc's <c>exec</c> flags that are not about the
/// process itself).</summary>
public sealed class ExecOptions
{
    /// <summary>Return once the process runs instead of waiting for it.</summary>
    public bool Detach { get; init; }
    /// <summary>File to write the process's pid to.</summary>
    public string? PidFile { get; init; }
    /// <summary>Unix socket that receives the pty master when the process has a terminal.</summary>
    public string? ConsoleSocket { get; init; }
    /// <summary>A connected console socket the runtime itself holds the other end of; -1 for none.</summary>
    internal int ConsoleSocketFd { get; init; } = -1;
    /// <summary>The caller's descriptors the process gets at other numbers (stdio, extra files).</summary>
    internal IReadOnlyList<(int From, int To)> Descriptors { get; init; } = [];
    /// <summary>How many descriptors after stdio pass to the process.</summary>
    public int PreserveFds { get; init; }
    /// <summary>Allow exec into a paused container.</summary>
    public bool IgnorePaused { get; init; }
    /// <summary>Existing sub-cgroups of the container's cgroup to run the process in instead of the container's
    /// own (runc's <c>--cgroup</c> values: <c>PATH</c>, or <c>CONTROLLER[,CONTROLLER]:PATH</c>, see
    /// <see cref="Cgroups.SubCgroups"/>).</summary>
    public IReadOnlyList<string> Cgroups { get; init; } = [];
}
