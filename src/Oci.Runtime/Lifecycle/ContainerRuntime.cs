using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Oci.Runtime.Bootstrap;
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
    public int Create(string id, string bundle, CreateOptions createOptions)
    {
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
        bundle = Path.GetFullPath(bundle);
        // Executing init's binary and loading it take as long as reading the config and preparing the container:
        // on a machine with more than one CPU they happen side by side (oci-run starts it even earlier, before its
        // .NET runtime, and this takes it over). The bootstrap waits for its message and ends if this method fails
        // before sending it.
        using var bootstrap = InitLauncher.Start(options.InitBinary, options.InitArguments, createOptions.PreserveFds);
        logger.LogDebug("create {Id}: reading {Bundle}/config.json", id, bundle);
        byte[] configJson = SpecLoader.ReadBundleConfig(bundle);
        var spec = SpecLoader.Parse(configJson, out var warnings);
        foreach (var warning in warnings)
            logger.LogWarning("{Path}: {Message}", warning.Path, warning.Message);
        var plan = ContainerPlan.For(spec, bundle, createOptions.ConsoleSocket is not null || createOptions.ConsoleSocketFd >= 0);

        var directory = store.CreateNew(id);
        CgroupManager? cgroups = null;
        LaunchedInit? init = null;
        ContainerRecord? record = null;
        int fifo = -1, consoleSocket = -1, startReader = -1;
        try
        {
            Sys.BecomeChildSubreaper();
            Sys.Mkfifo(directory.ExecFifoPath, 0x192); // 0622
            // mkfifo applies the umask; the container's user, whoever it is, must be able to open it for writing.
            Sys.Chmod(directory.ExecFifoPath, 0x192);
            fifo = Sys.Open(directory.ExecFifoPath, Sys.O_PATH);
            if (startNow) startReader = Sys.Open(directory.ExecFifoPath, Sys.O_RDONLY | Sys.O_NONBLOCK);
            var mounts = CgroupMounts.Read();
            cgroups = options.CgroupsDisabled
                ? new CgroupManager(new Dictionary<string, string>(), mounts.Layout)
                : CgroupManager.ForContainer(id, spec.Linux?.CgroupsPath, mounts);
            cgroups.Create();
            logger.LogDebug("create {Id}: cgroups {Paths}", id, string.Join(' ', cgroups.Paths.Values));
            CheckCgroupIsUsable(cgroups);
            // With --cgroup-manager=disabled there is no cgroup to limit: linux.resources is ignored, as crun does.
            if (!options.CgroupsDisabled) ApplyResources(cgroups, spec);
            if (createOptions.ConsoleSocket is { } socketPath) consoleSocket = ConsoleSocket.Connect(socketPath);
            else if (createOptions.ConsoleSocketFd >= 0) consoleSocket = Sys.DupCloexec(createOptions.ConsoleSocketFd, 3);

            var cgroupManager = cgroups;
            init = InitLauncher.Launch(bootstrap, new LaunchRequest
            {
                CloneFlags = plan.CloneFlags,
                Joins = plan.Joins,
                TimeOffsets = plan.TimeOffsets,
                UidMappings = spec.Linux?.UidMappings,
                GidMappings = spec.Linux?.GidMappings,
                BeforeNamespaces = pid => cgroupManager.AddProcess(pid),
            });
            logger.LogDebug("create {Id}: init {Pid} is in the container's namespaces", id, init.Pid);
            // runc's run --no-subreaper: init is this process's child now; orphans of the container go elsewhere.
            if (createOptions.NoSubreaper) Sys.Prctl(Native.PR_SET_CHILD_SUBREAPER, 0);

            NetworkDevices.MoveInto(spec.Linux?.NetDevices, init.Pid);
            record = new ContainerRecord
            {
                Id = id,
                InitPid = init.Pid,
                InitStartTime = ProcessInfo.StartTime(init.Pid) ?? throw new OciException("container init exited during create"),
                Bundle = bundle,
                Rootfs = plan.Rootfs,
                Created = DateTimeOffset.UtcNow,
                Owner = OwnerName(),
                CgroupPaths = new Dictionary<string, string>(cgroups.Paths),
                CgroupLayout = cgroups.Layout,
                CgroupJoined = [.. cgroups.Joined],
                CgroupCreatedParents = [.. cgroups.CreatedParents],
                NoNewKeyring = createOptions.NoNewKeyring,
            };
            record.SetConfig(spec, configJson);
            int firstRuntimeFd = 3 + createOptions.PreserveFds;
            init.Channel.Send(new InitConfig
            {
                ContainerId = id,
                SpecJson = configJson,
                Bundle = bundle,
                Rootfs = plan.Rootfs,
                NoPivot = createOptions.NoPivot,
                NoNewKeyring = createOptions.NoNewKeyring,
                NewMountNamespace = plan.Creates("mount"),
                NewUserNamespace = plan.Creates("user") || plan.Joins.Any(j => j.Type.Name == "user"),
                NewUtsNamespace = plan.Creates("uts") || plan.Joins.Any(j => j.Type.Name == "uts"),
                NewCgroupNamespace = plan.Creates("cgroup"),
                FirstRuntimeFd = firstRuntimeFd,
                ExecFifoFd = fifo,
                ConsoleSocketFd = consoleSocket,
                CgroupPaths = record.CgroupPaths,
                CgroupMountPoints = mounts.Hierarchies.ToDictionary(h => h.ProcKey, h => h.MountPoint),
                HookState = Describe(record, ContainerStatus.Creating),
                Seccomp = plan.Seccomp,
            });
            AwaitReady(init, spec, record);
            directory.Save(record);
            logger.LogDebug("create {Id}: created; init {Pid} waits for start", id, init.Pid);
            if (createOptions.PidFile is { } pidFile) WriteAtomically(pidFile, init.Pid.ToString(CultureInfo.InvariantCulture));
            return new CreatedContainer(directory, record, startReader);
        }
        catch
        {
            Sys.Close(startReader);
            if (init is not null)
            {
                Sys.Kill(init.Pid, 9);
                Sys.WaitPid(init.Pid);
            }
            // runtime.md: a container that fails during create is destroyed and its poststop hooks run.
            if (record is not null)
                foreach (var failure in HookRunner.RunAll(spec.Hooks?.Poststop, "poststop", Describe(record, ContainerStatus.Stopped)))
                    logger.LogWarning("{Failure}", failure);
            try
            {
                cgroups?.DestroyCreated();
            }
            catch (OciException e)
            {
                logger.LogWarning("cleaning up after a failed create: {Message}", e.Message);
            }
            directory.Remove();
            directory.Dispose();
            throw;
        }
        finally
        {
            init?.Channel.Dispose();
            Sys.Close(fifo);
            Sys.Close(consoleSocket);
        }
    }

    /// <summary>runc's checks of a cgroup that existed before create: processes already in it are allowed, with a
    /// warning; a frozen one is refused, since init would freeze in it and create would never return.</summary>
    void CheckCgroupIsUsable(CgroupManager cgroups)
    {
        if (cgroups.Joined.Count > 0 && cgroups.GetPids() is { Count: > 0 } pids)
            logger.LogWarning("container's cgroup is not empty: {Count} process(es) found", pids.Count);
        if (cgroups.IsFrozen()) throw new OciException("container's cgroup unexpectedly frozen");
    }

    /// <summary>Serves init's requests until it reports that the container is created.</summary>
    void AwaitReady(LaunchedInit init, RuntimeSpec spec, ContainerRecord record)
    {
        while (true)
        {
            InitMessage message;
            try
            {
                message = init.Channel.ReceiveMessage();
            }
            catch (EndOfStreamException)
            {
                throw new OciException("container init exited during create");
            }
            switch (message.Type)
            {
                case InitMessage.Ready:
                    return;
                case InitMessage.Error:
                    throw new OciException(message.Message ?? "container init failed");
                case InitMessage.Warning:
                    logger.LogWarning("{Message}", message.Message);
                    break;
                case InitMessage.Hooks:
                    // prestart (deprecated) and createRuntime run in the runtime's namespaces once the
                    // container's namespaces exist, before pivot_root.
                    var state = Describe(record, ContainerStatus.Creating);
                    logger.LogDebug("create {Id}: running the prestart and createRuntime hooks", record.Id);
                    HookRunner.Run(spec.Hooks?.Prestart, "prestart", state);
                    HookRunner.Run(spec.Hooks?.CreateRuntime, "createRuntime", state);
                    init.Channel.Send(new InitMessage { Type = InitMessage.Resume });
                    break;
                default:
                    throw new OciException($"init protocol: unexpected message {message.Type}");
            }
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
                throw new OciException("cannot start a container that has stopped");
            case ContainerStatus.Running:
                throw new OciException("cannot start an already running container");
            default:
                throw new OciException($"cannot start a container in the {status.ToSpecString()} state");
        }
        logger.LogDebug("start {Id}: opening the exec fifo of init {Pid}", id, record.InitPid);
        ReleaseInit(directory, record, -1);
        logger.LogDebug("start {Id}: the user's process runs", id);
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

    /// <summary>Sends <paramref name="signal"/> to init, or with <paramref name="all"/> to every process of the
    /// container.</summary>
    public void Kill(string id, int signal, bool all)
    {
        using var directory = store.Open(id);
        var record = directory.Load();
        var status = StatusOf(record, directory.Path);
        if (status == ContainerStatus.Stopped && !all) throw new OciException("container not running");
        logger.LogDebug("kill {Id}: signal {Signal} to {Target}", id, signal, all ? "every process" : $"init {record.InitPid}");
        if (all)
        {
            Cgroups(record).Signal(signal);
            return;
        }
        int errno = Sys.Kill(record.InitPid, signal);
        if (errno == 3) throw new OciException("container not running"); // ESRCH
        if (errno != 0) throw new SyscallException($"kill {record.InitPid}", errno);
        // A frozen process dies of SIGKILL only once thawed (v1 freezer): as runc, thaw a paused container for it.
        if (signal == 9 && status == ContainerStatus.Paused) Cgroups(record).Thaw();
    }

    /// <summary>Deletes a container: a stopped or created one always, a running or paused one only with
    /// <paramref name="force"/> (it is killed first). Removes its cgroups and state and runs poststop hooks.</summary>
    public void Delete(string id, bool force)
    {
        ContainerDirectory directory;
        try
        {
            directory = store.Open(id);
        }
        catch (ContainerNotFoundException) when (force)
        {
            // A create that died before writing its state leaves at most an empty directory.
            string leftover = Path.Combine(store.Root, id);
            if (Directory.Exists(leftover)) Directory.Delete(leftover, recursive: true);
            return;
        }
        using (directory)
        {
            var record = directory.Load();
            var status = StatusOf(record, directory.Path);
            if (status is ContainerStatus.Running or ContainerStatus.Paused && !force)
                throw new OciException($"cannot delete container {id} that is not stopped: {status.ToSpecString()}");
            var cgroups = Cgroups(record);
            // As runc: init's end takes every process of its own PID namespace with it, so only a container without
            // one is killed through its cgroup (a cgroup that existed before may hold processes of others). The
            // stored config is read only when that matters.
            bool OwnPidNamespace() => record.Config.Linux?.Namespaces?.Any(n => n.Type == "pid" && string.IsNullOrEmpty(n.Path)) == true;
            if (status != ContainerStatus.Stopped)
            {
                Sys.Kill(record.InitPid, 9);
                if (!OwnPidNamespace()) cgroups.Signal(9);
                if (status == ContainerStatus.Paused) cgroups.Thaw();
                ProcessInfo.WaitForExit(record.InitPid, 10_000);
            }
            else if (cgroups.GetPids().Count > 0 && !OwnPidNamespace())
                cgroups.Signal(9);
            logger.LogDebug("delete {Id}: removing cgroups {Paths}", id, string.Join(' ', cgroups.Paths.Values));
            cgroups.Destroy(Warn);
            logger.LogDebug("delete {Id}: running the poststop hooks", id);
            var failures = HookRunner.RunAll(record.Hooks?.Poststop, "poststop", Describe(record, ContainerStatus.Stopped));
            foreach (var failure in failures) logger.LogWarning("{Failure}", failure);
            directory.Remove();
        }
    }

    /// <summary>Creates and starts a container, then (unless <paramref name="detach"/>) waits for it, forwarding
    /// signals, and deletes it (unless <paramref name="keep"/>). Returns the container's exit status, 128+N when
    /// killed by signal N.</summary>
    public int Run(string id, string bundle, CreateOptions createOptions, bool detach, bool keep)
    {
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
                NoSubreaper = createOptions.NoSubreaper,
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
        logger.LogDebug("run {Id}: init {Pid} exited with status {Status}", id, pid, ExitCode(status));
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
            logger.LogWarning("deleting {Id}: {Message}", id, e.Message);
        }
    }

    /// <summary>The shell's exit code for a wait status.</summary>
    internal static int ExitCode(int waitStatus) =>
        (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f);

    static CgroupManager Cgroups(ContainerRecord record) =>
        new(record.CgroupPaths, record.CgroupLayout, record.CgroupJoined, record.CgroupCreatedParents);

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

    static string OwnerName()
    {
        uint uid = Sys.GetUid();
        return PasswdFile.EntryOf(uid)?[0] ?? uid.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Writes a file through a temporary one renamed over it, so that readers never see it half written.</summary>
    static void WriteAtomically(string path, string contents)
    {
        path = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".tmp");
        Sys.WriteFile(temporary, System.Text.Encoding.UTF8.GetBytes(contents));
        Sys.Rename(temporary, path);
    }
}
