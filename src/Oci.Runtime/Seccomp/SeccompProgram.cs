namespace Oci.Runtime.Seccomp;

/// <summary>A compiled seccomp filter: classic BPF instructions (8 bytes each) and the flags of seccomp(2).</summary>
/// <param name="Filter">The BPF program.</param>
/// <param name="Flags">SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER).</param>
internal sealed record SeccompProgram(byte[] Filter, uint Flags);
