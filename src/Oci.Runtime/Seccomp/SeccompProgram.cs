namespace Oci.Runtime.Seccomp;

/// <summary>A compiled seccomp filter: classic BPF instructions (8 bytes each) and the flags of seccomp(2).</summary>
/// <param name="Filter">The BPF program.</param>
/// <param name="Flags">SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER).</param>
internal sealed record SeccompProgram(byte[] Filter, uint Flags)
{
    /// <summary>What the profile asked for that the filter leaves out (a syscall name libseccomp does not know),
    /// worded with the field it came from, for the caller to log.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Where the filter's listener goes (<c>linux.seccomp.listenerPath</c>) when a rule notifies, else
    /// null: the filter is then loaded with SECCOMP_FILTER_FLAG_NEW_LISTENER.</summary>
    public string? ListenerPath { get; init; }

    /// <summary><c>linux.seccomp.listenerMetadata</c>, sent to the agent with the listener.</summary>
    public string? ListenerMetadata { get; init; }
}
