using System.Text;
using Oci.Runtime.Cgroups;
using Oci.Runtime.Executor;
using Oci.Runtime.Init;
using Oci.Runtime.Interop;
using Oci.Runtime.Namespaces;
using Oci.Runtime.Rootfs;
using Oci.Runtime.Spec;
using static Oci.Runtime.Executor.PlanBuilder;

namespace Oci.Runtime.Lifecycle;

/// <summary>What the runtime does while the executor sets a container up: the callbacks of its plan.</summary>
internal interface ISetupHost
{
    /// <summary>What the executor needs to join the container's cgroups by itself, or null: then
    /// <see cref="Started"/> moves it.</summary>
    CgroupJoin? OpenCgroupJoin();

    /// <summary>The executor is started and cannot join the cgroups by itself: put it in the container's cgroups
    /// before it makes any namespace, so that the whole container (and the root of a new cgroup namespace) is in
    /// them.</summary>
    void Started(int executorPid);
    /// <summary>The container's process exists (<paramref name="pid"/>) and its mounts are made: runs the
    /// runtime's prestart and createRuntime hooks (create only).</summary>
    void Mounted(int pid);
}

/// <summary>
/// Drives the executor through a container's set-up: builds the plan segment by segment (the runtime's look
/// inside the container between them), sends it, serves the executor's stops and reports failures by the spec
/// field of the step that failed.
/// </summary>
internal static class ContainerSetup
{
    const int O_RDONLY = 0, O_WRONLY = 1, O_DIRECTORY = 0x10000, O_PATH = 0x200000, PR_SET_DUMPABLE = 4;

    /// <summary>Sets up a container whose init waits on the exec fifo; returns init's pid and the warnings to log.</summary>
    public static int Create(SetupContext c, ContainerPlan plan, int preserveFds, int execFifo, int consoleSocket,
        IReadOnlyList<LinuxIdMapping>? uidMappings, IReadOnlyList<LinuxIdMapping>? gidMappings, ISetupHost host, List<string> warnings)
    {
        var spec = c.Spec;
        return Drive(preserveFds, c.Descriptors, host, (exe, b, hostFds, join) =>
        {
            bool newUser = (plan.CloneFlags & NamespaceType.User.CloneFlag) != 0;
            var (cgroupSlot, joins) = JoinCgroups(exe, b, join, plan.Joins, newUser);
            Namespaces(b, joins, hostFds);
            if (newUser)
            {
                using var scope = b.For("linux.namespaces");
                b.Unshare(NamespaceType.User.CloneFlag, "the user namespace");
                // Without privileges the runtime may write the maps (its /proc files) only while the executor is
                // dumpable: runc's nsexec does the same for the same window.
                bool unprivileged = Sys.GetEuid() != 0;
                if (unprivileged) b.Prctl(PR_SET_DUMPABLE, 1, "let the runtime write the id maps");
                b.Sync(ExecutorSync.UserNamespace);
                Send(exe, b, hostFds);
                exe.Await(ExecutorSync.UserNamespace);
                WriteIdMaps(exe.Pid, uidMappings, gidMappings);
                if (unprivileged) b.Prctl(PR_SET_DUMPABLE, 0, "become non-dumpable again");
                using (b.For("linux.gidMappings")) b.SetResGid(0);
                using (b.For("linux.uidMappings")) b.SetResUid(0);
            }
            uint rest = plan.CloneFlags & ~NamespaceType.User.CloneFlag;
            // Born into its cgroup2 cgroup, the child makes its cgroup namespace (rooted there) itself.
            uint cgroupAfterFork = cgroupSlot >= 0 ? rest & NamespaceType.Cgroup.CloneFlag : 0;
            rest &= ~cgroupAfterFork;
            if (rest != 0) using (b.For("linux.namespaces")) b.Unshare(rest, "the namespaces");
            if (plan.TimeOffsets is not null)
                using (b.For("linux.timeOffsets"))
                {
                    int offsets = b.Open(None, "/proc/self/timens_offsets", O_WRONLY, 0);
                    b.Write(offsets, plan.TimeOffsets, "/proc/self/timens_offsets");
                    b.Close(offsets);
                }
            // New PID and time namespaces take effect for children only.
            Fork(b, cgroupSlot, plan.Joins, cgroupAfterFork, hostFds);
            b.Setsid();
            int fifo = b.Fds("the exec fifo", execFifo)[0];
            c.ProcSlot = HostProc(b, hostFds);
            if (consoleSocket >= 0) c.ConsoleSocketSlot = b.Fds("the console socket", consoleSocket)[0];
            // Sent now: the executor makes the namespaces and forks (about 1 ms here, most of it the network
            // namespace) while the runtime plans the mounts.
            Send(exe, b, hostFds);
            int root = c.NewMountNamespace ? RootfsPlan.Mounts(b, c, hostFds) : b.Open(None, "/", O_PATH | O_DIRECTORY, 0);
            b.Sync(ExecutorSync.Mounted, root);
            Send(exe, b, hostFds);

            var mounted = exe.Await(ExecutorSync.Mounted);
            var files = new ContainerFiles(mounted.Fds.Single());
            try
            {
                host.Mounted(exe.ChildPid);
                if (c.NewMountNamespace) RootfsPlan.Devices(b, c, root, files);
                var createContainer = spec.Hooks?.CreateContainer ?? [];
                if (createContainer.Count > 0)
                {
                    // In the container's namespaces, before pivot_root, in the container's root (as runc does).
                    Hooks(b, createContainer, "createContainer", c.Rootfs, c.HookState);
                    b.Sync(ExecutorSync.RootReady, root);
                    Send(exe, b, hostFds);
                    var ready = exe.Await(ExecutorSync.RootReady);
                    files.Dispose();
                    files = new ContainerFiles(ready.Fds.Single());
                }
                // In the user namespace it created or joined ("allow" outside any): setgroups(2) may be denied there.
                c.SetgroupsDenied = Sys.TryReadText($"/proc/{exe.ChildPid}/setgroups")?.Trim() == "deny";
                int newRoot = c.NewMountNamespace ? RootfsPlan.SwitchRoot(b, c, root) : root;
                ProcessPlan.Environment(b, c, newRoot);
                if (c.NewMountNamespace) RootfsPlan.Finish(b, c, newRoot, files);
                warnings.AddRange(ProcessPlan.Identity(b, c, files, out var resolved));
                b.Close(newRoot);
                SeccompAgent(exe, b, hostFds, c, resolved);
                b.Ready();
                int writer = b.Slot();
                b.WaitStart(fifo, writer, c.ProcSlot);
                b.Close(c.ProcSlot);
                b.ReportTo(writer);
                c.HookState.Status = ContainerStatus.Created.ToSpecString();
                // In the process's working directory, where the executor is by then (as runc).
                Hooks(b, spec.Hooks?.StartContainer ?? [], "startContainer", null, c.HookState);
                b.Write(writer, "0", "the exec fifo");
                ProcessPlan.Exec(b, c, resolved);
            }
            finally
            {
                files.Dispose();
            }
        });
    }

