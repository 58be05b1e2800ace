using System.Globalization;
using Oci.Runtime.Executor;
using Oci.Runtime.Interop;
using Oci.Runtime.Spec;
using static Oci.Runtime.Executor.PlanBuilder;

namespace Oci.Runtime.Init;

/// <summary>
/// Plans the container's process: its terminal, hostname, kernel parameters, per-process attributes, limits,
/// identity and capabilities, the wait for <c>start</c>, the seccomp filter and the exec, in runc's order. The
/// decisions that need the image (HOME, the executable on PATH) are made here, from what the runtime reads through
/// the container's root.
/// </summary>
internal static class ProcessPlan
{
    const long ProcSuperMagic = 0x9fa0;
    const ulong MsBind = 4096;
    const int O_WRONLY = 1, O_RDWR = 2, O_NOCTTY = 0x100, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_PATH = 0x200000;

    /// <summary>The container's environment after the switch of root: the terminal, the hostname and the kernel
    /// parameters (before read-only and masked paths, which may cover /proc/sys).</summary>
    public static void Environment(PlanBuilder b, SetupContext c, int root)
    {
        var spec = c.Spec;
        var process = spec.Process ?? throw new SpecValidationException("process", "is required to start a container");
        if (!c.NoNewKeyring)
        {
            // As runc: the container's processes share a session keyring of their own, "_ses.ID", instead of the
            // caller's (the keys of a containerd shim or a login session); create makes it searchable by the
            // container's user (by others, in a user namespace), exec joins it.
            const uint KeyUserSearch = 0x80000, KeyOtherSearch = 0x8;
            using (b.For("")) b.Keyring("_ses." + c.ContainerId, c.IsExec ? 0 : c.NewUserNamespace ? KeyOtherSearch : KeyUserSearch);
        }
        if (process.Terminal == true) Terminal(b, c, root, process);
        if (c.IsExec) return;
        if (c.NewUtsNamespace)
            using (b.For("hostname"))
            {
                if (!string.IsNullOrEmpty(spec.Hostname)) b.SetHostname(spec.Hostname);
                if (!string.IsNullOrEmpty(spec.Domainname)) b.SetDomainname(spec.Domainname);
            }
        foreach (var (key, value) in spec.Linux?.Sysctl ?? new Dictionary<string, string>())
            using (b.For(SpecPath.Property("linux.sysctl", key)))
                WriteProc(b, c, SysctlRules.ProcPath(key)["/proc/".Length..], value);
    }

    /// <summary>The process's attributes, limits, identity and capabilities, with its executable and environment
    /// resolved from the image (<paramref name="files"/>). Returns the warnings to log.</summary>
    public static List<string> Identity(PlanBuilder b, SetupContext c, ContainerFiles files, out ResolvedProcess resolved)
    {
        var process = c.Spec.Process ?? throw new SpecValidationException("process", "is required to start a container");
        resolved = Resolve(process, files);
        if (process.OomScoreAdj is { } oom)
            using (b.For("process.oomScoreAdj"))
                WriteProc(b, c, "self/oom_score_adj", oom.ToString(CultureInfo.InvariantCulture));
        Attributes(b, c, process);
        if (!string.IsNullOrEmpty(process.ApparmorProfile))
            using (b.For("process.apparmorProfile"))
                WriteProc(b, c, File.Exists("/proc/thread-self/attr/apparmor/exec") ? "thread-self/attr/apparmor/exec" : "thread-self/attr/exec",
                    "exec " + process.ApparmorProfile);
        if (!string.IsNullOrEmpty(process.SelinuxLabel))
            using (b.For("process.selinuxLabel"))
                WriteProc(b, c, "thread-self/attr/exec", process.SelinuxLabel);
        var limits = process.Rlimits ?? [];
        for (int i = 0; i < limits.Count; i++)
        {
            int resource = Rlimits.Number(limits[i].Type);
            if (resource < 0) throw new SpecValidationException($"process.rlimits[{i}].type", $"unknown rlimit \"{limits[i].Type}\"");
            using (b.For($"process.rlimits[{i}]")) b.SetRlimit(resource, limits[i].Soft, limits[i].Hard, limits[i].Type);
        }
        return User(b, c, process);
    }

