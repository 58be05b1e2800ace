using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace Oci.Cli;

/// <summary>
/// Output to fd 1 and 2 with one write(2) each, as System.Console's autoflushing writers did, without
/// System.Console: its first use starts a signal-handling thread, installs SIGINT/SIGQUIT/SIGCONT handlers and
/// probes the terminal, which every short command paid for one line of output.
/// </summary>
internal static class StdStreams
{
    const int StdoutFd = 1, StderrFd = 2, EINTR = 4, EPIPE = 32;

    public static void Out(string text) => Write(StdoutFd, text);

    public static void Out(ReadOnlySpan<byte> utf8) => Write(StdoutFd, utf8);

    /// <summary>Writes an error as one line: control characters copied from the input into it are escaped.</summary>
    public static void ErrorLine(string text) => Write(StderrFd, Logging.OneLine.Escape(text) + "\n");

    static void Write(int fd, string text) => Write(fd, Encoding.UTF8.GetBytes(text));

    /// <summary>write(2) until all is written, through the libc binding the library brings (Tmds.LibC): not
    /// FileStream, which on a regular file writes with pwrite at a position of its own and so would overwrite what
    /// another descriptor of the same open file (<c>&gt;log 2&gt;&amp;1</c>) appended.</summary>
    static unsafe void Write(int fd, ReadOnlySpan<byte> utf8)
    {
        fixed (byte* start = utf8)
        {
            byte* p = start;
            long left = utf8.Length;
            while (left > 0)
            {
                long n = LibC.write(fd, p, (size_t)(nuint)left);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR) continue;
                    // As System.Console: a reader that went away is not an error of the command.
                    if (errno == EPIPE) return;
                    throw new IOException($"write fd {fd}: errno {errno}", errno);
                }
                p += n;
                left -= n;
            }
        }
    }

    /// <summary>A write-only stream on fd 2 for the logger; it does not close the descriptor.</summary>
    public static Stream OpenError() => new FdStream(StderrFd);

    sealed class FdStream(int fd) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer) => StdStreams.Write(fd, buffer);
    }
}