    /// <summary>Starts a process in a running container; returns its pid once it is about to execute.</summary>
    public static int Exec(SetupContext c, IReadOnlyList<(NamespaceType Type, string Path)> joins, int preserveFds, int consoleSocket,
        ISetupHost host, List<string> warnings)
    {
        return Drive(preserveFds, c.Descriptors, host, (exe, b, hostFds, join) =>
        {
            var (cgroupSlot, beforeFork) = JoinCgroups(exe, b, join, joins, newUser: false);
            Namespaces(b, beforeFork, hostFds);
            Fork(b, cgroupSlot, joins, 0, hostFds);
            b.Setsid();
            if (consoleSocket >= 0) c.ConsoleSocketSlot = b.Fds("the console socket", consoleSocket)[0];
            c.ProcSlot = HostProc(b, hostFds);
            int root = b.Open(None, "/", O_PATH | O_DIRECTORY, 0);
            b.Sync(ExecutorSync.RootReady, root);
            Send(exe, b, hostFds);
            var ready = exe.Await(ExecutorSync.RootReady);
            using (var files = new ContainerFiles(ready.Fds.Single()))
            {
                ProcessPlan.Environment(b, c, root);
                warnings.AddRange(ProcessPlan.Identity(b, c, files, out var resolved));
                b.Close(root);
                b.Close(c.ProcSlot);
                SeccompAgent(exe, b, hostFds, c, resolved);
                b.Ready();
                ProcessPlan.Exec(b, c, resolved);
            }
        });
    }