    /// <summary>Writes a /proc file through the runtime's procfs (<see cref="SetupContext.ProcSlot"/>): reached from
    /// there without a symlink-free walk crossing into another mount or through a magic link, and checked to be on
    /// procfs before the write (CVE-2019-16884, CVE-2025-52881: a bind mount or symlink redirecting the write).
    /// "self" is this process in any procfs, and the files of sys/ answer for the namespaces of the process that
    /// opens them.</summary>
    static void WriteProc(PlanBuilder b, SetupContext c, string path, string value)
    {
        int fd = b.Open(c.ProcSlot, path, O_WRONLY, ResolveNoXdev | ResolveNoMagicLinks);
        b.CheckFilesystem(fd, ProcSuperMagic, $"/proc/{path} is on procfs");
        b.Write(fd, value, "/proc/" + path);
        b.Close(fd);
    }

    /// <summary>A pty whose slave becomes the process's stdio, controlling terminal and /dev/console, and whose master
    /// goes to the caller over the console socket.</summary>
    static void Terminal(PlanBuilder b, SetupContext c, int root, Spec.Process process)
    {
        using var scope = b.For("process.terminal");
        if (c.ConsoleSocketSlot == None) throw new OciException("process.terminal: a terminal needs --console-socket");
        int master = b.Open(None, "/dev/ptmx", O_RDWR | O_NOCTTY, 0);
        b.CheckFileType(master, 0x2000, "/dev/ptmx is a character device");
        b.CheckDevice(master, (5UL << 8) | 2, "/dev/ptmx is the pty multiplexer (5:2)");
        // The slave by TIOCGPTPEER, never by its path under /dev/pts.
        int slave = b.PtyPeer(master);
        if (process.ConsoleSize is { } size) b.WindowSize(master, (ushort)size.Height, (ushort)size.Width);
        if (c.NewMountNamespace && !c.IsExec)
        {
            // Never over a symlink: the console's target must be the file the image has at /dev/console
            // (CVE-2025-52565).
            b.MakePath(root, "/dev/console", lastIsFile: true);
            int console = b.Open(root, "dev/console", O_PATH, ResolveInRoot | ResolveNoSymlinks,
                what: "open /dev/console, which must not be a symlink");
            b.Mount(console, slave, MsBind, null, null, null, "bind the terminal on /dev/console");
            b.Close(console);
        }
        b.SendFd(c.ConsoleSocketSlot, master, "/dev/ptmx", "send the terminal to the console socket");
        // The terminal belongs to the container's user and keeps its group (tty), as runc does.
        b.Fchown(slave, process.User.Uid, uint.MaxValue, "the terminal");
        for (int fd = 0; fd < 3; fd++) b.Dup2(slave, fd);
        b.ControllingTerminal(0);
        b.Close(slave);
        b.Close(master);
        b.Close(c.ConsoleSocketSlot);
    }

    static void Attributes(PlanBuilder b, SetupContext c, Spec.Process process)
    {
        var linux = c.Spec.Linux;
        if (linux?.Personality is { } personality)
            using (b.For("linux.personality"))
                b.Personality(ProcessAttributes.Domains.TryGetValue(personality.Domain, out ulong domain) ? domain
                    : throw new SpecValidationException("linux.personality.domain", $"unknown personality domain \"{personality.Domain}\""));
        if (process.IOPriority is { } io)
            using (b.For("process.ioPriority"))
                b.IoPriority((ProcessAttributes.IoClasses.TryGetValue(io.Class, out int ioClass) ? ioClass
                    : throw new SpecValidationException("process.ioPriority.class", $"unknown I/O priority class \"{io.Class}\"")) << 13 | io.Priority);
        if (process.Scheduler is { } scheduler)
            using (b.For("process.scheduler"))
            {
                ulong flags = 0;
                foreach (var flag in scheduler.Flags ?? []) flags |= ProcessAttributes.SchedulerFlags[flag];
                b.SchedSetattr(ProcessAttributes.Policies[scheduler.Policy], flags, scheduler.Nice ?? 0, (uint)(scheduler.Priority ?? 0),
                    scheduler.Runtime ?? 0, scheduler.Deadline ?? 0, scheduler.Period ?? 0);
            }
        if (linux?.MemoryPolicy is { } policy)
            using (b.For("linux.memoryPolicy"))
            {
                int mode = ProcessAttributes.MemoryPolicyModes[policy.Mode];
                foreach (var flag in policy.Flags ?? []) mode |= ProcessAttributes.MemoryPolicyFlags[flag];
                SortedSet<int> nodes = [];
                if (!string.IsNullOrEmpty(policy.Nodes) && CpuList.TryParse(policy.Nodes, out nodes) is { } problem)
                    throw new SpecValidationException("linux.memoryPolicy.nodes", problem);
                var (mask, maxNode) = Bitmask(nodes);
                b.MemoryPolicy(mode, maxNode, mask);
            }
        // config.md: execCPUAffinity is not applicable to the container's init process.
        if (c.IsExec && process.ExecCpuAffinity?.Final is { Length: > 0 } final)
            using (b.For("process.execCPUAffinity.final"))
            {
                if (CpuList.TryParse(final, out var cpus) is { } problem) throw new SpecValidationException("process.execCPUAffinity.final", problem);
                b.Affinity(Bitmask(cpus).Mask);
            }
    }

