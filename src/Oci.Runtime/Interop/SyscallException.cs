using System.Runtime.InteropServices;

namespace Oci.Runtime.Interop;

/// <summary>A system call failed. The message names what was attempted and the kernel's reason.</summary>
internal sealed class SyscallException : OciException
{
    /// <summary>Creates an error for <paramref name="what"/> failing with <paramref name="errno"/>.</summary>
    public SyscallException(string what, int errno)
        : base($"{what}: {Marshal.GetPInvokeErrorMessage(errno)}")
    {
        Errno = errno;
    }

    /// <summary>The errno value.</summary>
    public int Errno { get; }
}