    /// <summary>Starts an executor, has <paramref name="plan"/> send it every segment but the last, then sends the
    /// last one and waits for the executor's ready; returns the container process's pid. On any failure the
    /// executor and its child are killed and reaped; the runtime's descriptors sent with the plan are closed.</summary>
    static int Drive(int preserveFds, IReadOnlyList<(int From, int To)> descriptors, ISetupHost host,
        Action<ExecutorProcess, PlanBuilder, List<int>, CgroupJoin?> plan)
    {
        var join = host.OpenCgroupJoin();
        ExecutorProcess exe;
        try
        {
            exe = ExecutorProcess.Start(preserveFds, descriptors);
        }
        catch
        {
            join?.Dispose();
            throw;
        }
        var hostFds = new List<int>();
        try
        {
            if (join is null) host.Started(exe.Pid);
            var b = new PlanBuilder();
            plan(exe, b, hostFds, join);
            // The executor reports ready, then (create) waits for start with the rest of the plan in its socket.
            Send(exe, b, hostFds);
            exe.Await(ExecutorSync.Ready);
            return exe.ChildPid;
        }
        catch
        {
            exe.Abort();
            throw;
        }
        finally
        {
            foreach (int fd in hostFds) Sys.Close(fd);
            join?.Dispose();
            exe.Dispose();
        }
    }

    /// <summary>
    /// Has the executor join the container's cgroups before it makes or joins any namespace (see
    /// <see cref="CgroupJoin"/>): on each v1 hierarchy it moves itself; into the cgroup2 cgroup its child is born
    /// (the slot returned, -1 for none), unless a user namespace comes first: the child would then be made by a
    /// process without the host's privileges over the cgroup filesystem, so the runtime moves the executor instead.
    /// Returns the namespaces to join before the fork: a cgroup namespace is joined after it, by the child, so that
    /// the clone sees its source and target cgroups (a host mounting cgroup2 with nsdelegate requires it).
    /// </summary>
    static (int CgroupSlot, IReadOnlyList<(NamespaceType Type, string Path)> BeforeFork) JoinCgroups(ExecutorProcess exe,
        PlanBuilder b, CgroupJoin? join, IReadOnlyList<(NamespaceType Type, string Path)> joins, bool newUser)
    {
        if (join is null) return (-1, joins);
        using var scope = b.For("linux.cgroupsPath");
        foreach (var (dir, fd) in join.Tasks)
        {
            int slot = b.Fds($"{dir}/tasks", fd)[0];
            b.Write(slot, "0", $"{dir}/tasks (join the container's cgroup)");
            b.Close(slot);
        }
        if (join.Unified is not { } unified) return (-1, joins);
        bool userFirst = newUser || joins.Any(j => j.Type == NamespaceType.User);
        if (userFirst || !CgroupJoin.KernelClonesIntoCgroups)
        {
            join.MoveIntoUnified(exe.Pid);
            return (-1, joins);
        }
        return (b.Fds($"the cgroup {unified.Directory}", unified.Fd)[0], [.. joins.Where(j => j.Type != NamespaceType.Cgroup)]);
    }

    /// <summary>Forks the container's process (into the cgroup2 cgroup in <paramref name="cgroupSlot"/>, if any);
    /// then the child joins or makes the cgroup namespace that <see cref="JoinCgroups"/> left to it.</summary>
    static void Fork(PlanBuilder b, int cgroupSlot, IReadOnlyList<(NamespaceType Type, string Path)> joins, uint newCgroupNamespace,
        List<int> hostFds)
    {
        b.Fork(cgroupSlot);
        if (cgroupSlot < 0) return;
        b.Close(cgroupSlot);
        Namespaces(b, [.. joins.Where(j => j.Type == NamespaceType.Cgroup)], hostFds);
        if (newCgroupNamespace != 0) using (b.For("linux.namespaces")) b.Unshare(newCgroupNamespace, "the cgroup namespace");
    }

    /// <summary>Joins the namespaces at <paramref name="joins"/> (a user namespace first: joining it grants the
    /// privileges that joining the others needs), opened here before any is joined.</summary>
    static void Namespaces(PlanBuilder b, IReadOnlyList<(NamespaceType Type, string Path)> joins, List<int> hostFds)
    {
        using var scope = b.For("linux.namespaces");
        foreach (var (type, path) in joins)
        {
            int errno;
            int fd = Sys.TryOpen(path, O_RDONLY | Sys.O_CLOEXEC, out errno);
            if (fd < 0) throw new SyscallException($"linux.namespaces: {type.Name} namespace path {path}", errno);
            hostFds.Add(fd);
            b.SetNs(b.Fds($"{type.Name} namespace {path}", fd)[0], type.CloneFlag, $"{type.Name} namespace {path}");
        }
    }

