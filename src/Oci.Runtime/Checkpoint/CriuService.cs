using System.Globalization;
using Oci.Runtime.Checkpoint.Rpc;
using Oci.Runtime.Interop;

namespace Oci.Runtime.Checkpoint;

/// <summary>
/// One conversation with CRIU's RPC service, as runc has it: <c>criu swrk 3</c> started with one end of a
/// SOCK_SEQPACKET socket pair at descriptor 3, one request sent, the notifications CRIU sends on the way answered
/// (after the runtime's work for each), until the response to the request. CRIU opens the image and work
/// directories as <c>/proc/PEER/fd/N</c> of this process, so their numbers are this process's own; descriptors for
/// <c>inherit_fd</c> are CRIU's and are passed at 4, 5, ...
/// </summary>
internal sealed class CriuService(string criuPath)
{
    /// <summary>The CRIU program that runs.</summary>
    public string Path { get; } = criuPath;

    /// <summary>Finds CRIU: <paramref name="configured"/> (<c>--criu</c>) as given when it holds a slash, else on
    /// PATH (runc's default is <c>criu</c>). Throws a one-line error when there is none.</summary>
    public static CriuService Locate(string? configured)
    {
        string name = string.IsNullOrEmpty(configured) ? "criu" : configured;
        if (name.Contains('/'))
        {
            if (!File.Exists(name)) throw new OciException($"--criu {name}: does not exist");
            return new CriuService(System.IO.Path.GetFullPath(name));
        }
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':'))
        {
            string candidate = System.IO.Path.Combine(directory.Length == 0 ? "." : directory, name);
            if (File.Exists(candidate)) return new CriuService(System.IO.Path.GetFullPath(candidate));
        }
        throw new OciException($"exec: \"{name}\": executable file not found in $PATH (install CRIU, or name it with --criu PATH)");
    }

    /// <summary>CRIU's version, as its VERSION request answers (major * 10000 + minor * 100 + sublevel).</summary>
    public int Version()
    {
        var response = Call(new Request { Type = RequestType.Version }, [], null, null);
        var v = response.Version ?? throw new OciException("criu: no version in its answer");
        return v.MajorNumber * 10000 + v.MinorNumber * 100 + v.Sublevel;
    }

    /// <summary>Refuses what this CRIU or this kernel cannot do, before any work (runc's words: "criu is missing
    /// features"): memory tracking for pre-dumps and dumps on a parent, lazy pages.</summary>
    public void RequireFeatures(bool memoryTracking, bool lazyPages)
    {
        if (!memoryTracking && !lazyPages) return;
        var wanted = new Features();
        if (memoryTracking) wanted.MemTrack = true;
        if (lazyPages) wanted.LazyPages = true;
        Features found;
        try
        {
            found = Call(new Request { Type = RequestType.FeatureCheck, Features = wanted }, [], null, null).Features ?? new Features();
        }
        catch (CriuException)
        {
            found = new Features();
        }
        var missing = new List<string>();
        if (memoryTracking && !found.MemTrack) missing.Add("MemTrack (the kernel tracks no dirty memory: CONFIG_MEM_SOFT_DIRTY)");
        if (lazyPages && !found.LazyPages) missing.Add("LazyPages (userfaultfd)");
        if (missing.Count > 0) throw new CriuException($"criu is missing features: {string.Join(", ", missing)}");
    }

    /// <summary>Sends <paramref name="request"/> and returns CRIU's response to it. <paramref name="started"/> runs
    /// with CRIU's pid before the request is sent (restore puts CRIU in the container's cgroups then, and may still
    /// change the request); <paramref name="notify"/> runs for each notification, with the descriptors that came
    /// with it (closed after it returns), and a failure in it ends the conversation, which makes CRIU give up.
    /// <paramref name="criuFds"/> are passed to CRIU at 4, 5, ... (not closed).</summary>
    public Response Call(Request request, IReadOnlyList<int> criuFds, Action<int>? started, Action<Notify, int[]>? notify)
    {
        var (mine, theirs) = Sys.SocketPair(messages: true);
        var copies = new List<int>();
        int pid = -1;
        try
        {
            // Copies above every target number first, so that no dup2 of the spawn overwrites a descriptor a later
            // one still reads.
            int minimum = 4 + criuFds.Count;
            var placed = new List<(int From, int To)>();
            copies.Add(Sys.DupCloexec(theirs, minimum));
            placed.Add((copies[^1], 3));
            for (int i = 0; i < criuFds.Count; i++)
            {
                copies.Add(Sys.DupCloexec(criuFds[i], minimum));
                placed.Add((copies[^1], 4 + i));
            }
            var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(e => $"{e.Key}={e.Value}").ToList();
            pid = Sys.Spawn(Path, ["criu", "swrk", "3"], environment, placed);
        }
        finally
        {
            foreach (int fd in copies) Sys.Close(fd);
            // From here only CRIU holds its end: if it dies, reading sees end-of-file.
            Sys.Close(theirs);
        }
        try
        {
            started?.Invoke(pid);
            Send(mine, request);
            var buffer = new byte[64 * 1024];
            while (true)
            {
                int n = Sys.ReceiveMessage(mine, buffer, 16, out int[] fds);
                if (n == 0)
                {
                    Sys.Close(mine);
                    mine = -1;
                    int status = Sys.WaitPid(pid);
                    pid = -1;
                    throw new CriuException($"criu failed: {Describe(status)} without answering {request.Type}");
                }
                Response response;
                try
                {
                    response = Response.Parse(buffer.AsSpan(0, n));
                    if (!response.Success)
                        throw new CriuException($"criu failed: type {Name(response.Type)} errno {response.CrErrno}",
                            response.CrErrmsg is { } message ? message.Split('\n')[0].Trim() : "");
                    if (response.Type != RequestType.Notify) return response;
                    notify?.Invoke(response.Notify ?? new Notify(), fds);
                }
                catch (FormatException e)
                {
                    throw new CriuException($"criu: an answer that does not parse: {e.Message}");
                }
                finally
                {
                    foreach (int fd in fds) Sys.Close(fd);
                }
                Send(mine, new Request { Type = RequestType.Notify, NotifySuccess = true });
            }
        }
        finally
        {
            // Closing our end tells a CRIU still waiting (a failed notification, a pre-dump that would wait for the
            // next request) to stop; it is reaped in any case.
            Sys.Close(mine);
            if (pid > 0) Sys.WaitPid(pid);
        }
    }

    static void Send(int socket, Request request)
    {
        if (!Sys.SendMessage(socket, request.ToByteArray(), []))
            throw new CriuException($"criu exited before it read the {Name(request.Type)} request");
    }

    static string Name(RequestType type) => type switch
    {
        RequestType.PreDump => "PRE_DUMP",
        RequestType.FeatureCheck => "FEATURE_CHECK",
        _ => type.ToString().ToUpperInvariant(),
    };

    static string Describe(int status) =>
        (status & 0x7f) == 0
            ? $"exited with status {(status >> 8) & 0xff}"
            : $"killed by signal {(status & 0x7f).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The first line of a CRIU log that says what failed (CRIU words its failures "Error (file:line): ...";
    /// later ones are its unwinding: "Restoring FAILED", its cgroup daemon gone), to name the cause in a one-line
    /// error; null when the log has none. CRIU also logs a failure to raise its own RLIMIT_NOFILE as an error and
    /// goes on: that line is not the cause.</summary>
    public static string? FirstError(string logPath)
    {
        try
        {
            return File.ReadLines(logPath).FirstOrDefault(l => l.Contains("Error (", StringComparison.Ordinal) &&
                !l.Contains("Can't setup RLIMIT_NOFILE", StringComparison.Ordinal))?.Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>CRIU refused or failed a request.</summary>
internal sealed class CriuException(string message, string detail = "") : OciException(message)
{
    /// <summary>CRIU's own words for the failure (the first line of its message), or empty.</summary>
    public string Detail { get; } = detail;
}
