using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Oci.Runtime.Interop;

namespace Oci.Runtime;

/// <summary>Where one of a container process's standard streams goes: the caller's own (inherited), a pipe the
/// caller reads or writes through a <see cref="Stream"/>, <c>/dev/null</c>, or a descriptor the caller opened.
/// (A pseudo-terminal is asked for with the spec's <c>process.terminal</c>; see <see cref="Container.Terminal"/>.)</summary>
public sealed class Stdio
{
    readonly SafeHandle? handle;

    Stdio(StdioKind kind, SafeHandle? handle = null)
    {
        Kind = kind;
        this.handle = handle;
    }

    internal StdioKind Kind { get; }

    /// <summary>The stream of the calling process, at the same descriptor (0, 1 or 2). The default.</summary>
    public static Stdio Inherit { get; } = new(StdioKind.Inherit);

    /// <summary><c>/dev/null</c>: reads see end-of-file, writes are discarded.</summary>
    public static Stdio Null { get; } = new(StdioKind.Null);

    /// <summary>A pipe: the caller gets the other end as a <see cref="Stream"/> (for instance
    /// <see cref="Container.StandardOutput"/>), which it reads (output) or writes and disposes (input).</summary>
    public static Stdio Pipe { get; } = new(StdioKind.Pipe);

    /// <summary>A descriptor the caller opened (a file, a socket, one end of its own pipe): the process gets a copy,
    /// made while the container or process is created; the caller keeps and closes its own.</summary>
    public static Stdio From(SafeHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return new Stdio(StdioKind.Handle, handle);
    }

    internal SafeHandle? Handle => handle;
}

internal enum StdioKind { Inherit, Null, Pipe, Handle }

/// <summary>The descriptors of one process being created: its stdio and extra files as the runtime passes them
/// (<see cref="Descriptors"/>), the process's ends closed once it has them (<see cref="Started"/>), and the caller's
/// ends as streams.</summary>
internal sealed class StdioPlumbing : IDisposable
{
    readonly List<int> processEnds = [];
    readonly List<SafeHandle> referenced = [];
    readonly List<int> callerEnds = [];
    readonly List<(int From, int To)> descriptors = [];

    public IReadOnlyList<(int From, int To)> Descriptors => descriptors;
    public Stream? Input { get; private set; }
    public Stream? Output { get; private set; }
    public Stream? Error { get; private set; }

    public static StdioPlumbing Open(Stdio? stdin, Stdio? stdout, Stdio? stderr, IReadOnlyList<SafeHandle>? extraFiles)
    {
        var p = new StdioPlumbing();
        try
        {
            p.Input = p.Place(stdin ?? Stdio.Inherit, 0);
            p.Output = p.Place(stdout ?? Stdio.Inherit, 1);
            p.Error = p.Place(stderr ?? Stdio.Inherit, 2);
            for (int i = 0; i < (extraFiles?.Count ?? 0); i++)
                p.descriptors.Add((p.Reference(extraFiles![i]), 3 + i));
            return p;
        }
        catch
        {
            p.Dispose();
            throw;
        }
    }

    int Reference(SafeHandle handle)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        referenced.Add(handle);
        return (int)handle.DangerousGetHandle();
    }

    Stream? Place(Stdio stdio, int target)
    {
        switch (stdio.Kind)
        {
            case StdioKind.Null:
                int devNull = Sys.Open("/dev/null", Sys.O_RDWR | Sys.O_CLOEXEC);
                processEnds.Add(devNull);
                descriptors.Add((devNull, target));
                return null;
            case StdioKind.Handle:
                descriptors.Add((Reference(stdio.Handle!), target));
                return null;
            case StdioKind.Pipe:
                var (read, write) = Sys.Pipe();
                bool input = target == 0;
                processEnds.Add(input ? read : write);
                callerEnds.Add(input ? write : read);
                descriptors.Add((input ? read : write, target));
                return new FileStream(new SafeFileHandle(input ? write : read, ownsHandle: true),
                    input ? FileAccess.Write : FileAccess.Read, bufferSize: 0);
            default:
                return null;
        }
    }

    /// <summary>The process has its copies: close ours, so that the caller's reads see end-of-file when the
    /// container's processes close theirs.</summary>
    public void Started()
    {
        foreach (int fd in processEnds) Sys.Close(fd);
        processEnds.Clear();
        foreach (var handle in referenced) handle.DangerousRelease();
        referenced.Clear();
        callerEnds.Clear(); // owned by the streams from here on
    }

    /// <summary>Creating the process failed: closes everything, the caller's streams too.</summary>
    public void Dispose()
    {
        Started();
        Input?.Dispose();
        Output?.Dispose();
        Error?.Dispose();
    }
}