    /// <summary>A bit mask of <paramref name="bits"/> in whole 64-bit words, and the number of bits it holds.</summary>
    static (byte[] Mask, ulong Bits) Bitmask(IEnumerable<int> bits)
    {
        int highest = bits.DefaultIfEmpty(-1).Max();
        var mask = new byte[((highest + 64) / 64) * 8];
        foreach (int bit in bits) mask[bit / 8] |= (byte)(1 << (bit % 8));
        return (mask, (ulong)mask.Length * 8 + 1);
    }

    /// <summary>Drops to the configured user and capabilities, in runc's order: bounding set while still
    /// privileged, keep capabilities across the uid change, groups, the working directory (while still privileged,
    /// as runc, and again as the user if that was refused), the user, then the final capability sets, umask and
    /// no_new_privs.</summary>
    static List<string> User(PlanBuilder b, SetupContext c, Spec.Process process)
    {
        const int PR_SET_KEEPCAPS = 8, PR_CAPBSET_DROP = 24, PR_SET_NO_NEW_PRIVS = 38, PR_CAP_AMBIENT = 47;
        const ulong AmbientRaise = 2, AmbientClearAll = 4;
        const int CapSysAdmin = 21;
        var warnings = new List<string>();
        var user = process.User;
        int lastCap = Capabilities.LastCapability();
        var caps = process.Capabilities;
        // A terminal process gets the pty as its stdio, whatever the runtime's own stdio is.
        if (c.NewMountNamespace && process.Terminal != true) ReopenDevNull(b, c);
        using (b.For("process.capabilities.bounding"))
        {
            ulong bounding = caps is null ? 0 : Capabilities.Mask(caps.Bounding, "bounding", lastCap);
            for (int cap = 0; cap <= lastCap; cap++)
                if ((bounding & (1UL << cap)) == 0) b.Prctl(PR_CAPBSET_DROP, (ulong)cap, $"drop {SpecNames.CapabilitiesByNumber[cap]} from the bounding set");
        }
        // stdio made outside the container (the caller's pipes) goes to the process's user, so that it can reopen
        // /dev/stdout or /proc/self/fd/N; a terminal was given to it already.
        if (process.Terminal != true && StdioToGive(c, user.Uid) is not 0 and var mask)
            using (b.For("process.user")) b.StdioOwner(user.Uid, mask, "give stdio to the user");
        using (b.For("process.user"))
        {
            b.Prctl(PR_SET_KEEPCAPS, 1, "keep capabilities across the change of user");
            if (!c.SetgroupsDenied) b.SetGroups(user.AdditionalGids ?? []);
            b.SetResGid(user.Gid);
        }
        if (process.Cwd.Length > 0)
            using (b.For("process.cwd")) b.Workdir(process.Cwd);
        using (b.For("process.user"))
        {
            b.SetResUid(user.Uid);
            b.Prctl(PR_SET_KEEPCAPS, 0, "stop keeping capabilities");
        }
        if (process.Cwd.Length > 0)
            using (b.For("process.cwd")) b.WorkdirAsUser(process.Cwd);
        using (b.For("process.capabilities"))
        {
            ulong effective = Capabilities.Mask(caps?.Effective, "effective", lastCap);
            ulong permitted = Capabilities.Mask(caps?.Permitted, "permitted", lastCap);
            ulong inheritable = Capabilities.Mask(caps?.Inheritable, "inheritable", lastCap);
            ulong ambient = Capabilities.Mask(caps?.Ambient, "ambient", lastCap);
            ulong held = c.HeldCapabilities;
            ulong ungrantable = (effective | permitted | inheritable) & ~held;
            for (int cap = 0; cap <= lastCap; cap++)
                if ((ungrantable & (1UL << cap)) != 0)
                    warnings.Add($"process.capabilities: {SpecNames.CapabilitiesByNumber[cap]} cannot be granted (the runtime does not hold it); the container runs without it");
            effective &= held;
            permitted &= held;
            inheritable &= held;
            // Without no_new_privs, loading the seccomp filter needs CAP_SYS_ADMIN, and it is loaded last (nothing but
            // the exec may run under it). The process keeps CAP_SYS_ADMIN in its effective and permitted sets until
            // then; execve computes the new sets from the inheritable, ambient and bounding sets and the file, so it
            // is gone in the program unless the config grants it.
            ulong keep = c.Seccomp is not null && process.NoNewPrivileges != true ? (1UL << CapSysAdmin) & held : 0;
            b.Capset(effective | keep, permitted | keep, inheritable);
            b.Prctl(PR_CAP_AMBIENT, AmbientClearAll, "clear the ambient set");
            for (int cap = 0; cap <= lastCap; cap++)
            {
                if ((ambient & (1UL << cap)) == 0) continue;
                // The kernel refuses an ambient capability that is not both permitted and inheritable; runc warns.
                if ((permitted & inheritable & (1UL << cap)) == 0) continue;
                b.Prctl(PR_CAP_AMBIENT, AmbientRaise, $"raise {SpecNames.CapabilitiesByNumber[cap]} in the ambient set", (ulong)cap);
            }
        }
        if (user.Umask is { } umask) using (b.For("process.user.umask")) b.Umask(umask);
        if (process.NoNewPrivileges == true) using (b.For("process.noNewPrivileges")) b.Prctl(PR_SET_NO_NEW_PRIVS, 1, "set no_new_privs");
        return warnings;
    }