    /// <summary>The runtime's own /proc, checked to be procfs, for the executor's /proc writes and its reopening of
    /// the exec fifo: the container's /proc is the image's or a mount's to fake.</summary>
    static int HostProc(PlanBuilder b, List<int> hostFds)
    {
        const long ProcSuperMagic = 0x9fa0;
        int fd = Sys.Open("/proc", O_PATH | O_DIRECTORY | Sys.O_CLOEXEC);
        hostFds.Add(fd);
        if (Sys.FilesystemType(fd) != ProcSuperMagic) throw new OciException("/proc of the runtime is not procfs");
        return b.Fds("the runtime's /proc", fd)[0];
    }

    static void Hooks(PlanBuilder b, IReadOnlyList<Hook> hooks, string phase, string? cwd, ContainerStateDocument state)
    {
        byte[] input = SpecLoader.SerializeState(state);
        for (int i = 0; i < hooks.Count; i++)
            using (b.For($"hooks.{phase}[{i}]"))
                b.Hook(hooks[i].Path, hooks[i].Args is { Count: > 0 } args ? args : [hooks[i].Path], hooks[i].Env ?? [], cwd, input,
                    (hooks[i].Timeout ?? 0) * 1000L, phase);
    }

    /// <summary>With <c>SCMP_ACT_NOTIFY</c>: the filter is loaded now and its listener goes to the agent.</summary>
    static void SeccompAgent(ExecutorProcess exe, PlanBuilder b, List<int> hostFds, SetupContext c, ResolvedProcess resolved)
    {
        if (c.Seccomp is not { ListenerPath: { } path } seccomp) return;
        int slot = ProcessPlan.SeccompWithListener(b, c, resolved);
        Send(exe, b, hostFds);
        int listener = exe.Await(ExecutorSync.SeccompListener).Fds.Single();
        try
        {
            Seccomp.SeccompAgent.Send(path, seccomp.ListenerMetadata, listener, exe.ChildPid, c.HookState);
        }
        finally
        {
            Sys.Close(listener);
        }
        b.Close(slot);
    }

    static void Send(ExecutorProcess exe, PlanBuilder b, List<int> hostFds)
    {
        // A failed send means the executor is gone: what it reported says why (Receive throws its error, or
        // InitExitedException at end-of-stream).
        if (!exe.Send(b.Take()))
            while (true) exe.Receive();
        foreach (int fd in hostFds) Sys.Close(fd);
        hostFds.Clear();
    }

    /// <summary>Writes the id maps of the user namespace of process <paramref name="pid"/>; an error names
    /// <paramref name="field"/>'s uidMappings or gidMappings (<paramref name="field"/> "linux" for the container's).</summary>
    internal static void WriteIdMaps(int pid, IReadOnlyList<LinuxIdMapping>? uidMappings, IReadOnlyList<LinuxIdMapping>? gidMappings,
        string field = "linux")
    {
        if (Sys.GetEuid() != 0)
        {
            // Without privileges a process may map only its own ids, and its own gid only once setgroups(2) is
            // denied in the namespace; anything more goes through newuidmap/newgidmap (as runc and crun).
            if (Rootless.OnlyOwnId(uidMappings, Sys.GetEuid())) Write($"/proc/{pid}/uid_map", uidMappings, $"{field}.uidMappings");
            else Rootless.WriteWithHelper("newuidmap", pid, uidMappings ?? [], $"{field}.uidMappings");
            if (Rootless.OnlyOwnId(gidMappings, Sys.GetEgid()))
            {
                int denied = Sys.TryWriteFile($"/proc/{pid}/setgroups", "deny");
                if (denied != 0) throw new SyscallException($"{field}.gidMappings: writing /proc/{pid}/setgroups", denied);
                Write($"/proc/{pid}/gid_map", gidMappings, $"{field}.gidMappings");
            }
            else Rootless.WriteWithHelper("newgidmap", pid, gidMappings ?? [], $"{field}.gidMappings");
            return;
        }
        Write($"/proc/{pid}/uid_map", uidMappings, $"{field}.uidMappings");
        Write($"/proc/{pid}/gid_map", gidMappings, $"{field}.gidMappings");

        static void Write(string path, IReadOnlyList<LinuxIdMapping>? mappings, string field)
        {
            int errno = Sys.TryWriteFile(path, MapText(mappings));
            if (errno != 0) throw new SyscallException($"{field}: writing {path}", errno);
        }
    }

    /// <summary>Mappings as the text of a uid_map or gid_map file.</summary>
    internal static string MapText(IReadOnlyList<LinuxIdMapping>? mappings)
    {
        var text = new StringBuilder();
        foreach (var m in mappings ?? []) text.Append(m.ContainerId).Append(' ').Append(m.HostId).Append(' ').Append(m.Size).Append('\n');
        return text.ToString();
    }
}
