using Microsoft.Extensions.Logging;
using Oci.Runtime.Cgroups;
using Oci.Runtime.Executor;
using Oci.Runtime.Init;
using Oci.Runtime.Interop;
using Oci.Runtime.Namespaces;
using Oci.Runtime.Spec;
using Oci.Runtime.State;

namespace Oci.Runtime.Lifecycle;

public sealed partial class ContainerRuntime
{
    /// <summary>The runtime's part of an exec: the process joins the container's cgroups before its namespaces.</summary>
    sealed class ExecHost(Cgroups.ICgroupManager cgroups) : ISetupHost
    {
        public Cgroups.CgroupJoin? OpenCgroupJoin() => cgroups.OpenJoin();

        public void Started(int executorPid) => cgroups.AddProcess(executorPid);
        public void Mounted(int pid) { }
    }

    /// <summary>Runs another process in a running container: it joins init's namespaces and cgroups, takes
    /// <paramref name="process"/>'s user, capabilities, environment and working directory, and (unless detached) is
    /// waited for. Returns its exit status, 128+N when killed by signal N.</summary>
    public int Exec(string id, Process process, ExecOptions execOptions)
    {
        ArgumentNullException.ThrowIfNull(process);
        return Exec(id, _ => process, execOptions);
    }

    /// <summary>Like <see cref="Exec(string, Process, ExecOptions)"/>, with the process made from the container's own
    /// (<see cref="ProcessTemplate"/>) by <paramref name="fromTemplate"/>, as runc's exec flags do: the container's
    /// record and config are read once.</summary>
    public int Exec(string id, Func<Process, Process> fromTemplate, ExecOptions execOptions)
    {
        int pid = StartExec(id, fromTemplate, execOptions, out var relay);
        using (relay)
        {
            relay?.Start();
            if (execOptions.Detach) return 0;
            using (SignalForwarding.To(pid))
                return ExitCode(Sys.WaitPid(pid));
        }
    }

