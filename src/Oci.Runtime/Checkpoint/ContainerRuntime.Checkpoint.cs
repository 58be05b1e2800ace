using System.Text.Json;
using Microsoft.Extensions.Logging;
using Oci.Runtime.Cgroups;
using Oci.Runtime.Checkpoint;
using Oci.Runtime.Checkpoint.Rpc;
using Oci.Runtime.Interop;
using Oci.Runtime.Rootfs;
using Oci.Runtime.Spec;
using Oci.Runtime.State;

namespace Oci.Runtime.Lifecycle;

/// <summary>runc's <c>checkpoint</c> and <c>restore</c>, through CRIU's RPC service (see <see cref="CriuService"/>).</summary>
public sealed partial class ContainerRuntime
{
    /// <summary>The file in the image directory that names init's stdio as CRIU sees it ("pipe:[N]", a path, ...),
    /// by descriptor number; restore hands the caller's descriptors to CRIU for the pipes among them (runc's file).</summary>
    const string DescriptorsFile = "descriptors.json";

    /// <summary>Checkpoints a running (or paused) container into <see cref="CheckpointOptions.ImagePath"/> with
    /// CRIU. Unless <see cref="CheckpointOptions.LeaveRunning"/> or <see cref="CheckpointOptions.PreDump"/>, CRIU
    /// stops the container's processes and the container is deleted (its poststop hooks run), as runc does.</summary>
    public void Checkpoint(string id, CheckpointOptions checkpoint)
    {
        StateStore.ValidateId(id);
        using var directory = store.Open(id);
        var record = directory.Load();
        var status = StatusOf(record, directory.Path);
        if (status is ContainerStatus.Created or ContainerStatus.Stopped)
            throw new OciException($"container {id} cannot be checkpointed in the {status.ToSpecString()} state");
        var criu = CriuService.Locate(options.CriuPath);
        (string Address, int Port)? pageServer = checkpoint.PageServer is { } ps ? ParsePageServer(ps) : null;
        if (checkpoint.LazyPages && pageServer is null)
            throw new OciException("--lazy-pages: needs --page-server ADDRESS:PORT, the port criu lazy-pages fetches the pages from");
        if (checkpoint.StatusFd >= 0 && !checkpoint.LazyPages)
            throw new OciException("--status-fd: only with --lazy-pages");
        if (checkpoint.StatusFd >= 0)
        {
            int flags = Sys.TryGetStatusFlags(checkpoint.StatusFd);
            if (flags < 0) throw new OciException($"--status-fd {checkpoint.StatusFd}: not an open descriptor");
            if ((flags & 3) == Sys.O_RDONLY) throw new OciException($"--status-fd {checkpoint.StatusFd}: not open for writing");
            // Only this process writes it (at CRIU's status-ready): CRIU, holding a copy, would keep the reader from
            // seeing it closed until the whole migration is over. (Stdio stays CRIU's stdio.)
            if (checkpoint.StatusFd > 2) Sys.SetCloexec(checkpoint.StatusFd);
        }
        if (checkpoint.LazyPages && LazyPageServerBlocker(PipeMaxSize(), HasCapSysResource()) is { } blocker)
            throw new OciException($"--lazy-pages: {blocker}");
        criu.RequireFeatures(memoryTracking: checkpoint.PreDump || !string.IsNullOrEmpty(checkpoint.ParentPath),
            lazyPages: checkpoint.LazyPages);
        var spec = record.Config;

        string images = MakeDirectory(checkpoint.ImagePath, "--image-path");
        string? work = checkpoint.WorkPath is { Length: > 0 } w ? MakeDirectory(w, "--work-path") : null;
        int imagesFd = -1, workFd = -1;
        try
        {
            imagesFd = Sys.Open(images, Sys.O_RDONLY | Sys.O_DIRECTORY);
            if (work is not null) workFd = Sys.Open(work, Sys.O_RDONLY | Sys.O_DIRECTORY);
            var opts = new Options
            {
                ImagesDirFd = imagesFd,
                LogLevel = 4,
                LogFile = "dump.log",
                Root = record.Rootfs,
                ManageCgroups = true,
                ManageCgroupsMode = RpcMode(checkpoint.CgroupsMode),
                NotifyScripts = true,
                Pid = record.InitPid,
                ShellJob = checkpoint.ShellJob,
                LeaveRunning = checkpoint.LeaveRunning,
                TcpEstablished = checkpoint.TcpEstablished,
                ExtUnixSk = checkpoint.ExternalUnixSockets,
                FileLocks = checkpoint.FileLocks,
                EmptyNs = EmptyNamespaceFlags(checkpoint.EmptyNamespaces),
                OrphanPtsMaster = true,
                AutoDedup = checkpoint.AutoDedup,
                LazyPages = checkpoint.LazyPages,
            };
            // As runc: the address only where the pages are sent; a lazy dump listens on the port on every address.
            if (pageServer is { } server)
                opts.Ps = checkpoint.LazyPages ? new PageServerInfo { Port = server.Port } : new PageServerInfo { Address = server.Address, Port = server.Port };
            if (workFd >= 0) opts.WorkDirFd = workFd;
            ApplyCriuConfigFile(opts, record.Annotations);
            // Namespaces the container joined by path (a network or PID namespace made by someone else) are not
            // dumped: CRIU records them as external, and restore hands it the namespace to use.
            foreach (var ns in spec.Linux?.Namespaces ?? [])
                if (ns.Type is "network" or "pid" && !string.IsNullOrEmpty(ns.Path))
                    opts.External.Add($"{CriuNamespaceName(ns.Type)}[{Sys.FileIdentity(ns.Path).Inode}]:{ExternalNamespaceKey(ns.Type)}");
            // CRIU freezes the container through its freezer cgroup rather than stopping each task with ptrace.
            if (record.CgroupPaths.TryGetValue("freezer", out var freezer)) opts.FreezeCgroup = freezer;
            else if (record.CgroupLayout == CgroupLayout.Unified && record.CgroupPaths.TryGetValue("", out var unified))
                opts.FreezeCgroup = unified;
            if (checkpoint.ParentPath is { Length: > 0 } parent)
            {
                opts.ParentImg = parent;
                opts.TrackMem = true;
            }

            if (!checkpoint.PreDump)
            {
                foreach (var (key, _) in ExternalMounts(spec, record.Bundle, record.CgroupPaths, restoring: false))
                    opts.ExtMnt.Add(new ExtMountMap { Key = key, Val = key });
                // A masked file is /dev/null bound over it: an external mount whose source restore names again.
                foreach (var masked in spec.Linux?.MaskedPaths ?? [])
                {
                    string inContainer = $"/proc/{record.InitPid}/root/{masked.TrimStart('/')}";
                    if (File.Exists(inContainer)) opts.ExtMnt.Add(new ExtMountMap { Key = RestoreMountPoints.Clean(masked), Val = "/dev/null" });
                }
                WriteDescriptors(images, record.InitPid);
            }
            var request = new Request { Type = checkpoint.PreDump ? RequestType.PreDump : RequestType.Dump, Opts = opts };
            RuntimeLog.Checkpointing(logger, id, criu.Path, request.Type, record.InitPid, images);
            int statusFd = checkpoint.StatusFd;
            try
            {
                criu.Call(request, [], null, (notice, _) =>
                {
                    RuntimeLog.CheckpointNotice(logger, id, notice.Script);
                    if (notice.Script == "status-ready" && statusFd >= 0)
                    {
                        // The lazy page server listens: the caller may start the restore.
                        Sys.WriteAll(statusFd, [0]);
                        Sys.Close(statusFd);
                        statusFd = -1;
                    }
                });
            }
            catch (CriuException e)
            {
                throw new CriuException(WithLog(e, Path.Combine(work ?? images, "dump.log")), e.Detail);
            }
            if (checkpoint.LeaveRunning || checkpoint.PreDump) return;
            // CRIU has killed the container's processes: what is left is the container's record and cgroups.
            RuntimeLog.CheckpointDumped(logger, id);
            Destroy(record, runPoststop: true);
            directory.Remove();
        }
        finally
        {
            Sys.Close(imagesFd);
            Sys.Close(workFd);
        }
    }

