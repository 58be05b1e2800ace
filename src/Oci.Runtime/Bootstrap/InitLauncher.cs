using System.Text;
using Oci.Runtime.Interop;
using Oci.Runtime.Namespaces;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Bootstrap;

/// <summary>What the bootstrap of a new init must do.</summary>
internal sealed class LaunchRequest
{
    /// <summary>Namespaces to create.</summary>
    public uint CloneFlags { get; init; }
    /// <summary>Namespaces to join, in <see cref="NamespaceType.All"/> order.</summary>
    public IReadOnlyList<(NamespaceType Type, string Path)> Joins { get; init; } = [];
    /// <summary>Contents of /proc/self/timens_offsets for a new time namespace.</summary>
    public string? TimeOffsets { get; init; }
    /// <summary>uid_map of a new user namespace.</summary>
    public IReadOnlyList<LinuxIdMapping>? UidMappings { get; init; }
    /// <summary>gid_map of a new user namespace.</summary>
    public IReadOnlyList<LinuxIdMapping>? GidMappings { get; init; }
    /// <summary>CPUs the bootstrap runs on before it joins the container's cgroup (<c>process.execCPUAffinity.initial</c>
    /// of <c>exec</c>; config.md: not for the container's init), or null.</summary>
    public IReadOnlyCollection<int>? InitialCpus { get; init; }
    /// <summary>Runs with the bootstrap's pid before it creates namespaces: joining cgroups here puts the whole
    /// container, and the root of a new cgroup namespace, in the container's cgroup.</summary>
    public Action<int>? BeforeNamespaces { get; init; }
}

/// <summary>A started init: its pid in the runtime's PID namespace and the channel to its managed half.</summary>
internal sealed record LaunchedInit(int Pid, BootstrapChannel Channel);

/// <summary>
/// A bootstrap started ahead of the decisions about it: it waits in bootstrap.c's constructor for its message while
/// the runtime reads the config and prepares the container, so that executing the binary and loading it overlap
/// with that work. Disposing it before <see cref="InitLauncher.Launch"/> took it over ends it.
/// </summary>
internal sealed class PendingBootstrap : IDisposable
{
    internal PendingBootstrap(int pid, BootstrapChannel channel)
    {
        Pid = pid;
        Channel = channel;
    }

    /// <summary>The bootstrap's pid.</summary>
    public int Pid { get; private set; }
    /// <summary>The runtime's end of the bootstrap socket.</summary>
    public BootstrapChannel Channel { get; }
    /// <summary>Whether <see cref="InitLauncher.Launch"/> has taken it over.</summary>
    internal bool Launched { get; set; }

    /// <summary>Ends a bootstrap that was not launched: it reads end-of-file and exits; it is killed anyway in case
    /// it is still being executed.</summary>
    public void Dispose()
    {
        if (Launched || Pid <= 0) return;
        Channel.Dispose();
        Sys.Kill(Pid, 9);
        Sys.WaitPid(Pid);
        Pid = -1;
    }
}

/// <summary>Starts <c>init</c> and drives the C bootstrap (bootstrap.c) through the namespaces.</summary>
internal static class InitLauncher
{
    /// <summary>The variable that tells bootstrap.c which descriptor is the bootstrap socket.</summary>
    public const string BootstrapFdVariable = "_OCI_RUN_BOOTSTRAP_FD";

    /// <summary>The variable by which an executable that started its init before .NET did (oci-run's
    /// Native/prestart.c) names it: "PID FD".</summary>
    public const string PrestartedVariable = "_OCI_RUN_PRESTARTED";

    /// <summary>Executes <paramref name="initBinary"/> (through a read-only view of it) as a bootstrap that waits for
    /// its message, or takes over the one the executable started before .NET did. The caller's descriptors 3 to
    /// 3 + <paramref name="preserveFds"/> - 1 are inherited at the same numbers (<c>--preserve-fds</c>); the
    /// bootstrap socket comes after them.</summary>
    public static PendingBootstrap Start(string initBinary, IReadOnlyList<string> arguments, int preserveFds)
    {
        if (TakePrestarted() is { } prestarted)
        {
            // It is this executable run with the default init arguments: usable only for a runtime configured so.
            if (initBinary == Environment.ProcessPath && arguments.SequenceEqual(Lifecycle.RuntimeOptions.DefaultInitArguments))
                return prestarted;
            prestarted.Dispose();
        }
        var (runtimeEnd, initEnd) = Sys.SocketPair();
        var channel = new BootstrapChannel(runtimeEnd);
        try
        {
            int pid = Spawn(initBinary, arguments, preserveFds, initEnd);
            return new PendingBootstrap(pid, channel);
        }
        catch
        {
            channel.Dispose();
            throw;
        }
        finally
        {
            // Only the bootstrap and init hold the other end from here: if they die before they answer (killed by
            // the OOM killer under a small memory limit), reading the channel sees end-of-file instead of hanging.
            Sys.Close(initEnd);
        }
    }

    /// <summary>Ends a bootstrap the executable started before .NET did that no command took over.</summary>
    public static void EndPrestarted() => TakePrestarted()?.Dispose();

