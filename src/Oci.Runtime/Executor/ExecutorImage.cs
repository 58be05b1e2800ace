using Oci.Runtime.Interop;

namespace Oci.Runtime.Executor;

/// <summary>
/// The executor's binary, embedded in this library, in a sealed memfd of this process from which it is executed.
/// </summary>
/// <remarks>
/// CVE-2019-5736: a container process can open /proc/PID/exe of its init for writing. Here that is a memfd sealed
/// against writes, growth and shrinking, so nothing the host executes can be reached through it. The copy is the
/// executor's ~60 KiB, made once per process (runc#3973 ran out of memory copying its whole 10 MB binary per
/// container).
/// </remarks>
internal static partial class ExecutorImage
{
    static readonly Lock Gate = new();
    static int fd = -1;

    /// <summary>A close-on-exec descriptor of the sealed executor, executable as <c>/proc/self/fd/N</c>.</summary>
    public static int Descriptor
    {
        get
        {
            lock (Gate)
            {
                if (fd >= 0) return fd;
                int memfd = Sys.MemfdSealable("oci-run-executor");
                try
                {
                    Sys.WriteAll(memfd, Bytes);
                    Sys.Fchmod(memfd, 0x16D); // 0555
                    Sys.SealAll(memfd);
                }
                catch
                {
                    Sys.Close(memfd);
                    throw;
                }
                return fd = memfd;
            }
        }
    }
}