    /// <summary>Restores container <paramref name="id"/> from a checkpoint into the bundle's config and rootfs: its
    /// cgroups are made as for create, CRIU restores the processes into them, and the container is then an
    /// ordinary running container. Unless <see cref="RestoreOptions.Detach"/>, waits for it as <see cref="Run"/>
    /// does and deletes it, returning its exit status. On failure nothing is left behind.</summary>
    public int Restore(string id, RestoreOptions restore)
    {
        StateStore.ValidateId(id);
        // The scope would have to be started with a process CRIU has not made yet; runc restores systemd-driven
        // containers through a scope it starts for itself, which is not done here.
        if (options.SystemdCgroup)
            throw new OciException("--systemd-cgroup: restore with the systemd cgroup driver is not supported");
        var criu = CriuService.Locate(options.CriuPath);
        string images = Path.GetFullPath(restore.ImagePath);
        if (!Directory.Exists(images)) throw new OciException($"--image-path {restore.ImagePath}: does not exist");
        var descriptors = ReadDescriptors(images);
        string? work = restore.WorkPath is { Length: > 0 } w ? MakeDirectory(w, "--work-path") : null;
        string bundle = Path.GetFullPath(restore.Bundle.Length == 0 ? "." : restore.Bundle);
        byte[] configJson = SpecLoader.ReadBundleConfig(bundle);
        var spec = SpecLoader.Parse(configJson, out var warnings);
        foreach (var warning in warnings) RuntimeLog.FieldWarning(logger, warning.Path, warning.Message);
        var plan = ContainerPlan.For(spec, bundle, hasConsoleSocket: true);
        criu.RequireFeatures(memoryTracking: false, lazyPages: restore.LazyPages);
        uint emptyNs = EmptyNamespaceFlags(restore.EmptyNamespaces);
        foreach (var ns in spec.Linux?.Namespaces ?? [])
            if (ns.Type == "cgroup" && !string.IsNullOrEmpty(ns.Path))
                throw new OciException("linux.namespaces: CRIU cannot restore into a cgroup namespace joined by path");
        if (!restore.Detach && !restore.NoSubreaper) Sys.BecomeChildSubreaper();

        var directory = store.CreateNew(id);
        CgroupManager? cgroups = null;
        ContainerRecord? record = null;
        string criuRoot = Path.Combine(directory.Path, "criu-root");
        bool mounted = false;
        int imagesFd = -1, workFd = -1, consoleSocket = -1, pid = -1;
        var inherited = new List<int>();
        try
        {
            var mounts = CgroupMounts.Read();
            cgroups = options.CgroupsDisabled
                ? new CgroupManager(new Dictionary<string, string>(), mounts.Layout)
                : CgroupManager.ForContainer(id, spec.Linux?.CgroupsPath, mounts);
            cgroups.Plan();
            record = NewRecord(id, bundle, plan.Rootfs, cgroups);
            record.SetConfig(spec, configJson);
            directory.SaveCreating(record);
            cgroups.Create();
            CheckCgroupIsUsable(cgroups);
            if (!options.CgroupsDisabled) ApplyResources(cgroups, spec);
            record.CgroupJoined = [.. cgroups.Joined];
            record.CgroupCreatedParents = [.. cgroups.CreatedParents];
            directory.SaveCreating(record);
            if (restore.ConsoleSocket is { } socketPath) consoleSocket = ConsoleSocket.Connect(socketPath);

            RestoreMountPoints.Make(spec, plan.Rootfs, bundle);
            // CRIU wants a root that is a mount point whose parent is not overmounted: the rootfs bound on a
            // directory of the container's own.
            Directory.CreateDirectory(criuRoot);
            Sys.BindMountRecursive(plan.Rootfs, criuRoot);
            mounted = true;
            imagesFd = Sys.Open(images, Sys.O_RDONLY | Sys.O_DIRECTORY);
            if (work is not null) workFd = Sys.Open(work, Sys.O_RDONLY | Sys.O_DIRECTORY);
            var opts = new Options
            {
                ImagesDirFd = imagesFd,
                EvasiveDevices = true,
                LogLevel = 4,
                LogFile = "restore.log",
                RstSibling = true,
                Root = criuRoot,
                ManageCgroups = true,
                ManageCgroupsMode = RpcMode(restore.CgroupsMode),
                NotifyScripts = true,
                ShellJob = restore.ShellJob,
                ExtUnixSk = restore.ExternalUnixSockets,
                TcpEstablished = restore.TcpEstablished,
                FileLocks = restore.FileLocks,
                EmptyNs = emptyNs,
                // A shell job's terminal (a container without one of its own, run on the caller's) is inherited:
                // CRIU gives the restored processes its own stdin, the restore's terminal. Otherwise CRIU makes a new
                // pty pair and sends its master (orphan-pts-master), which only a container terminal has a use for.
                OrphanPtsMaster = !(restore.ShellJob && spec.Process?.Terminal != true),
                AutoDedup = restore.AutoDedup,
                LazyPages = restore.LazyPages,
            };
            if (workFd >= 0) opts.WorkDirFd = workFd;
            ApplyCriuConfigFile(opts, spec.Annotations);
            foreach (var ns in spec.Linux?.Namespaces ?? [])
            {
                if (string.IsNullOrEmpty(ns.Path)) continue;
                if (ns.Type is "network" or "pid")
                {
                    // The namespace recorded as external at checkpoint: CRIU takes it as a descriptor of its own.
                    inherited.Add(Sys.Open(ns.Path, Sys.O_RDONLY));
                    opts.InheritFd.Add(new InheritFd { Key = ExternalNamespaceKey(ns.Type), Fd = 3 + inherited.Count });
                }
                else opts.JoinNs.Add(new JoinNamespace { Ns = CriuNamespaceName(ns.Type), NsFile = ns.Path });
            }
            foreach (var (key, source) in ExternalMounts(spec, bundle, cgroups.Paths, restoring: true))
                opts.ExtMnt.Add(new ExtMountMap { Key = key, Val = source });
            if (spec.Linux?.MaskedPaths is { Count: > 0 })
                opts.ExtMnt.Add(new ExtMountMap { Key = "/dev/null", Val = "/dev/null" });
            // The container's stdio pipes, by the names they had at checkpoint, become the caller's (CRIU's own
            // stdio is this process's): how containerd's and podman's pipes are reconnected.
            for (int i = 0; i < descriptors.Count; i++)
                if (descriptors[i].Contains("pipe:", StringComparison.Ordinal))
                    opts.InheritFd.Add(new InheritFd { Key = descriptors[i], Fd = i });

            var request = new Request { Type = RequestType.Restore, Opts = opts };
            var hookState = record;
            Response response;
            try
            {
                response = criu.Call(request, inherited, criuPid =>
                {
                    if (options.CgroupsDisabled) return;
                    // CRIU restores the processes into the cgroups it is in: the container's, made above.
                    cgroups.AddProcess(criuPid);
                    foreach (var (controllers, path) in CgroupMounts.ReadProcessCgroups(criuPid.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    {
                        if (controllers.Length == 0) opts.CgRoot.Add(new CgroupRoot { Path = path });
                        else
                            foreach (var controller in controllers.Split(','))
                                opts.CgRoot.Add(new CgroupRoot { Ctrl = controller, Path = path });
                    }
                }, (notice, fds) =>
                {
                    RuntimeLog.RestoreNotice(logger, id, notice.Script, notice.Pid);
                    switch (notice.Script)
                    {
                        case "setup-namespaces":
                            // As runc: the runtime's hooks run once the namespaces exist, before the processes do.
                            var state = Describe(hookState, ContainerStatus.Creating);
                            state.Pid = notice.Pid;
                            HookRunner.Run(spec.Hooks?.Prestart, "prestart", state);
                            HookRunner.Run(spec.Hooks?.CreateRuntime, "createRuntime", state);
                            break;
                        case "post-restore":
                            pid = notice.Pid;
                            hookState.InitPid = pid;
                            hookState.InitStartTime = ProcessInfo.StartTime(pid) ?? 0;
                            directory.SaveCreating(hookState);
                            break;
                        case "orphan-pts-master":
                            if (fds.Length == 0) throw new OciException("criu sent no terminal with orphan-pts-master");
                            if (consoleSocket < 0)
                                throw new OciException("the checkpointed container has a terminal: restore needs --console-socket");
                            if (!Sys.SendMessage(consoleSocket, "/dev/ptmx"u8, [fds[0]]))
                                throw new OciException("--console-socket: the receiver closed the socket");
                            break;
                    }
                });
            }
            catch (CriuException e)
            {
                throw new CriuException(WithLog(e, Path.Combine(work ?? images, "restore.log")), e.Detail);
            }
            if (response.Restore is { } restored) pid = restored.Pid;
            if (pid <= 0) throw new OciException("criu restored no process");
            record.InitPid = pid;
            record.InitStartTime = ProcessInfo.StartTime(pid) ?? throw new OciException("the restored container's init exited at once");
            directory.Save(record);
            directory.FinishCreating();
            if (restore.PidFile is { } pidFile) PidFile.Write(pidFile, pid);
            RuntimeLog.Restored(logger, id, pid);
        }
        catch
        {
            if (pid > 0)
            {
                Sys.Kill(pid, 9);
                try
                {
                    Sys.WaitPid(pid);
                }
                catch (SyscallException) { }
            }
            try
            {
                if (record is not null) Destroy(record, runPoststop: false);
                else cgroups?.DestroyCreated();
            }
            catch (OciException cleanup)
            {
                RuntimeLog.CleanupFailed(logger, "restore", cleanup.Message);
            }
            if (mounted) Sys.TryDetachUnmount(criuRoot);
            mounted = false;
            directory.Remove();
            throw;
        }
        finally
        {
            if (mounted)
            {
                Sys.TryDetachUnmount(criuRoot);
                Sys.TryRmdir(criuRoot);
            }
            foreach (int fd in inherited) Sys.Close(fd);
            Sys.Close(imagesFd);
            Sys.Close(workFd);
            Sys.Close(consoleSocket);
            directory.Dispose();
        }
        if (restore.Detach) return 0;
        int status;
        using (SignalForwarding.To(pid))
            status = Sys.WaitPid(pid);
        RuntimeLog.RestoreExited(logger, id, pid, ExitCode(status));
        TryDelete(id);
        return ExitCode(status);
    }

    /// <summary><c>--page-server</c>'s <c>ADDRESS:PORT</c> (an IPv6 address in brackets), as runc splits it; a
    /// one-line error naming the flag otherwise.</summary>
    internal static (string Address, int Port) ParsePageServer(string value)
    {
        int colon = value.LastIndexOf(':');
        string address = colon > 0 ? value[..colon] : "";
        if (address.StartsWith('[') && address.EndsWith(']')) address = address[1..^1];
        else if (address.Contains(':')) address = ""; // an IPv6 address without brackets: its port is not known
        if (address.Length == 0 || address.Contains('[') || address.Contains(']') ||
            !int.TryParse(value.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) ||
            port is < 1 or > 65535)
            throw new OciException($"--page-server {value}: must be ADDRESS:PORT (a port from 1 to 65535)");
        return (address, port);
    }

    /// <summary>The pipe CRIU's lazy page server reads the frozen container's pages through: CRIU 4 asks for as many
    /// pages as 8 pages hold struct pipe_buffers (819), which the kernel rounds up to a power of two: 1024 pages.</summary>
    internal const long LazyPagesPipeSize = 4 * 1024 * 1024;

    /// <summary>Why CRIU's lazy page server would serve nothing on this host, or null. It sizes its pipe with
    /// F_SETPIPE_SZ to <see cref="LazyPagesPipeSize"/>, which above fs.pipe-max-size needs CAP_SYS_RESOURCE, and
    /// ignores the failure: the first page asked for then fails ("page-pipe: splice: -1: Bad file descriptor",
    /// "Lazy pages transfer FAILED") after the container was frozen and a restore had begun.</summary>
    internal static string? LazyPageServerBlocker(long pipeMaxSize, bool capSysResource) =>
        capSysResource || pipeMaxSize >= LazyPagesPipeSize
            ? null
            : $"CRIU's lazy page server needs a pipe of {LazyPagesPipeSize} bytes, above fs.pipe-max-size ({pipeMaxSize}), and oci-run lacks CAP_SYS_RESOURCE (sysctl -w fs.pipe-max-size={LazyPagesPipeSize} allows it)";

    /// <summary>/proc/sys/fs/pipe-max-size, or the kernel's default (1 MiB) when it cannot be read.</summary>
    static long PipeMaxSize() =>
        Sys.TryReadText("/proc/sys/fs/pipe-max-size") is { } text &&
        long.TryParse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture, out long size)
            ? size
            : 1024 * 1024;

    /// <summary>Whether this process has CAP_SYS_RESOURCE (24) in its effective set, which CRIU inherits.</summary>
    static bool HasCapSysResource()
    {
        foreach (var line in (Sys.TryReadText("/proc/self/status") ?? "").Split('\n'))
            if (line.StartsWith("CapEff:", StringComparison.Ordinal) &&
                ulong.TryParse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out ulong caps))
                return (caps & (1UL << 24)) != 0;
        return false;
    }

