using System.Text;
using static Oci.Runtime.Executor.PlanStep;

namespace Oci.Runtime.Executor;

/// <summary>
/// Builds a plan for the executor: one typed method per step of plan.def, descriptor slots handed out and taken
/// back, and the spec field the steps serve (<see cref="For"/>) recorded on each. The steps are data: tests read
/// them as lines (<see cref="PlanStep.ToString"/>) without running anything.
/// </summary>
internal sealed class PlanBuilder
{
    /// <summary>openat2's resolve flags.</summary>
    public const long ResolveNoXdev = 0x01, ResolveNoMagicLinks = 0x02, ResolveNoSymlinks = 0x04, ResolveInRoot = 0x10;
    /// <summary>The slot meaning "none" (or, as a directory, the current one).</summary>
    public const int None = -1;
    const int Slots = 64;

    readonly List<PlanStep> steps = [];
    readonly Stack<int> freeSlots = new(Enumerable.Range(0, Slots).Reverse());
    string origin = "";

    /// <summary>The steps so far.</summary>
    public IReadOnlyList<PlanStep> Steps => steps;

    /// <summary>Takes the steps built so far, to be sent; the slots stay as they are.</summary>
    public List<PlanStep> Take()
    {
        var taken = new List<PlanStep>(steps);
        steps.Clear();
        return taken;
    }

    /// <summary>Records <paramref name="field"/> as the origin of the steps added until the result is disposed, and
    /// <paramref name="subject"/> (what the steps are for, <c>mounting tmpfs on /run</c>) before their
    /// descriptions.</summary>
    public Scope For(string field, string subject = "")
    {
        var scope = new Scope(this, origin, this.subject);
        origin = field;
        this.subject = subject;
        return scope;
    }

    string subject = "";

