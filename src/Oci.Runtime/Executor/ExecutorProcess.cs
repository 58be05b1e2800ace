using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Oci.Runtime.Interop;

namespace Oci.Runtime.Executor;

/// <summary>The executor (the container's init, or an exec's process) died without reporting why: killed, most
/// likely by the OOM killer under a small memory limit.</summary>
internal sealed class InitExitedException(string message) : OciException(message);

/// <summary>A message from the executor.</summary>
internal readonly record struct ExecutorEvent(ExecutorMessage Type, int Step, int Value, string Text, int[] Fds);

/// <summary>
/// A running executor and its plan: starts it, sends it steps, reads what it reports, and words its failures from
/// the step that failed (the spec field, what the step did, the kernel's reason).
/// </summary>
internal sealed class ExecutorProcess : IDisposable
{
    const int MaxFds = 16;
    readonly List<PlanStep> sent = [];
    int socket;

    ExecutorProcess(int pid, int socket)
    {
        Pid = pid;
        this.socket = socket;
    }

    /// <summary>The runtime's end of the plan's socket (tests send raw messages on it).</summary>
    internal int Socket => socket;

    /// <summary>The executor as started (it exits after forking into the container's namespaces).</summary>
    public int Pid { get; private set; }

    /// <summary>The container's process (init, or the process of an exec) once the executor has forked, else -1.</summary>
    public int ChildPid { get; private set; } = -1;

    /// <summary>Starts the executor. The caller's descriptors 3 to 3 + <paramref name="preserveFds"/> - 1 are
    /// inherited at the same numbers (<c>--preserve-fds</c>), unless <paramref name="descriptors"/> places others
    /// there: each (From, To) gives the executor (and so the container's process) the caller's descriptor From at
    /// number To (its stdio 0-2, or one of the preserved ones); the plan's socket comes after them.</summary>
    public static ExecutorProcess Start(int preserveFds, IReadOnlyList<(int From, int To)>? descriptors = null)
    {
        descriptors ??= [];
        var (runtimeEnd, executorEnd) = Sys.SocketPair(messages: true);
        // The last segment of a plan waits in the socket while the executor waits for start: room for all of it.
        Sys.SetSendBuffer(runtimeEnd, 4 << 20);
        int socketFd = 3 + preserveFds, copy = -1;
        var copies = new List<int>();
        try
        {
            // Above the target number first, so that the dup2 cannot overwrite a preserved descriptor it reads.
            copy = Sys.DupCloexec(executorEnd, socketFd + 1);
            // The caller's descriptors are copied above every target first too: dup2 in order must not overwrite
            // a source that a later dup2 reads.
            var moves = new List<(int From, int To)>();
            foreach (var (from, to) in descriptors)
            {
                copies.Add(Sys.DupCloexec(from, socketFd + 1));
                moves.Add((copies[^1], to));
            }
            moves.Add((copy, socketFd));
            // Concat, not an interpolated string: the first of those in a process sets up the shared ArrayPool and
            // calibrates its processor-id cache, seen in every create, run and exec's profile.
            int pid = Sys.Spawn("/proc/self/fd/" + ExecutorImage.Descriptor.ToString(CultureInfo.InvariantCulture),
                ["oci-run-init", socketFd.ToString(CultureInfo.InvariantCulture)], [], moves);
            return new ExecutorProcess(pid, runtimeEnd);
        }
        catch
        {
            Sys.Close(runtimeEnd);
            throw;
        }
        finally
        {
            foreach (int fd in copies) Sys.Close(fd);
            // Only the executor holds the other end from here: if it dies, reading sees end-of-file.
            Sys.Close(copy);
            Sys.Close(executorEnd);
        }
    }