    /// <summary>An exec up to the point where its process runs: returns its pid (this process's child), and the
    /// terminal relay to start when the process has a terminal and no console socket was given.</summary>
    internal int StartExec(string id, Func<Process, Process> fromTemplate, ExecOptions execOptions, out TerminalRelay? relay)
    {
        relay = null;
        CheckPreserveFds(execOptions.PreserveFds);
        ContainerRecord record;
        using (var directory = store.Open(id))
        {
            record = directory.Load();
            var status = StatusOf(record, directory.Path);
            if (status == ContainerStatus.Stopped) throw new ContainerStateException(id, status, "cannot exec in a stopped container");
            if (status == ContainerStatus.Paused && !execOptions.IgnorePaused)
                throw new ContainerStateException(id, status, "cannot exec in a paused container (use --ignore-paused to override)");
        }
        // The container's config, with the exec's process in place of its own: init gets the stored config's text
        // and the process apart.
        byte[] storedConfig = record.StoredConfigUtf8();
        var spec = SpecLoader.ParseUnvalidated(storedConfig);
        var process = fromTemplate(spec.Process ?? new Process());
        Preflight.UserIds(process.User);
        spec.Process = process;
        bool consoleGiven = execOptions.ConsoleSocket is not null || execOptions.ConsoleSocketFd >= 0;
        if (process.Terminal == true && !consoleGiven && execOptions.Detach)
            throw new OciException("cannot allocate tty if runc will detach without setting console socket");
        // In the foreground without a console socket, a process with a terminal gets its pty from this process, as
        // a foreground run does.
        relay = process.Terminal == true && !consoleGiven ? TerminalRelay.Create() : null;
        try
        {

        // The process joins every namespace the container's init is in, whether the config made it or joined it.
        var joins = new List<(NamespaceType, string)>();
        foreach (var type in NamespaceType.All)
        {
            if (spec.Linux?.Namespaces?.Any(n => n.Type == type.Name) != true) continue;
            joins.Add((type, $"/proc/{record.InitPid}/ns/{type.ProcName}"));
        }
        var seccomp = spec.Linux?.Seccomp is { } filter ? Seccomp.SeccompCompiler.Compile(filter) : null;
        var cgroups = ExecCgroups(record, execOptions.Cgroups);
        int consoleSocket = execOptions.ConsoleSocket is { } socketPath ? ConsoleSocket.Connect(socketPath)
            : execOptions.ConsoleSocketFd >= 0 ? Sys.DupCloexec(execOptions.ConsoleSocketFd, 3)
            : relay is not null ? Sys.DupCloexec(relay.ContainerEnd, 3)
            : -1;
        int pid;
        try
        {
            var context = new SetupContext
            {
                ContainerId = id,
                Spec = spec,
                Bundle = record.Bundle,
                Rootfs = record.Rootfs,
                IsExec = true,
                NoNewKeyring = record.NoNewKeyring,
                NewUtsNamespace = joins.Any(j => j.Item1.Name == "uts"),
                NewUserNamespace = joins.Any(j => j.Item1.Name == "user"),
                FirstRuntimeFd = 3 + execOptions.PreserveFds,
                Descriptors = execOptions.Descriptors,
                Seccomp = seccomp,
                // What a seccomp agent is told about the container; only built for one (formatting the state's
                // dates starts .NET's date formatting, seen in every exec's profile).
                HookState = seccomp?.ListenerPath is not null ? Describe(record, ContainerStatus.Running) : new(),
                SetgroupsDenied = Sys.TryReadText($"/proc/{record.InitPid}/setgroups")?.Trim() == "deny",
                HeldCapabilities = joins.Any(j => j.Item1.Name == "user") ? ulong.MaxValue : Sys.CapGetPermitted(),
            };
            var warnings = new List<string>();
            pid = ContainerSetup.Exec(context, joins, execOptions.PreserveFds, consoleSocket, new ExecHost(cgroups), warnings);
            foreach (var warning in warnings) RuntimeLog.Warning(logger, warning);
            RuntimeLog.ExecRuns(logger, pid, id);
            try
            {
                // A pid file that cannot be written fails the exec: the process is ended rather than left running
                // where its caller cannot find it.
                if (execOptions.PidFile is { } pidFile) PidFile.Write(pidFile, pid);
            }
            catch
            {
                Sys.Kill(pid, 9);
                Sys.WaitPid(pid);
                throw;
            }
        }
        finally
        {
            Sys.Close(consoleSocket);
        }
        return pid;
        }
        catch
        {
            relay?.Dispose();
            relay = null;
            throw;
        }
    }

    /// <summary>The cgroups an exec'd process joins: the container's, or the existing sub-cgroups named by
    /// <paramref name="subCgroups"/> (<c>--cgroup</c>).</summary>
    static ICgroupManager ExecCgroups(ContainerRecord record, IReadOnlyList<string> subCgroups)
    {
        var cgroups = Cgroups(record);
        if (subCgroups.Count == 0) return cgroups;
        if (cgroups.Paths.Count == 0)
            throw new OciException($"--cgroup \"{subCgroups[0]}\": the container has no cgroup (--cgroup-manager=disabled)");
        var paths = SubCgroups.Resolve(cgroups.Paths, cgroups.Layout, subCgroups);
        foreach (var dir in paths.Values)
            if (!Directory.Exists(dir)) throw new OciException($"--cgroup: sub-cgroup {dir} does not exist");
        return new CgroupManager(paths, cgroups.Layout);
    }

    /// <summary>A copy of the container's own process settings: the base on which <c>exec</c>'s flags build.</summary>
    public Process ProcessTemplate(string id)
    {
        StateStore.ValidateId(id);
        var record = store.TryLoad(id) ?? throw new ContainerNotFoundException(id);
        return record.Config.Process ?? new Process();
    }
}