    static CgroupMode RpcMode(CriuCgroupsMode mode) => mode switch
    {
        CriuCgroupsMode.Soft => CgroupMode.CgSoft,
        CriuCgroupsMode.Full => CgroupMode.CgFull,
        CriuCgroupsMode.Strict => CgroupMode.CgStrict,
        CriuCgroupsMode.Ignore => CgroupMode.CgIgnore,
        _ => CgroupMode.CgDefault,
    };

    /// <summary>runc's annotation <c>org.criu.config</c>: a CRIU configuration file for this container (its
    /// settings override the RPC's); empty or absent for none.</summary>
    static void ApplyCriuConfigFile(Options opts, IReadOnlyDictionary<string, string>? annotations)
    {
        if (annotations is not null && annotations.TryGetValue("org.criu.config", out var file) && file.Length > 0)
            opts.ConfigFile = file;
    }

    /// <summary>CRIU's name of a namespace type (the spec's "network" is its "net").</summary>
    /// <summary>The namespaces <c>--empty-ns</c> may name, as CLONE_ flags: runc's only one is <c>network</c>
    /// (a network namespace set up by the caller, left empty by CRIU).</summary>
    static uint EmptyNamespaceFlags(IReadOnlyList<string> names)
    {
        uint flags = 0;
        foreach (var name in names)
            flags |= name switch
            {
                "network" => 0x40000000u, // CLONE_NEWNET
                _ => throw new OciException($"--empty-ns: namespace \"{name}\" is not supported: only network"),
            };
        return flags;
    }

