using System.Diagnostics;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Security;

/// <summary>
/// The container's init and every exec'd process are non-dumpable while the runtime's code runs in them, and lead a
/// session of their own (CVE-2016-9962 class: a process of the container must not ptrace a privileged runtime
/// process that sits in its PID namespace holding host descriptors; a foreground run must not share the caller's
/// process group). Everything is observed from outside, so that these tests hold whatever executes the plan.
/// </summary>
public sealed class InitProcessTests
{
    /// <summary>A created container's init leads its own session and process group (field 6 and 5 of its stat).</summary>
    [ContainerFact]
    public void A_created_containers_init_leads_its_own_session()
    {
        using var h = new OciRunHarness();
        string id = h.Create(OciRunHarness.NewSpec("sleep", "1000"));
        int pid = h.State(id).Pid!.Value;
        var stat = ProcStat.Of($"/proc/{pid}/stat");
        Assert.True(stat.Session == pid, $"init {pid} is in session {stat.Session}, not its own");
        Assert.True(stat.ProcessGroup == pid, $"init {pid} is in process group {stat.ProcessGroup}, not its own");
    }

    /// <summary>A created container's init waits, in the runtime's code, for <c>start</c>: it must not be dumpable.
    /// Dumpability is observed the way an attacker meets it: a reader with the same ids and more capabilities than
    /// init, but without CAP_SYS_PTRACE, may read /proc/PID/exe of a dumpable process (ptrace_may_access in read
    /// mode) and not of a non-dumpable one. The same reader must be able to read it once the user's process runs
    /// (execve makes it dumpable again), which shows that the check itself works.</summary>
    [ContainerFact]
    public void A_created_containers_init_is_not_dumpable_until_it_executes_the_users_program()
    {
        using var h = new OciRunHarness();
        string id = h.Create(OciRunHarness.NewSpec("sleep", "1000"));
        int pid = h.State(id).Pid!.Value;
        var early = ReadExeWithoutPtraceCapability(pid);
        Assert.True(early.ExitCode != 0, $"init {pid} is dumpable before start: a reader without CAP_SYS_PTRACE read its exe: {early}");

        Assert.Equal(0, h.Run("start", id).ExitCode);
        Assert.True(OciRunHarness.Eventually(() => ReadExeWithoutPtraceCapability(pid).ExitCode == 0, attempts: 100),
            $"the check is void: the started user's process {pid} is not readable either: {ReadExeWithoutPtraceCapability(pid)}");
    }

    /// <summary>A foreground <c>run</c>'s init leads its own session and process group (in its PID namespace: 1);
    /// before, it stayed in the caller's, outside the namespace, which /proc shows as 0.</summary>
    [ContainerFact]
    public void A_foreground_runs_init_is_not_in_the_callers_process_group()
    {
        using var h = new OciRunHarness();
        var result = h.RunContainer(OciRunHarness.NewSpec("sh", "-c", PrintOwnStat));
        Assert.True(result.ExitCode == 0, result.ToString());
        var stat = ProcStat.Parse(result.Stdout.Trim());
        Assert.Equal(1, stat.Pid);
        Assert.True(stat.ProcessGroup == 1 && stat.Session == 1, $"init: process group {stat.ProcessGroup}, session {stat.Session}\n{result}");
    }

