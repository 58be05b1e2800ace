using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Oci.Runtime.Executor;
using Oci.Runtime.Cgroups;
using Oci.Runtime.Init;
using Oci.Runtime.Interop;
using Oci.Runtime.Namespaces;
using Oci.Runtime.Rootfs;
using Oci.Runtime.Spec;
using Oci.Runtime.State;

namespace Oci.Runtime.Lifecycle;

/// <summary>
/// The OCI lifecycle (runtime.md: create, start, state, kill, delete) and runc's <c>run</c> and <c>list</c>, on
/// containers kept in one root directory. Every method is a complete command: it may be called from different
/// processes at once, and commands on one container are serialised by a lock.
/// </summary>
public sealed partial class ContainerRuntime
{
    readonly RuntimeOptions options;
    readonly StateStore store;
    readonly ILogger logger;

    /// <summary>Creates a runtime over <see cref="RuntimeOptions.Root"/>.</summary>
    public ContainerRuntime(RuntimeOptions options, ILogger? logger = null)
    {
        this.options = options;
        store = new StateStore(options.Root);
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Creates container <paramref name="id"/> from the bundle: its init waits on the exec fifo and the
    /// user's process has not run. Returns init's pid. On failure nothing is left behind.</summary>
    /// <exception cref="ArgumentException"><paramref name="createOptions"/> is a <see cref="RunOptions"/>, whose
    /// settings only <see cref="Run"/> honours.</exception>
    public int Create(string id, string bundle, CreateOptions createOptions)
    {
        ArgumentNullException.ThrowIfNull(createOptions);
        if (createOptions is RunOptions)
            throw new ArgumentException("RunOptions (Detach, Keep, NoSubreaper) are Run's: Create takes CreateOptions", nameof(createOptions));
        using var created = CreateLocked(id, bundle, createOptions, startNow: false);
        return created.Record.InitPid;
    }

    /// <summary>A container just created, its directory still locked.</summary>
    sealed class CreatedContainer(ContainerDirectory directory, ContainerRecord record, int startReader) : IDisposable
    {
        public ContainerDirectory Directory { get; } = directory;
        public ContainerRecord Record { get; } = record;
        /// <summary>The exec fifo's read end, opened before init opened its write end (<c>startNow</c>), or -1.</summary>
        public int StartReader { get; private set; } = startReader;

        /// <summary>Hands <see cref="StartReader"/> over to a caller that closes it.</summary>
        public int TakeStartReader()
        {
            int fd = StartReader;
            StartReader = -1;
            return fd;
        }

        public void Dispose()
        {
            Sys.Close(StartReader);
            StartReader = -1;
            Directory.Dispose();
        }
    }

    /// <summary>Creates a container. With <paramref name="startNow"/> (run), the exec fifo's read end is opened before
    /// init is sent its config: init then finds a reader at once and goes on to the user's process as soon as it
    /// has reported ready, while this process writes the state, instead of both taking turns through start.</summary>
    CreatedContainer CreateLocked(string id, string bundle, CreateOptions createOptions, bool startNow)
    {
        StateStore.ValidateId(id);
        CheckPreserveFds(createOptions.PreserveFds);
        // As runc: an empty --bundle is the current directory.
        bundle = Path.GetFullPath(bundle.Length == 0 ? "." : bundle);
        RuntimeLog.CreateReading(logger, id, bundle);
        byte[] configJson = createOptions.ConfigJson ?? SpecLoader.ReadBundleConfig(bundle);
        var spec = SpecLoader.Parse(configJson, out var warnings);
        foreach (var warning in warnings)
            RuntimeLog.FieldWarning(logger, warning.Path, warning.Message);
        var plan = ContainerPlan.For(spec, bundle, createOptions.ConsoleSocket is not null || createOptions.ConsoleSocketFd >= 0);
        foreach (var warning in plan.Seccomp?.Warnings ?? []) RuntimeLog.Warning(logger, warning);

        var directory = store.CreateNew(id);
        ICgroupManager? cgroups = null;
        int initPid = -1;
        ContainerRecord? record = null;
        CreateHost? host = null;
        int fifo = -1, consoleSocket = -1, startReader = -1;
        try
        {
            var mounts = CgroupMounts.Read();
            bool rootless = options.IsRootless;
            if (rootless) Rootless.Check(plan);
            if (rootless && options.SystemdCgroup)
                throw new OciException("--systemd-cgroup: the user's own systemd instance (rootless) is not supported");
            bool cgroupsDisabled = options.CgroupsDisabled;
            cgroups = cgroupsDisabled
                ? new CgroupManager(new Dictionary<string, string>(), mounts.Layout)
                : CgroupDriver.ForContainer(id, spec.Linux?.CgroupsPath, mounts, options.SystemdCgroup);
            if (rootless && !cgroupsDisabled && Rootless.UndelegatedCgroup(cgroups.Paths.Values) is { } undelegated)
            {
                // As runc's rootless mode: no cgroup of its own where none is delegated, rather than no container.
                RuntimeLog.RootlessUndelegated(logger, undelegated, Sys.GetEuid());
                cgroupsDisabled = true;
                cgroups = new CgroupManager(new Dictionary<string, string>(), mounts.Layout);
            }
            // Recorded before anything exists: if this process dies from here on (kill -9, OOM), delete reads the
            // record and removes the cgroups (and, once it is known, init) instead of leaving them behind.
            cgroups.Plan();
            record = NewRecord(id, bundle, plan.Rootfs, cgroups);
            record.NoNewKeyring = createOptions.NoNewKeyring;
            record.SetConfig(spec, configJson);
            directory.SaveCreating(record);
            Sys.Mkfifo(directory.ExecFifoPath, 0x192); // 0622
            // mkfifo applies the umask; the container's user, whoever it is, must be able to open it for writing.
            Sys.Chmod(directory.ExecFifoPath, 0x192);
            fifo = Sys.Open(directory.ExecFifoPath, Sys.O_PATH);
            if (startNow) startReader = Sys.Open(directory.ExecFifoPath, Sys.O_RDONLY | Sys.O_NONBLOCK);
            cgroups.Create();
            RuntimeLog.CreateCgroups(logger, id, cgroups.Paths.Values);
            CheckCgroupIsUsable(cgroups);
            // With --cgroup-manager=disabled there is no cgroup to limit: linux.resources is ignored, as crun does.
            if (!cgroupsDisabled) ApplyResources(cgroups, spec);
            if (createOptions.ConsoleSocket is { } socketPath) consoleSocket = ConsoleSocket.Connect(socketPath);
            else if (createOptions.ConsoleSocketFd >= 0) consoleSocket = Sys.DupCloexec(createOptions.ConsoleSocketFd, 3);

            bool joinsUser = plan.Joins.Any(j => j.Type.Name == "user");
            var context = new SetupContext
            {
                ContainerId = id,
                Spec = spec,
                Bundle = bundle,
                Rootfs = plan.Rootfs,
                NoPivot = createOptions.NoPivot,
                NoNewKeyring = createOptions.NoNewKeyring,
                Rootless = rootless,
                NewMountNamespace = plan.Creates("mount"),
                NewUserNamespace = plan.Creates("user") || joinsUser,
                NewUtsNamespace = plan.Creates("uts") || plan.Joins.Any(j => j.Type.Name == "uts"),
                NewCgroupNamespace = plan.Creates("cgroup"),
                NewNetworkNamespace = plan.Creates("network"),
                NewIpcNamespace = plan.Creates("ipc"),
                FirstRuntimeFd = 3 + createOptions.PreserveFds,
                Descriptors = createOptions.Descriptors,
                CgroupPaths = new Dictionary<string, string>(cgroups.Paths),
                CgroupMountPoints = mounts.Hierarchies.ToDictionary(h => h.ProcKey, h => h.MountPoint),
                Seccomp = plan.Seccomp,
                HeldCapabilities = plan.Creates("user") || joinsUser ? ulong.MaxValue : Sys.CapGetPermitted(),
            };
            host = new CreateHost(directory, record, spec, cgroups, !cgroupsDisabled, context, logger);
            var setupWarnings = new List<string>();
            initPid = ContainerSetup.Create(context, plan, createOptions.PreserveFds, fifo, consoleSocket,
                spec.Linux?.UidMappings, spec.Linux?.GidMappings, host, setupWarnings);
            foreach (var warning in setupWarnings) RuntimeLog.Warning(logger, warning);
            if (record.InitPid <= 0) throw new OciException("container init exited during create");
            directory.Save(record);
            directory.FinishCreating();
            RuntimeLog.Created(logger, id, initPid);
            if (createOptions.PidFile is { } pidFile) PidFile.Write(pidFile, initPid);
            return new CreatedContainer(directory, record, startReader);
        }
        catch (Exception e)
        {
            // Read before the cgroup goes: the OOM killer's count is what tells why init died.
            string? oom = e is InitExitedException && cgroups is not null ? OomExplanation(cgroups, spec) : null;
            Sys.Close(startReader);
            if (initPid > 0)
            {
                Sys.Kill(initPid, 9);
                Sys.WaitPid(initPid);
            }
            // runtime.md: a container that fails during create is destroyed and its poststop hooks run.
            if (record is { InitPid: > 0 })
                foreach (var failure in HookRunner.RunAll(spec.Hooks?.Poststop, "poststop", Describe(record, ContainerStatus.Stopped)))
                    RuntimeLog.Warning(logger, failure);
            try
            {
                cgroups?.DestroyCreated();
            }
            catch (OciException cleanup)
            {
                RuntimeLog.CleanupFailed(logger, "create", cleanup.Message);
            }
            directory.Remove();
            directory.Dispose();
            if (oom is not null) throw new OciException(oom, e);
            throw;
        }
        finally
        {
            Sys.Close(fifo);
            Sys.Close(consoleSocket);
        }
    }

    /// <summary>runc's checks of a cgroup that existed before create: processes already in it are allowed, with a
    /// warning; a frozen one is refused, since init would freeze in it and create would never return.</summary>
    void CheckCgroupIsUsable(ICgroupManager cgroups)
    {
        if (cgroups.Joined.Count > 0 && cgroups.GetPids() is { Count: > 0 } pids)
            RuntimeLog.CgroupNotEmpty(logger, pids.Count);
        if (cgroups.IsFrozen()) throw new OciException("container's cgroup unexpectedly frozen");
    }

    /// <summary>Refuses a <c>--preserve-fds</c> count that this process cannot pass: descriptors 3 to 3+N-1 keep
    /// their numbers and init's own socket goes above them, all below the open-file limit (a hole among them is
    /// fine: the process finds that number closed).</summary>
    static void CheckPreserveFds(int count)
    {
        const int RLIMIT_NOFILE = 7;
        if (count < 0) throw new OciException($"--preserve-fds {count}: must not be negative");
        ulong limit = Sys.GetRlimit(RLIMIT_NOFILE).Soft;
        // 3 + count is the executor's socket, and one more is where it is copied first.
        if ((ulong)count + 5 > limit)
            throw new OciException($"--preserve-fds {count}: descriptors 3 to {(long)count + 2} reach past this process's " +
                                   $"open-file limit (RLIMIT_NOFILE {limit}); at most {(limit < 5 ? 0 : limit - 5)} can be preserved");
    }

    /// <summary>Why init died during create when the OOM killer killed it: the memory limit is too low for it to
    /// start; null when the OOM killer did not act (or its count cannot be read).</summary>
    static string? OomExplanation(ICgroupManager cgroups, RuntimeSpec spec)
    {
        try
        {
            if (cgroups.OomKillCount() == 0) return null;
        }
        catch (Exception e) when (e is OciException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return spec.Linux?.Resources?.Memory?.Limit is long limit and > 0
            ? $"container init was killed by the OOM killer during create: linux.resources.memory.limit ({limit} bytes) is too low for it to start"
            : "container init was killed by the OOM killer during create: the container's memory limit is too low for it to start";
    }

    /// <summary>The runtime's part of a create while the executor works: the cgroups, the record of init once it
    /// exists (saved at once, so that a delete after a kill finds it), network devices and the runtime's hooks.</summary>
    sealed class CreateHost(ContainerDirectory directory, ContainerRecord record, RuntimeSpec spec, ICgroupManager cgroups,
        bool appliesResources, SetupContext context, ILogger logger) : ISetupHost
    {
        public Cgroups.CgroupJoin? OpenCgroupJoin() => cgroups.OpenJoin();

        public void Started(int executorPid) => cgroups.AddProcess(executorPid);

        public void Mounted(int pid)
        {
            record.InitStartTime = ProcessInfo.StartTime(pid) ?? throw new InitExitedException("container init exited during create");
            record.InitPid = pid;
            record.CgroupJoined = [.. cgroups.Joined];
            record.CgroupCreatedParents = [.. cgroups.CreatedParents];
            // init is in the cgroups already; with them disabled, its pid is the only way to find it.
            directory.SaveCreating(record);
            if (appliesResources) ApplyZeroPidsLimit(cgroups, spec);
            NetworkDevices.MoveInto(spec.Linux?.NetDevices, pid);
            context.HookState = Describe(record, ContainerStatus.Creating);
            // prestart (deprecated) and createRuntime run in the runtime's namespaces once the container's
            // namespaces exist, before pivot_root.
            RuntimeLog.CreateHooks(logger, record.Id);
            HookRunner.Run(spec.Hooks?.Prestart, "prestart", context.HookState);
            HookRunner.Run(spec.Hooks?.CreateRuntime, "createRuntime", context.HookState);
        }
    }

    /// <summary>Runs the user's process of a created container.</summary>
    public void Start(string id)
    {
        using var directory = store.Open(id);
        var record = directory.Load();
        var status = StatusOf(record, directory.Path);
        switch (status)
        {
            case ContainerStatus.Created:
                break;
            case ContainerStatus.Stopped:
                throw new ContainerStateException(id, status, "cannot start a container that has stopped");
            case ContainerStatus.Running:
                throw new ContainerStateException(id, status, "cannot start an already running container");
            default:
                throw new ContainerStateException(id, status, $"cannot start a container in the {status.ToSpecString()} state");
        }
        RuntimeLog.StartOpening(logger, id, record.InitPid);
        ReleaseInit(directory, record, -1);
        RuntimeLog.Started(logger, id);
        RunPoststart(record);
    }

    /// <summary>After the user's process was executed: the poststart hooks.</summary>
    void RunPoststart(ContainerRecord record)
    {
        try
        {
            HookRunner.Run(record.Hooks?.Poststart, "poststart", Describe(record, ContainerStatus.Running));
        }
        catch (OciException)
        {
            // runtime.md: a failing poststart hook is an error that stops the container; delete destroys it.
            Sys.Kill(record.InitPid, 9);
            Cgroups(record).Signal(9);
            throw;
        }
    }

    /// <summary>Opens the exec fifo for reading (or takes <paramref name="openReader"/>, opened before init opened the
    /// fifo), which lets init's blocked open for writing complete, and reads until init closes it: "0" then
    /// end-of-file once the user's process has been executed (the descriptor is close-on-exec), or "1" and the error
    /// of a failed startContainer hook.</summary>
    static void ReleaseInit(ContainerDirectory directory, ContainerRecord record, int openReader)
    {
        var received = new List<byte>();
        int fd = openReader >= 0 ? openReader : Sys.Open(directory.ExecFifoPath, Sys.O_RDONLY | Sys.O_NONBLOCK);
        try
        {
            Span<byte> buffer = stackalloc byte[512];
            while (true)
            {
                if (Sys.PollReadable(fd, 100))
                {
                    int n;
                    try
                    {
                        n = Sys.Read(fd, buffer);
                    }
                    catch (SyscallException e) when (e.Errno == 11) // EAGAIN: init has the fifo open, nothing to read yet
                    {
                        continue;
                    }
                    if (n > 0)
                    {
                        received.AddRange(buffer[..n]);
                        continue;
                    }
                    // End-of-file before init ever opened the fifo means nothing yet; after its byte, it has exec'd.
                    if (received.Count > 0) break;
                }
                if (!ProcessInfo.IsAlive(record.InitPid, record.InitStartTime))
                {
                    if (received.Count > 0) break;
                    throw new OciException("container init exited before start");
                }
            }
        }
        finally
        {
            Sys.Close(fd);
        }
        Sys.TryUnlink(directory.ExecFifoPath);
        if (received[0] != (byte)'0')
            throw new OciException(System.Text.Encoding.UTF8.GetString(received.ToArray(), 1, received.Count - 1));
        // "0" and then a failure: init failed after start released it (loading the seccomp filter, the exec).
        if (received.Count > 1 && received[1] == (byte)'1')
            throw new OciException(System.Text.Encoding.UTF8.GetString(received.ToArray(), 2, received.Count - 2));
    }

    /// <summary>The state of container <paramref name="id"/>.</summary>
    public ContainerStateDocument State(string id)
    {
        StateStore.ValidateId(id);
        var record = store.TryLoad(id) ?? throw new ContainerNotFoundException(id);
        return Describe(record, StatusOf(record, Path.Combine(store.Root, id)));
    }

    /// <summary>The state of every container in the root.</summary>
    public IReadOnlyList<ContainerStateDocument> List()
    {
        var result = new List<ContainerStateDocument>();
        foreach (var id in store.ListIds())
            if (store.TryLoad(id) is { } record)
                result.Add(Describe(record, StatusOf(record, Path.Combine(store.Root, id))));
        return result;
    }

    /// <summary>Sends <paramref name="signal"/> to init, or with <see cref="KillOptions.All"/> to every process of
    /// the container. Signal 0 only checks that init is alive.</summary>
    /// <exception cref="ContainerNotFoundException">No such container.</exception>
    /// <exception cref="ContainerStateException">The container has stopped (<c>container not running</c>).</exception>
    public void Kill(string id, Signal signal, KillOptions? options = null) => Kill(id, (int)signal, options?.All ?? false);

    /// <summary>The signal <c>kill</c> sends when it is given none: the container's
    /// <c>org.opencontainers.image.stopSignal</c> annotation (config.md, Annotations), or SIGTERM.</summary>
    /// <exception cref="ContainerNotFoundException">No such container.</exception>
    public Signal StopSignal(string id)
    {
        StateStore.ValidateId(id);
        var record = store.TryLoad(id) ?? throw new ContainerNotFoundException(id);
        return SignalNames.StopSignal(record.Annotations);
    }

    void Kill(string id, int signal, bool all)
    {
        using var directory = store.Open(id);
        var record = directory.Load();
        var status = StatusOf(record, directory.Path);
        if (status == ContainerStatus.Stopped && !all) throw new ContainerStateException(id, status, "container not running");
        if (logger.IsEnabled(LogLevel.Debug)) RuntimeLog.Killing(logger, id, signal, all ? "every process" : $"init {record.InitPid}");
        if (all)
        {
            Cgroups(record).Signal(signal);
            return;
        }
        int errno = Sys.Kill(record.InitPid, signal);
        if (errno == 3) throw new ContainerStateException(id, ContainerStatus.Stopped, "container not running"); // ESRCH
        if (errno != 0) throw new SyscallException($"kill {record.InitPid}", errno);
        // A frozen process dies of SIGKILL only once thawed (v1 freezer): as runc, thaw a paused container for it.
        if (signal == 9 && status == ContainerStatus.Paused) Cgroups(record).Thaw();
    }

    /// <summary>Deletes a container: a stopped or created one always, a running or paused one only with
    /// <see cref="DeleteOptions.Force"/> (it is killed first). Removes its cgroups and state and runs poststop hooks.
    /// A container whose create died before it finished (only the create's record in its directory) is removed in
    /// the same way, with or without force. Safe to run again after it was itself interrupted at any point:
    /// state.json goes last.</summary>
    /// <exception cref="ContainerNotFoundException">No such container (never with force).</exception>
    /// <exception cref="ContainerStateException">The container runs or is paused, and force is not set.</exception>
    public void Delete(string id, DeleteOptions? options = null) => Delete(id, options?.Force ?? false);

    void Delete(string id, bool force)
    {
        ContainerDirectory directory;
        try
        {
            // Waits for a create of this id that is still running: it then either finished or removed everything.
            directory = store.OpenAny(id);
        }
        catch (ContainerNotFoundException) when (force)
        {
            return;
        }
        using (directory)
        {
            var record = directory.TryLoad();
            if (record is null)
            {
                // A create that died: its record names what it made; without one (it died before writing it), only
                // the directory exists. Either way the lock says that no create works on it any more.
                var partial = directory.TryLoadCreating();
                if (partial is not null) Destroy(partial, runPoststop: partial.InitPid > 0);
                directory.Remove();
                if (partial is null && !force) throw new ContainerNotFoundException(id);
                return;
            }
            var status = StatusOf(record, directory.Path);
            if (status is ContainerStatus.Running or ContainerStatus.Paused && !force)
                throw new ContainerStateException(id, status, $"cannot delete container {id} that is not stopped: {status.ToSpecString()}");
            Destroy(record, runPoststop: true);
            directory.Remove();
        }
    }

    /// <summary>Kills every process of a container, removes its cgroups and runs its poststop hooks. Each step
    /// looks at what is there rather than at what the record says the container was doing, so that running this
    /// again after an interruption finishes the work.</summary>
    void Destroy(ContainerRecord record, bool runPoststop)
    {
        var cgroups = Cgroups(record);
        // A frozen process does not die of SIGKILL until it is thawed: thaw first, so that a delete interrupted
        // after this point never leaves the container frozen with its processes unkillable.
        if (cgroups.IsFrozen()) cgroups.Thaw();
        bool initAlive = record.InitPid > 0 && ProcessInfo.IsAlive(record.InitPid, record.InitStartTime);
        if (initAlive) Sys.Kill(record.InitPid, 9);
        // As runc: init's end takes every process of its own PID namespace with it, so only a container without one
        // (or one whose init never ran) is killed through its cgroup: a cgroup that existed before may hold processes
        // of others.
        // The cgroup is looked at first: it is almost always empty by now, and the config is only parsed (from
        // state.json's text) when it is not.
        if (cgroups.GetPids().Count > 0 && !(record.InitPid > 0 &&
                record.Config.Linux?.Namespaces?.Any(n => n.Type == "pid" && string.IsNullOrEmpty(n.Path)) == true))
            cgroups.Signal(9);
        if (initAlive) ProcessInfo.WaitForExit(record.InitPid, 10_000);
        RuntimeLog.DeleteCgroups(logger, record.Id, cgroups.Paths.Values);
        cgroups.Destroy(Warn);
        if (!runPoststop) return;
        var failures = HookRunner.RunAll(record.Hooks?.Poststop, "poststop", Describe(record, ContainerStatus.Stopped));
        foreach (var failure in failures) RuntimeLog.Warning(logger, failure);
    }

    /// <summary>Creates and starts a container, then (unless <see cref="RunOptions.Detach"/>) waits for it,
    /// forwarding the signals this process receives to it, and deletes it (unless <see cref="RunOptions.Keep"/>).
    /// Returns the container's exit status, 128+N when killed by signal N; 0 when detached.</summary>
    /// <remarks>Process-wide: this process becomes a child subreaper (unless <see cref="RunOptions.NoSubreaper"/>),
    /// and while it waits it handles the signals it forwards. A container with <c>process.terminal</c> and no
    /// console socket gets its pty relayed to this process's stdio.</remarks>
    public int Run(string id, string bundle, RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        bool detach = options.Detach, keep = options.Keep;
        CreateOptions createOptions = options;
        // As runc's run: this process reaps what the container orphans (a container without its own PID namespace),
        // unless --no-subreaper. init itself is this process's child either way.
        if (!options.NoSubreaper) Sys.BecomeChildSubreaper();
        // In the foreground without a console socket, a container with a terminal gets its pty from this process.
        using var relay = detach || createOptions.ConsoleSocket is not null ? null : TerminalRelay.Create();
        if (relay is not null)
        {
            createOptions = new CreateOptions
            {
                PidFile = createOptions.PidFile,
                NoPivot = createOptions.NoPivot,
                NoNewKeyring = createOptions.NoNewKeyring,
                PreserveFds = createOptions.PreserveFds,
                ConsoleSocketFd = relay.ContainerEnd,
            };
        }
        int pid;
        using (var created = CreateLocked(id, bundle, createOptions, startNow: true))
        {
            pid = created.Record.InitPid;
            try
            {
                relay?.Start();
                ReleaseInit(created.Directory, created.Record, created.TakeStartReader());
                RunPoststart(created.Record);
            }
            catch
            {
                created.Dispose();
                TryDelete(id);
                // init is this process's child: reap it, so that no zombie of the container outlives the command.
                try
                {
                    Sys.WaitPid(pid);
                }
                catch (SyscallException) { }
                throw;
            }
        }
        if (detach) return 0;
        int status;
        using (SignalForwarding.To(pid))
            status = Sys.WaitPid(pid);
        RuntimeLog.RunExited(logger, id, pid, ExitCode(status));
        if (!keep) TryDelete(id);
        return ExitCode(status);
    }

    void TryDelete(string id)
    {
        try
        {
            Delete(id, force: true);
        }
        catch (OciException e)
        {
            RuntimeLog.DeleteFailed(logger, id, e.Message);
        }
    }

    /// <summary>The shell's exit code for a wait status.</summary>
    internal static int ExitCode(int waitStatus) =>
        (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f);

    static ICgroupManager Cgroups(ContainerRecord record) =>
        CgroupDriver.Restore(record.CgroupPaths, record.CgroupLayout, record.CgroupJoined, record.CgroupCreatedParents,
            record.SystemdSlice, record.SystemdUnit);

    static ContainerStatus StatusOf(ContainerRecord record, string directory)
    {
        if (!ProcessInfo.IsAlive(record.InitPid, record.InitStartTime)) return ContainerStatus.Stopped;
        if (File.Exists(Path.Combine(directory, StateStore.ExecFifoName))) return ContainerStatus.Created;
        if (Cgroups(record).IsFrozen()) return ContainerStatus.Paused;
        return ContainerStatus.Running;
    }

    static ContainerStateDocument Describe(ContainerRecord record, ContainerStatus status) => new()
    {
        OciVersion = SpecNames.OciVersion,
        Id = record.Id,
        Status = status.ToSpecString(),
        Pid = status == ContainerStatus.Stopped ? 0 : record.InitPid,
        Bundle = record.Bundle,
        Rootfs = record.Rootfs,
        Created = record.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        Owner = record.Owner,
        Annotations = record.Annotations,
    };

    /// <summary>The record of a new container (create's and restore's), written before anything of it exists:
    /// where it is, who made it, and the cgroups that delete must remove.</summary>
    static ContainerRecord NewRecord(string id, string bundle, string rootfs, ICgroupManager cgroups) => new()
    {
        Id = id,
        Bundle = bundle,
        Rootfs = rootfs,
        Created = DateTimeOffset.UtcNow,
        Owner = OwnerName(),
        CgroupPaths = new Dictionary<string, string>(cgroups.Paths),
        CgroupLayout = cgroups.Layout,
        CgroupJoined = [.. cgroups.Joined],
        CgroupCreatedParents = [.. cgroups.CreatedParents],
        SystemdSlice = (cgroups as Cgroups.Systemd.SystemdCgroupManager)?.Name.Slice,
        SystemdUnit = (cgroups as Cgroups.Systemd.SystemdCgroupManager)?.Name.Unit,
    };

    static string OwnerName()
    {
        uint uid = Sys.GetUid();
        return PasswdFile.EntryOf(uid)?[0] ?? uid.ToString(CultureInfo.InvariantCulture);
    }
}