    static string CriuNamespaceName(string type) => type == "network" ? "net" : type;

    /// <summary>The key under which an external namespace is dumped and found again (runc's keys).</summary>
    static string ExternalNamespaceKey(string type) => type == "network" ? "extRootNetNS" : "extRootPidNS";

    /// <summary>The container's mounts that come from outside its mount namespace, which CRIU dumps by name only
    /// (<c>ext_mnt</c>): bind mounts, the cgroup directories bound into a v1 /sys/fs/cgroup without a cgroup
    /// namespace, and the devices. Each comes with its source on this host: the bundle's source of a bind, the new
    /// container's cgroup directory, the host's device.</summary>
    static IEnumerable<(string Key, string Source)> ExternalMounts(RuntimeSpec spec, string bundle, IReadOnlyDictionary<string, string> cgroupPaths, bool restoring)
    {
        bool cgroupNamespace = spec.Linux?.Namespaces?.Any(n => n.Type == "cgroup") == true;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mount in spec.Mounts ?? [])
        {
            string destination = RestoreMountPoints.Clean(mount.Destination);
            if (mount.Type == "bind" || MountOptions.Parse(mount.Options).IsBind)
            {
                string source = mount.Source ?? "";
                if (!source.StartsWith('/')) source = Path.Combine(bundle, source);
                if (seen.Add(destination)) yield return (destination, source);
            }
            else if (mount.Type == "cgroup" && !cgroupNamespace)
            {
                var hierarchies = CgroupMounts.Read().Hierarchies;
                if (hierarchies.Count == 1 && hierarchies[0].IsUnified) continue; // a real cgroup2 mount
                foreach (var hierarchy in hierarchies)
                {
                    string key = destination.TrimEnd('/') + "/" + Path.GetFileName(hierarchy.MountPoint);
                    if (cgroupPaths.TryGetValue(hierarchy.ProcKey, out var own) && seen.Add(key))
                        yield return (key, restoring ? own : key);
                }
            }
        }
        foreach (var device in (spec.Linux?.Devices ?? []).Concat(DeviceSetup.Defaults))
        {
            string path = RestoreMountPoints.Clean(device.Path);
            if (seen.Add(path)) yield return (path, path);
        }
    }

    /// <summary>Makes a checkpoint directory (0700) if missing, as runc does; returns its absolute path.</summary>
    static string MakeDirectory(string path, string flag)
    {
        if (path.Length == 0) throw new OciException($"{flag}: empty path");
        string full = Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (IOException e)
        {
            throw new OciException($"{flag} {path}: {e.Message}");
        }
        return full;
    }

    /// <summary>Records init's descriptors 0 to 2 as the kernel names them, for restore.</summary>
    static void WriteDescriptors(string images, int initPid)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (int fd = 0; fd < 3; fd++)
            {
                string? target = null;
                try
                {
                    target = new FileInfo($"/proc/{initPid}/fd/{fd}").LinkTarget;
                }
                catch (IOException) { }
                writer.WriteStringValue(target ?? "/dev/null");
            }
            writer.WriteEndArray();
        }
        Sys.WriteFile(Path.Combine(images, DescriptorsFile), buffer.WrittenSpan, 0x180); // 0600
    }

    static List<string> ReadDescriptors(string images)
    {
        string path = Path.Combine(images, DescriptorsFile);
        byte[] json = Sys.TryReadFile(path)
            ?? throw new OciException($"--image-path {images}: no {DescriptorsFile}: not the checkpoint of a container");
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.EnumerateArray().Select(e => e.GetString() ?? "").ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new OciException($"{path}: not a list of descriptors: {e.Message}");
        }
    }

    /// <summary>A CRIU failure with the first errors of its log and the log's path, on one line.</summary>
    static string WithLog(CriuException e, string log) =>
        (CriuService.FirstError(log) ?? (e.Detail.Length > 0 ? e.Detail : null)) is { } cause
            ? $"{e.Message}: {cause} (log: {log})"
            : $"{e.Message} (log: {log})";
}