    /// <summary>As runc: init's stdio that is the host's /dev/null (a detached run's, podman's and containerd's
    /// stdin) becomes the container's own /dev/null, so that no descriptor of init refers to a mount outside its
    /// mount namespace, which CRIU cannot checkpoint.</summary>
    static void ReopenDevNull(PlanBuilder b, SetupContext c)
    {
        const int O_RDWR = 2;
        const ulong DevNull = (1UL << 8) | 3; // makedev(1, 3)
        for (int fd = 0; fd < 3; fd++)
        {
            try
            {
                var (mode, rdev, _) = Sys.FileStat(StdioSource(c, fd));
                if ((mode & 0xF000) != 0x2000 || rdev != DevNull) continue;
            }
            catch (SyscallException)
            {
                continue; // closed
            }
            using (b.For("process"))
            {
                // After pivot_root: "/" is the container's root.
                int devNull = b.Open(-1, "/dev/null", O_RDWR, 0, what: $"open the container's /dev/null for descriptor {fd}");
                b.CheckDevice(devNull, DevNull, "/dev/null is the null device (1:3)");
                b.Dup2(devNull, fd);
                b.Close(devNull);
            }
        }
    }

    /// <summary>Which of descriptors 0-2 (inherited by the executor from this process) go to <paramref name="uid"/>:
    /// not /dev/null (the host's), and not one it owns already (runc's fixStdioPermissions).</summary>
    static int StdioToGive(SetupContext c, uint uid)
    {
        int mask = 0;
        for (int fd = 0; fd < 3; fd++)
        {
            try
            {
                int source = StdioSource(c, fd);
                var (mode, rdev, _) = Sys.FileStat(source);
                if ((mode & 0xF000) == 0x2000 && rdev == ((1UL << 8) | 3) /* makedev(1, 3) */) continue;
                if (Sys.FileOwner(source) == uid) continue;
                mask |= 1 << fd;
            }
            catch (SyscallException)
            {
                // A closed standard descriptor.
            }
        }
        return mask;
    }