    /// <summary>The bootstrap named by <see cref="PrestartedVariable"/>, once; the variable is removed so that no
    /// child inherits it.</summary>
    static PendingBootstrap? TakePrestarted()
    {
        string? value = Environment.GetEnvironmentVariable(PrestartedVariable);
        if (value is null) return null;
        Environment.SetEnvironmentVariable(PrestartedVariable, null);
        Sys.UnsetEnvironmentVariable(PrestartedVariable);
        var parts = value.Split(' ');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int pid) || !int.TryParse(parts[1], out int fd) || pid <= 0 || fd < 3)
            return null;
        // Only a child of this process is one: a value from elsewhere must not get a process killed.
        if (Lifecycle.ProcessInfo.ParentPid(pid) != Environment.ProcessId) return null;
        return new PendingBootstrap(pid, new BootstrapChannel(fd));
    }

    /// <summary>Tells a started bootstrap what to do and waits until it has forked init in the namespaces.</summary>
    public static LaunchedInit Launch(PendingBootstrap bootstrap, LaunchRequest request)
    {
        var channel = bootstrap.Channel;
        int bootstrapPid = bootstrap.Pid, initPid = -1;
        bootstrap.Launched = true;
        try
        {
            // The bootstrap forks init only after reading its message: init inherits this affinity.
            if (request.InitialCpus is { Count: > 0 } cpus) Sys.SchedSetaffinity(bootstrapPid, cpus);
            request.BeforeNamespaces?.Invoke(bootstrapPid);
            try
            {
                SendBootstrapMessage(channel, request);
                initPid = AwaitInitPid(channel, request, bootstrapPid);
            }
            catch (EndOfStreamException e)
            {
                throw new InitExitedException("container init exited during the bootstrap", e);
            }
            int status = Sys.WaitPid(bootstrapPid);
            bootstrapPid = -1;
            if (status != 0) throw new OciException($"bootstrap exited with status 0x{status:x}");
            return new LaunchedInit(initPid, channel);
        }
        catch
        {
            if (initPid > 0) Sys.Kill(initPid, 9);
            if (bootstrapPid > 0)
            {
                Sys.Kill(bootstrapPid, 9);
                Sys.WaitPid(bootstrapPid);
            }
            channel.Dispose();
            throw;
        }
    }

    static int Spawn(string initBinary, IReadOnlyList<string> arguments, int preserveFds, int initEnd)
    {
        int bootstrapFd = 3 + preserveFds;
        int copy = -1, binary = -1;
        try
        {
            // Above the target number first, so that the dup2 cannot overwrite a preserved descriptor it reads.
            copy = Sys.DupCloexec(initEnd, bootstrapFd + 1);
            binary = SealedBinary.Open(initBinary);
            // Only the socket's number: no settings for init's .NET runtime. The bootstrap joins the container's
            // cgroups before the runtime starts, so its garbage collector sizes itself to the container's memory
            // limit (measured: a container starts under 0.94 MiB without settings, 1.00 MiB with a fixed gen0 size
            // and heap limit, which also cost ~0.2 ms of CPU at each start).
            string[] environment = [$"{BootstrapFdVariable}={bootstrapFd}"];
            return Sys.Spawn($"/proc/self/fd/{binary}", arguments, environment, [(copy, bootstrapFd)]);
        }
        finally
        {
            Sys.Close(copy);
            Sys.Close(binary);
        }
    }

    static void SendBootstrapMessage(BootstrapChannel channel, LaunchRequest request)
    {
        channel.Write(BootstrapRecord.CloneFlags, BitConverter.GetBytes(request.CloneFlags));
        foreach (var (type, path) in request.Joins)
        {
            var data = new byte[4 + Encoding.UTF8.GetByteCount(path)];
            BitConverter.TryWriteBytes(data, type.CloneFlag);
            Encoding.UTF8.GetBytes(path, data.AsSpan(4));
            channel.Write(BootstrapRecord.NamespacePath, data);
        }
        if (request.TimeOffsets is not null)
            channel.Write(BootstrapRecord.TimeNamespaceOffsets, Encoding.UTF8.GetBytes(request.TimeOffsets));
        channel.Write(BootstrapRecord.End, []);
    }

    static int AwaitInitPid(BootstrapChannel channel, LaunchRequest request, int bootstrapPid)
    {
        while (true)
        {
            var (type, data) = channel.Read();
            switch (type)
            {
                case BootstrapRecord.UserNamespaceReady:
                    bool mapped = WriteIdMaps(bootstrapPid, request, out string? problem);
                    channel.Write(BootstrapRecord.UserNamespaceMapped, mapped ? [] : [1]);
                    if (!mapped) throw new OciException(problem!);
                    break;
                case BootstrapRecord.ChildPid:
                    return BitConverter.ToInt32(data);
                case BootstrapRecord.Error:
                    throw new OciException(Encoding.UTF8.GetString(data));
                default:
                    throw new OciException($"bootstrap protocol: unexpected record {type}");
            }
        }
    }

    static bool WriteIdMaps(int pid, LaunchRequest request, out string? problem)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/uid_map", FormatMap(request.UidMappings));
        }
        catch (IOException e)
        {
            problem = $"linux.uidMappings: writing /proc/{pid}/uid_map: {e.Message}";
            return false;
        }
        try
        {
            File.WriteAllText($"/proc/{pid}/gid_map", FormatMap(request.GidMappings));
        }
        catch (IOException e)
        {
            problem = $"linux.gidMappings: writing /proc/{pid}/gid_map: {e.Message}";
            return false;
        }
        problem = null;
        return true;
    }

    internal static string FormatMap(IReadOnlyList<LinuxIdMapping>? mappings)
    {
        var text = new StringBuilder();
        foreach (var m in mappings ?? [])
            text.Append(m.ContainerId).Append(' ').Append(m.HostId).Append(' ').Append(m.Size).Append('\n');
        return text.ToString();
    }
}

/// <summary>The container's init (or its bootstrap) ended before it answered: killed, most often, by the OOM killer
/// of a memory limit too low for it, which the runtime then says.</summary>
internal sealed class InitExitedException(string message, Exception inner) : OciException(message, inner);