    /// <summary>With a terminal, the pty is init's controlling terminal, set after it became a session leader.</summary>
    [ContainerFact]
    public void A_terminal_is_the_controlling_terminal_of_the_session_leader()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("sh", "-c", PrintOwnStat);
        spec.Process!.Terminal = true;
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        var stat = ProcStat.Parse(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith("1 (", StringComparison.Ordinal)).Trim());
        Assert.True(stat.Session == 1, $"session {stat.Session}\n{result}");
        Assert.True(stat.TtyNr != 0, $"no controlling terminal\n{result}");
        Assert.Equal(stat.ProcessGroup, stat.TerminalProcessGroup);
    }

    /// <summary>An exec'd process leads its own session, as runc's do.</summary>
    [ContainerFact]
    public void An_exec_process_leads_its_own_session()
    {
        using var h = new OciRunHarness();
        string id = h.NewId();
        var started = h.Run("run", "-d", "--bundle", h.WriteBundle(OciRunHarness.NewSpec("sleep", "1000")), id);
        Assert.True(started.ExitCode == 0, started.ToString());
        var result = h.Run("exec", id, "sh", "-c", PrintOwnStat);
        Assert.True(result.ExitCode == 0, result.ToString());
        var stat = ProcStat.Parse(result.Stdout.Trim());
        Assert.True(stat.Session == stat.Pid && stat.ProcessGroup == stat.Pid,
            $"exec'd process {stat.Pid}: process group {stat.ProcessGroup}, session {stat.Session}");
    }

    /// <summary>Traced with strace: every process that enters or creates a namespace (the container's init for
    /// <c>run</c>, the joining process for <c>exec</c>) is non-dumpable by then, and stays so until it executes the
    /// user's program.</summary>
    [StraceTheory]
    [InlineData("run")]
    [InlineData("exec")]
    public void The_process_entering_the_namespaces_is_not_dumpable(string command)
    {
        using var h = new OciRunHarness();
        var (result, trace) = h.RunTraced(command, "prctl,setns,unshare,execve,clone,clone3,fork,vfork");
        Assert.True(result.ExitCode == 0, result.ToString());
        var findings = DumpabilityTrace.Check(trace);
        string all = string.Join('\n', trace);
        Assert.True(findings.NamespaceEntries > 0, "no setns or unshare in the trace:\n" + all);
        Assert.True(findings.Violations.Count == 0, string.Join('\n', findings.Violations) + "\n\ntrace:\n" + all);
    }

    /// <summary>The trace reader itself, on strace's split and padded lines: a process that set itself
    /// non-dumpable in an interrupted call before it entered its namespaces passes; one that did not, fails.</summary>
    [Fact]
    public void The_trace_reader_follows_split_and_padded_lines()
    {
        string[] trace =
        [
            "100 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f, stack_size=0x9000}, 88 <unfinished ...>",
            "101 execve(\"/proc/self/fd/5\", [\"oci-run\", \"init\"], 0x7ffc /* 1 var */ <unfinished ...>",
            "100 <... clone3 resumed>)             = 101",
            "101 <... execve resumed>)             = 0",
            "101 prctl(PR_SET_DUMPABLE, SUID_DUMP_DISABLE <unfinished ...>",
            "101 <... prctl resumed>)              = 0",
            "101 unshare(CLONE_NEWNS|CLONE_NEWPID) = 0",
            "101 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 102",
            "102 execve(\"/bin/true\", [\"true\"], 0x5 /* 2 vars */) = 0",
            "100 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f, stack_size=0x9000}, 88) = 103",
            "103 execve(\"/proc/self/fd/5\", [\"oci-run\", \"init\"], 0x7ffc /* 1 var */) = 0",
            "103 prctl(PR_SET_DUMPABLE, SUID_DUMP_DISABLE) = -1 EPERM (Operation not permitted)",
            "103   setns(3, CLONE_NEWNS <unfinished ...>",
            "103   <... setns resumed>)              = 0",
        ];
        var findings = DumpabilityTrace.Check(trace);
        Assert.Equal(2, findings.NamespaceEntries);
        Assert.Equal("pid 103 entered a namespace while dumpable: 103   setns(3, CLONE_NEWNS <unfinished ...>", Assert.Single(findings.Violations));
    }

    /// <summary>sh's own /proc/self/stat (read is a builtin, so /proc/self is the shell).</summary>
    const string PrintOwnStat = "read -r line < /proc/self/stat; echo \"$line\"";

    /// <summary>readlink /proc/PID/exe as root with every capability but CAP_SYS_PTRACE.</summary>
    static CommandResult ReadExeWithoutPtraceCapability(int pid)
    {
        var start = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--bounding-set", "-sys_ptrace", "readlink", $"/proc/{pid}/exe" }) start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd(), stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return new CommandResult(process.ExitCode, stdout, stderr);
    }
}

/// <summary>The fields of a /proc/PID/stat line that these tests read.</summary>
internal sealed record ProcStat(int Pid, char State, int ParentPid, int ProcessGroup, int Session, int TtyNr, int TerminalProcessGroup)
{
    public static ProcStat Of(string path) => Parse(File.ReadAllText(path));

    public static ProcStat Parse(string line)
    {
        // The command name (field 2) may hold spaces and parentheses: the other fields follow the last ')'.
        int close = line.LastIndexOf(')');
        if (close < 0) throw new FormatException($"not a stat line: {line}");
        var rest = line[(close + 2)..].Split(' ');
        return new ProcStat(int.Parse(line[..line.IndexOf(' ')]), rest[0][0], int.Parse(rest[1]), int.Parse(rest[2]),
            int.Parse(rest[3]), int.Parse(rest[4]), int.Parse(rest[5]));
    }
}