    /// <summary>Restores the previous origin.</summary>
    public readonly struct Scope(PlanBuilder builder, string previous, string previousSubject) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose()
        {
            builder.origin = previous;
            builder.subject = previousSubject;
        }
    }

    /// <summary>A free slot.</summary>
    public int Slot() => freeSlots.Count > 0 ? freeSlots.Pop() : throw new OciException("the plan needs more than 64 descriptors at once");

    void Add(PlanOp op, long[] ints, string description, params string?[] strings) =>
        steps.Add(new PlanStep(op, ints, [.. strings.Select(Text)], origin, Described(description)));

    void AddBytes(PlanOp op, long[] ints, string description, params byte[][] strings) =>
        steps.Add(new PlanStep(op, ints, strings, origin, Described(description)));

    string Described(string description) => subject.Length == 0 ? description : $"{subject}: {description}";

    /// <summary>Hands the runtime's <paramref name="fds"/> to the executor; returns their slots.</summary>
    public int[] Fds(string description, params int[] fds)
    {
        var slots = fds.Select(_ => Slot()).ToArray();
        steps.Add(new PlanStep(PlanOp.FDS, [.. slots.Select(s => (long)s)], [], origin, Described(description), fds));
        return slots;
    }

    public void Close(int slot)
    {
        Add(PlanOp.CLOSE, [slot], $"close slot {slot}");
        freeSlots.Push(slot);
    }

    /// <summary>openat2(<paramref name="dir"/>, <paramref name="path"/>); with <paramref name="optional"/> a
    /// missing file leaves the slot empty.</summary>
    public int Open(int dir, string path, int flags, long resolve, bool optional = false, uint mode = 0, string? what = null)
    {
        int slot = Slot();
        Add(PlanOp.OPEN, [slot, dir, flags, mode, resolve, optional ? 1 : 0], what ?? $"open {path}", path);
        return slot;
    }

    public void Dup2(int slot, int target) => Add(PlanOp.DUP2, [slot, target], $"dup2 to {target}");
    public void CloseFrom(int first) => Add(PlanOp.CLOSE_FROM, [first], $"close-on-exec from {first}");
    public void CheckFileType(int slot, uint type, string what) => Add(PlanOp.CHECK, [slot, 1, type], $"check that {what}");
    public void CheckDevice(int slot, ulong rdev, string what) => Add(PlanOp.CHECK, [slot, 2, (long)rdev], $"check that {what}");
    public void CheckFilesystem(int slot, long magic, string what) => Add(PlanOp.CHECK, [slot, 3, magic], $"check that {what}");
    public void CheckNotFilesystem(int slot, long magic, string what) => Add(PlanOp.CHECK, [slot, 5, magic], $"check that {what}");
    public void CheckMountRoot(int slot, int mountSlot, string what) => Add(PlanOp.CHECK, [slot, 4, mountSlot], $"check that {what}");
    public void Write(int slot, string data, string what) => Add(PlanOp.WRITE, [slot], $"write \"{data}\" to {what}", data);
    public void SetNs(int slot, uint type, string what) => Add(PlanOp.SETNS, [slot, type], $"join {what}");
    public void Unshare(uint flags, string what) => Add(PlanOp.UNSHARE, [flags], $"create {what}");
    public void Fork(int cgroupSlot = -1) =>
        Add(PlanOp.FORK, [cgroupSlot], cgroupSlot < 0 ? "fork into the new namespaces" : "fork into the new namespaces and the container's cgroup2 cgroup");
    public void Sync(ExecutorSync code, params int[] slots) => Add(PlanOp.SYNC, [(long)code, .. slots.Select(s => (long)s)], "wait for the runtime (" + Name(code) + ")");
    public void Notify(ExecutorSync code) => Add(PlanOp.NOTIFY, [(long)code], "tell the runtime " + Name(code));

    /// <summary>Tells the runtime the container is ready; from here the runtime reads no more reports, so a later
    /// failure is also written to the process's stderr, which is the container's (before, the runtime words it).</summary>
    public void Ready()
    {
        Notify(ExecutorSync.Ready);
        Add(PlanOp.ALONE, [], "go on without the runtime");
    }

    /// <summary>The code's name. Not the enum's ToString: in a NativeAOT process the first formatting of an enum
    /// reads the enum's reflection metadata, half a percent of a <c>run</c>'s CPU in the profile.</summary>
    static string Name(ExecutorSync code) => code switch
    {
        ExecutorSync.UserNamespace => nameof(ExecutorSync.UserNamespace),
        ExecutorSync.Mounted => nameof(ExecutorSync.Mounted),
        ExecutorSync.RootReady => nameof(ExecutorSync.RootReady),
        ExecutorSync.Ready => nameof(ExecutorSync.Ready),
        ExecutorSync.SeccompListener => nameof(ExecutorSync.SeccompListener),
        _ => ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
    public void Setsid() => Add(PlanOp.SETSID, [], "become a session leader");

    /// <summary>A hook run by the executor: its state on stdin, killed after <paramref name="timeoutMs"/>.</summary>
    public void Hook(string path, IReadOnlyList<string> args, IReadOnlyList<string> env, string? cwd, byte[] state, long timeoutMs, string what)
    {
        Push(1, args.Count > 0 ? args : [path]);
        Push(2, env);
        // The label words the hook's failure: after create has returned, the executor reports it on its own.
        AddBytes(PlanOp.HOOK, [timeoutMs], $"run {what} {path}", Text(path), Text(cwd), state, Text(origin.Length > 0 ? origin : what));
    }

    /// <summary>Appends to list <paramref name="list"/> (0: exec candidates, 1: argv, 2: env), in messages of
    /// bounded size.</summary>
    public void Push(int list, IReadOnlyList<string> values)
    {
        const int Chunk = 64 * 1024;
        var batch = new List<byte[]>();
        int size = 0;
        foreach (var value in values)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            if (batch.Count > 0 && (size + bytes.Length > Chunk || batch.Count == 255))
            {
                AddBytes(PlanOp.PUSH, [list], $"{ListName(list)} += {batch.Count}", [.. batch]);
                batch.Clear();
                size = 0;
            }
            batch.Add(bytes);
            size += bytes.Length + 4;
        }
        if (batch.Count > 0) AddBytes(PlanOp.PUSH, [list], $"{ListName(list)} += {string.Join(' ', values.Take(4))}{(values.Count > 4 ? " …" : "")}", [.. batch]);
    }

    static string ListName(int list) => list switch { 0 => "exec candidates", 1 => "argv", _ => "env" };

    public void WaitStart(int fifoSlot, int writeSlot, int procSlot) => Add(PlanOp.WAIT_START, [fifoSlot, writeSlot, procSlot], "wait for start on the exec fifo");
    public void Exec(string path) => Add(PlanOp.EXEC, [], $"execute {path}");

    /// <summary>mount(2) onto the descriptor in <paramref name="target"/> (or <paramref name="targetPath"/>), from the
    /// descriptor in <paramref name="source"/> (or <paramref name="sourceName"/>).</summary>
    public void Mount(int target, int source, ulong flags, string? sourceName, string? type, string? data, string what, string targetPath = "") =>
        Add(PlanOp.MOUNT, [target, source, (long)flags], data is { Length: > 0 } ? $"{what} ({data})" : what, sourceName, type, data, targetPath);

    public int OpenTree(int dir, string path, uint flags, string what)
    {
        int slot = Slot();
        Add(PlanOp.OPEN_TREE, [slot, dir, flags], what, path);
        return slot;
    }

    public void MoveMount(int from, int to, string what) => Add(PlanOp.MOVE_MOUNT, [from, to, 0], what);

    public void MountSetattr(int slot, bool recursive, ulong set, ulong clear, ulong propagation, string what) =>
        Add(PlanOp.MOUNT_SETATTR, [slot, recursive ? 0x8000 : 0, (long)set, (long)clear, (long)propagation], what);

    public int FsOpen(string type)
    {
        int slot = Slot();
        Add(PlanOp.FSOPEN, [slot], $"fsopen {type}", type);
        return slot;
    }

    /// <summary>fsconfig(2): <paramref name="command"/> 0 sets a flag, 1 a string, 6 creates the superblock.</summary>
    public void FsConfig(int slot, int command, string? key, string? value) =>
        Add(PlanOp.FSCONFIG, [slot, command], command == 6 ? "create the filesystem" : value is null ? $"set {key}" : $"set {key}={value}", key, value);

    public int FsMount(int fs, ulong attributes)
    {
        int slot = Slot();
        Add(PlanOp.FSMOUNT, [slot, fs, 0, (long)attributes], "make the mount");
        return slot;
    }

    public void CopyTree(int from, int to, string what) => Add(PlanOp.COPY_TREE, [from, to], what);
    public void Mkdir(int dir, string name, uint mode) => Add(PlanOp.MKDIR, [dir, mode], $"mkdir {name}", name);
    public void Mknod(int dir, string name, uint mode, ulong device, string what) => Add(PlanOp.MKNOD, [dir, mode, (long)device], what, name);
    public void Symlink(int dir, string target, string name, bool keepExisting) =>
        Add(PlanOp.SYMLINK, [dir, keepExisting ? 1 : 0], $"symlink {name} -> {target}", target, name);
    public void Unlink(int dir, string name) => Add(PlanOp.UNLINK, [dir, 0], $"unlink {name}", name);
    /// <summary>fchown(2); <see cref="uint.MaxValue"/> leaves the uid or gid as it is.</summary>
    public void Fchown(int slot, uint uid, uint gid, string what) =>
        Add(PlanOp.FCHOWN, [slot, uid, gid], $"chown {what} to {(uid == uint.MaxValue ? "-" : uid)}:{(gid == uint.MaxValue ? "-" : gid)}");
    public void Fchmod(int slot, uint mode, string what) => Add(PlanOp.FCHMOD, [slot, mode], $"chmod {what} to {Convert.ToString(mode, 8)}");
    public void Umount(string path, int flags, bool mayNotBeMounted = false) =>
        Add(PlanOp.UMOUNT, [flags | (mayNotBeMounted ? 0x40000000 : 0)], $"unmount {path}", path);
    public void PivotRoot(string newRoot, string putOld) => Add(PlanOp.PIVOT_ROOT, [], $"pivot_root {newRoot} {putOld}", newRoot, putOld);
    public void Chroot(string path) => Add(PlanOp.CHROOT, [], $"chroot {path}", path);
    public void Fchdir(int slot, string what) => Add(PlanOp.FCHDIR, [slot], $"change directory to {what}");
    public void Chdir(string path) => Add(PlanOp.CHDIR, [], $"change directory to {path}", path);

    /// <summary>The process's working directory as runc sets it: tried while still privileged (so that a directory
    /// only the runtime's user can reach works), and, when that fails for want of permission (root squash on NFS, a
    /// volume given to the container's user), tried again as the user (<see cref="WorkdirAsUser"/>).</summary>
    public void Workdir(string path) => Add(PlanOp.WORKDIR, [1], $"change directory to {path}", path);

    /// <summary>The second try of <see cref="Workdir"/>, after the user's ids are set: only if the first was refused.</summary>
    public void WorkdirAsUser(string path) => Add(PlanOp.WORKDIR, [2], $"change directory to {path} as the user", path);
    public void SetHostname(string name) => Add(PlanOp.SETHOSTNAME, [], $"set the hostname to {name}", name);
    public void SetDomainname(string name) => Add(PlanOp.SETDOMAINNAME, [], $"set the domain name to {name}", name);
    public void SetRlimit(int resource, ulong soft, ulong hard, string name) =>
        Add(PlanOp.SETRLIMIT, [resource, (long)soft, (long)hard], $"set {name} to soft {soft}, hard {hard}");
    public void Prctl(int option, ulong arg2, string what, ulong arg3 = 0) => Add(PlanOp.PRCTL, [option, (long)arg2, (long)arg3, 0, 0], what);
    public void Capset(ulong effective, ulong permitted, ulong inheritable) =>
        Add(PlanOp.CAPSET, [(uint)effective, (uint)(effective >> 32), (uint)permitted, (uint)(permitted >> 32), (uint)inheritable, (uint)(inheritable >> 32)],
            $"set capabilities effective 0x{effective:x}, permitted 0x{permitted:x}, inheritable 0x{inheritable:x}");
    public void Personality(ulong persona) => Add(PlanOp.PERSONALITY, [(long)persona], $"set the personality to 0x{persona:x}");
    public void IoPriority(int value) => Add(PlanOp.IOPRIO, [value], $"set the I/O priority to 0x{value:x}");
    public void SchedSetattr(uint policy, ulong flags, int nice, uint priority, ulong runtime, ulong deadline, ulong period) =>
        Add(PlanOp.SCHED_SETATTR, [policy, (long)flags, nice, priority, (long)runtime, (long)deadline, (long)period], $"sched_setattr (policy {policy}, priority {priority})");
    public void MemoryPolicy(int mode, ulong maxNode, byte[] mask) => AddBytes(PlanOp.MEMPOLICY, [mode, (long)maxNode], $"set the memory policy {mode}", mask);
    public void Affinity(byte[] mask) => AddBytes(PlanOp.AFFINITY, [], "set the CPU affinity", mask);
    public void SetGroups(IReadOnlyList<uint> gids) => Add(PlanOp.SETGROUPS, [.. gids.Select(g => (long)g)], $"set the supplementary groups to [{string.Join(',', gids)}]");
    public void SetResGid(uint gid) => Add(PlanOp.SETRESGID, [gid], $"set the gid to {gid}");
    public void SetResUid(uint uid) => Add(PlanOp.SETRESUID, [uid], $"set the uid to {uid}");
    public void Umask(uint mask) => Add(PlanOp.UMASK, [mask], $"set the umask to {Convert.ToString(mask, 8)}");
    /// <summary>Loads a filter; its listener (SECCOMP_FILTER_FLAG_NEW_LISTENER) goes to <paramref name="listener"/>.</summary>
    public void Seccomp(uint flags, byte[] program, int listener = None) =>
        AddBytes(PlanOp.SECCOMP, [flags, listener], $"load the seccomp filter ({program.Length / 8} instructions)", program);

    public int PtyPeer(int master)
    {
        int slot = Slot();
        Add(PlanOp.PTY_PEER, [master, slot], "open the terminal's slave");
        return slot;
    }

    public void WindowSize(int slot, ushort rows, ushort columns) => Add(PlanOp.WINSIZE, [slot, rows, columns], $"set the terminal size to {rows}x{columns}");
    public void ControllingTerminal(int fd) => Add(PlanOp.CTTY, [fd], $"make fd {fd} the controlling terminal");
    public void SendFd(int socket, int slot, string name, string what) => Add(PlanOp.SEND_FD, [socket, slot], what, name);
    public void Keyring(string name, uint addPermissions) => Add(PlanOp.KEYRING, [addPermissions], $"join the session keyring {name}", name);
    public void MakePath(int root, string path, bool lastIsFile) => Add(PlanOp.MKPATH, [root, 0x1ED, lastIsFile ? 1 : 0], $"make {path} in the root", Relative(path));
    public void CopyMode(int from, int to, string what) => Add(PlanOp.COPY_MODE, [from, to], what);
    public void StdioOwner(uint uid, int mask, string what) => Add(PlanOp.STDIO_OWNER, [uid, mask], what);
    public void ReportTo(int slot) => Add(PlanOp.REPORT_TO, [slot], "report failures on the exec fifo");

    /// <summary><paramref name="path"/> without its leading slashes, as the executor takes paths inside the root.</summary>
    public static string Relative(string path) => string.Join('/', LexicalPath.Components(path)) is { Length: > 0 } p ? p : ".";
}

/// <summary>Why the executor stops to talk to the runtime (the code of a SYNC or NOTIFY step).</summary>
internal enum ExecutorSync
{
    /// <summary>A new user namespace exists: write its id maps.</summary>
    UserNamespace = 1,
    /// <summary>The config's mounts are made: run prestart and createRuntime hooks, and plan the rest with this
    /// descriptor of the container's root.</summary>
    Mounted = 2,
    /// <summary>createContainer hooks have run: plan the process with this descriptor of the container's root.</summary>
    RootReady = 3,
    /// <summary>The container is created: the rest of the plan runs without the runtime.</summary>
    Ready = 4,
    /// <summary>The seccomp filter is loaded: send its listener (the descriptor) to the agent.</summary>
    SeccompListener = 5,
}