    /// <summary>The runtime's descriptor that the executor gets as its <paramref name="fd"/>: one the caller placed
    /// there (a library caller's pipes), else the runtime's own, which the executor inherits.</summary>
    static int StdioSource(SetupContext c, int fd)
    {
        foreach (var (from, to) in c.Descriptors)
            if (to == fd) return from;
        return fd;
    }

    /// <summary>The last steps: no descriptor of the runtime's survives the exec, the seccomp filter is loaded, and
    /// nothing but the exec runs under it (the filter may deny every other call: the lists the exec takes are
    /// built before it). With a listener the filter is loaded earlier (<see cref="SeccompWithListener"/>).</summary>
    public static void Exec(PlanBuilder b, SetupContext c, ResolvedProcess resolved)
    {
        bool loaded = c.Seccomp?.ListenerPath is not null;
        if (!loaded) Arguments(b, resolved);
        b.CloseFrom(c.FirstRuntimeFd);
        if (c.Seccomp is { } seccomp && !loaded) using (b.For("linux.seccomp")) b.Seccomp(seccomp.Flags, seccomp.Filter);
        using (b.For("process.args")) b.Exec(resolved.Executable);
    }

    static void Arguments(PlanBuilder b, ResolvedProcess resolved)
    {
        using (b.For("process.args"))
        {
            b.Push(0, [resolved.Executable]);
            b.Push(1, resolved.Args);
            b.Push(2, resolved.Environment);
        }
    }

    /// <summary>A filter that notifies an agent is loaded while the runtime still waits for the executor (as runc
    /// does, before the wait for start), so that the runtime can take its listener (the SYNC's descriptor) and
    /// send it to the agent; the agent answers whatever the container calls from then on. Returns the listener's
    /// slot, to be closed once the runtime has it.</summary>
    public static int SeccompWithListener(PlanBuilder b, SetupContext c, ResolvedProcess resolved)
    {
        var seccomp = c.Seccomp!;
        Arguments(b, resolved);
        using var scope = b.For("linux.seccomp");
        int listener = b.Slot();
        b.Seccomp(seccomp.Flags, seccomp.Filter, listener);
        b.Sync(ExecutorSync.SeccompListener, listener);
        return listener;
    }
    /// <summary>The process's environment (config.json's, plus HOME from the image's /etc/passwd when the config has
    /// none, as runc does) and its executable (found as execvp would, in the container's PATH, so that an error fails
    /// <c>create</c> as in runc rather than the container after <c>start</c>).</summary>
    internal static ResolvedProcess Resolve(Spec.Process process, ContainerFiles files)
    {
        var environment = new List<string>(process.Env ?? []);
        if (!environment.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
            environment.Add("HOME=" + (PasswdFile.Find(process.User.Uid, files.ReadText("/etc/passwd")) is { Length: > 5 } entry ? entry[5] : "/"));
        if (process.Args is not { Count: > 0 })
            throw new SpecValidationException("process.args", "must name at least the program to run");
        string name = process.Args[0];
        string executable;
        if (name.Contains('/'))
        {
            string candidate = name.StartsWith('/') ? name : Path.Combine(process.Cwd.Length > 0 ? process.Cwd : "/", name);
            if (!files.Exists(candidate)) throw new OciException($"exec: \"{name}\": stat {candidate}: no such file or directory");
            executable = name;
        }
        else
        {
            string path = environment.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..]
                          ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
            executable = path.Split(':')
                             .Select(directory => Path.Combine(directory.Length == 0 ? "." : directory, name))
                             .FirstOrDefault(candidate => files.IsExecutable(candidate.StartsWith('/') ? candidate : Path.Combine(process.Cwd.Length > 0 ? process.Cwd : "/", candidate)))
                         ?? throw new OciException($"exec: \"{name}\": executable file not found in $PATH");
        }
        return new ResolvedProcess(executable, process.Args, environment);
    }
}

/// <summary>What the process executes: the resolved path, its argv and its environment.</summary>
internal sealed record ResolvedProcess(string Executable, IReadOnlyList<string> Args, IReadOnlyList<string> Environment);
