namespace Oci.Runtime;

/// <summary>Linux signals (x86_64 and arm64 numbering). Any other number can be cast to it, such as
/// <c>(Signal)34</c> for SIGRTMIN.</summary>
public enum Signal
{
    /// <summary>SIGHUP.</summary>
    Hup = 1,
    /// <summary>SIGINT.</summary>
    Int = 2,
    /// <summary>SIGQUIT.</summary>
    Quit = 3,
    /// <summary>SIGILL.</summary>
    Ill = 4,
    /// <summary>SIGTRAP.</summary>
    Trap = 5,
    /// <summary>SIGABRT.</summary>
    Abrt = 6,
    /// <summary>SIGBUS.</summary>
    Bus = 7,
    /// <summary>SIGFPE.</summary>
    Fpe = 8,
    /// <summary>SIGKILL: cannot be caught.</summary>
    Kill = 9,
    /// <summary>SIGUSR1.</summary>
    Usr1 = 10,
    /// <summary>SIGSEGV.</summary>
    Segv = 11,
    /// <summary>SIGUSR2.</summary>
    Usr2 = 12,
    /// <summary>SIGPIPE.</summary>
    Pipe = 13,
    /// <summary>SIGALRM.</summary>
    Alrm = 14,
    /// <summary>SIGTERM: the polite request to end.</summary>
    Term = 15,
    /// <summary>SIGCHLD.</summary>
    Chld = 17,
    /// <summary>SIGCONT.</summary>
    Cont = 18,
    /// <summary>SIGSTOP: cannot be caught.</summary>
    Stop = 19,
    /// <summary>SIGTSTP.</summary>
    Tstp = 20,
    /// <summary>SIGTTIN.</summary>
    Ttin = 21,
    /// <summary>SIGTTOU.</summary>
    Ttou = 22,
    /// <summary>SIGWINCH.</summary>
    Winch = 28,
}

/// <summary>How a container's init or an exec'd process ended.</summary>
public readonly record struct ExitStatus
{
    /// <summary>The exit code when the process exited by itself; null when a signal killed it or the status is
    /// unknown.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The signal that killed the process; null when it exited by itself or the status is unknown.</summary>
    public Signal? Signal { get; init; }

    /// <summary>False when the process was not this process's child to reap (a container found with
    /// <see cref="Container.Load"/>) or something else reaped it first: it has ended, but how is not known.</summary>
    public bool IsKnown => ExitCode is not null || Signal is not null;

    /// <summary>The shell's number for it, as <c>oci-run run</c> exits: the exit code, or 128+N for signal N; -1 when
    /// unknown.</summary>
    public int ShellCode => ExitCode ?? (Signal is { } s ? 128 + (int)s : -1);

    /// <inheritdoc/>
    public override string ToString() => ExitCode is { } code ? $"exited with code {code}"
        : Signal is { } signal ? $"killed by signal {(int)signal} (SIG{signal.ToString().ToUpperInvariant()})"
        : "exited (status unknown)";

    internal static ExitStatus FromReaped(int? reaped) => reaped switch
    {
        null => default,
        >= 0 => new ExitStatus { ExitCode = reaped },
        _ => new ExitStatus { Signal = (Signal)(-reaped.Value) },
    };
}