    /// <summary>Sends <paramref name="steps"/>, packed into as few messages as fit (the executor reads up to
    /// 512 KiB at once). False when the executor is gone (its report, if any, is waiting to be read).</summary>
    public bool Send(IEnumerable<PlanStep> steps)
    {
        const int MessageSize = 256 * 1024, MaxFdsPerMessage = 60;
        // One buffer of the message's size, written in place: growing a list step by step and copying it out again
        // allocated (and the GC zeroed) about three times the plan's bytes.
        var message = new System.Buffers.ArrayBufferWriter<byte>(8192);
        var fds = new List<int>();
        foreach (var step in steps)
        {
            int length = step.EncodedLength;
            if (message.WrittenCount > 0 && (message.WrittenCount + length > MessageSize || fds.Count + step.Fds.Length > MaxFdsPerMessage))
            {
                if (!Sys.SendMessage(socket, message.WrittenSpan, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(fds))) return false;
                message.ResetWrittenCount();
                fds.Clear();
            }
            if (length > MessageSize) throw new OciException($"{step.Origin}: {step.Description}: too large for the executor");
            step.Encode(sent.Count, message.GetSpan(length));
            message.Advance(length);
            fds.AddRange(step.Fds);
            sent.Add(step);
        }
        return message.WrittenCount == 0 || Sys.SendMessage(socket, message.WrittenSpan, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(fds));
    }

    /// <summary>The next message; a reported failure is thrown as an <see cref="OciException"/> worded from its
    /// step, and end-of-stream as "container init exited".</summary>
    public ExecutorEvent Receive()
    {
        var buffer = new byte[8192];
        int n = Sys.ReceiveMessage(socket, buffer, MaxFds, out var fds);
        if (n == 0) throw new InitExitedException("container init exited during set-up");
        if (n < 12) throw new OciException("executor protocol: short message");
        var type = (ExecutorMessage)BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        int step = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(4));
        int value = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(8));
        string text = Encoding.UTF8.GetString(buffer, 12, n - 12);
        if (type == ExecutorMessage.ERROR)
        {
            foreach (int fd in fds) Sys.Close(fd);
            throw Failure(step, value, text);
        }
        if (type == ExecutorMessage.PID) ChildPid = value;
        return new ExecutorEvent(type, step, value, text, fds);
    }

    /// <summary>Reads until the executor reports <paramref name="code"/> (a SYNC or NOTIFY), reaping the executor
    /// when it has forked.</summary>
    public ExecutorEvent Await(ExecutorSync code)
    {
        while (true)
        {
            var e = Receive();
            if (e.Type == ExecutorMessage.PID)
            {
                int status = Sys.WaitPid(Pid);
                Pid = -1;
                if (status != 0) throw new OciException($"executor exited with status 0x{status:x}");
                continue;
            }
            if (e.Value == (int)code) return e;
            foreach (int fd in e.Fds) Sys.Close(fd);
            throw new OciException($"executor protocol: expected {code}, got {e.Type} {e.Value}");
        }
    }

    /// <summary>The error for step <paramref name="index"/> failing with <paramref name="errno"/>.</summary>
    OciException Failure(int index, int errno, string detail)
    {
        // errno 0: the executor worded the whole failure (a hook's, with its output).
        if (errno == 0) return new OciException(detail);
        string reason = new SyscallException("", errno).Message.TrimStart(':', ' ');
        if (index < 0 || index >= sent.Count) return new OciException($"container init: {detail}: {reason}");
        var step = sent[index];
        string what = step.Description;
        return new OciException(step.Origin.Length == 0 ? $"{what}: {reason}" : $"{step.Origin}: {what}: {reason}");
    }

    /// <summary>Ends the conversation: the executor reads end-of-file if it still waits for steps.</summary>
    public void CloseChannel()
    {
        Sys.Close(socket);
        socket = -1;
    }

    /// <summary>Kills what is left of an executor whose plan failed, and reaps it.</summary>
    public void Abort()
    {
        if (ChildPid > 0)
        {
            Sys.Kill(ChildPid, 9);
            Sys.WaitPid(ChildPid);
            ChildPid = -1;
        }
        if (Pid > 0)
        {
            Sys.Kill(Pid, 9);
            Sys.WaitPid(Pid);
            Pid = -1;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => CloseChannel();
}