/// <summary>
/// Follows the dumpable flag of every process through an <c>strace -f</c> trace of prctl, setns, unshare, execve
/// and the clone family: execve makes a process dumpable, PR_SET_DUMPABLE sets it, a child inherits its parent's.
/// A violation is a namespace entered while dumpable, or a process that entered one becoming dumpable again
/// before it executed its program.
/// </summary>
internal static partial class DumpabilityTrace
{
    public sealed record Findings(int NamespaceEntries, List<string> Violations);

    public static Findings Check(IEnumerable<string> lines)
    {
        var dumpable = new Dictionary<int, bool>();
        var inside = new HashSet<int>();
        var seen = new HashSet<int>();
        var pending = new Dictionary<int, (string Name, string Text)>();
        var violations = new List<string>();
        int entries = 0;
        foreach (var raw in lines)
        {
            int space = raw.IndexOf(' ');
            if (space <= 0 || !int.TryParse(raw[..space], out int pid)) continue;
            // strace pads the pid column ("450   execve(...").
            string text = raw[(space + 1)..].TrimStart();
            seen.Add(pid);
            string name;
            if (text.StartsWith("<... ", StringComparison.Ordinal))
            {
                // "<... NAME resumed> REST": the end of a call whose start was "NAME(ARGS <unfinished ...>".
                name = text[5..text.IndexOf(' ', 5)];
                if (!pending.Remove(pid, out var started)) continue;
                text = started.Text + text[(text.IndexOf('>') + 1)..];
            }
            else
            {
                int paren = text.IndexOf('(');
                if (paren <= 0) continue;
                name = text[..paren];
                if (text.EndsWith("<unfinished ...>", StringComparison.Ordinal))
                {
                    pending[pid] = (name, text[..^"<unfinished ...>".Length]);
                    // A namespace is entered when the call starts: judge it now.
                    if (name is "setns" or "unshare") Enter(pid, raw);
                    continue;
                }
            }
            long? result = Result(text);
            bool isDumpable = dumpable.GetValueOrDefault(pid, true);
            switch (name)
            {
                case "execve" when result == 0:
                    dumpable[pid] = true;
                    inside.Remove(pid);
                    break;
                case "prctl" when text.StartsWith("prctl(PR_SET_DUMPABLE,", StringComparison.Ordinal) && result == 0:
                    bool to = !(text.Contains("SUID_DUMP_DISABLE", StringComparison.Ordinal) || text.StartsWith("prctl(PR_SET_DUMPABLE, 0)", StringComparison.Ordinal));
                    if (to && inside.Contains(pid)) violations.Add($"pid {pid} became dumpable inside the container's namespaces before its execve: {raw}");
                    dumpable[pid] = to;
                    break;
                case "clone" or "clone3" or "fork" or "vfork" when result > 0:
                    int child = (int)result.Value;
                    // The child may have run (and executed) before its parent's call returned in the trace.
                    if (!seen.Contains(child))
                    {
                        dumpable[child] = isDumpable;
                        if (inside.Contains(pid)) inside.Add(child);
                    }
                    break;
                case "setns" or "unshare" when !text.EndsWith("<unfinished ...>", StringComparison.Ordinal) && !raw.Contains("resumed>", StringComparison.Ordinal):
                    Enter(pid, raw);
                    break;
            }
        }
        return new Findings(entries, violations);

        void Enter(int pid, string raw)
        {
            entries++;
            if (dumpable.GetValueOrDefault(pid, true)) violations.Add($"pid {pid} entered a namespace while dumpable: {raw}");
            inside.Add(pid);
        }
    }

    /// <summary>The return value at the end of a completed call ("...) = 42" or "...) = -1 EPERM (...)"; strace pads
    /// before the '=' to align short lines).</summary>
    static long? Result(string text)
    {
        var match = ReturnValue().Match(text);
        return match.Success && long.TryParse(match.Groups[1].Value, out long v) ? v : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\)\s+=\s+(-?\d+)(?:\s+\w+\s+\(.*\))?$", System.Text.RegularExpressions.RegexOptions.RightToLeft)]
    private static partial System.Text.RegularExpressions.Regex ReturnValue();
}
