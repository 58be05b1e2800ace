using System.Diagnostics;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Integration;

/// <summary><c>linux.seccomp</c>: the filter the container's process actually runs under.</summary>
public sealed class SeccompTests
{
    static LinuxSeccomp Deny(string action, uint? errno = null, params string[] syscalls) => new()
    {
        DefaultAction = "SCMP_ACT_ALLOW",
        Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
        Syscalls = [new LinuxSyscall { Names = [.. syscalls], Action = action, ErrnoRet = errno }],
    };

    [ContainerTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_errno_rule_makes_the_syscall_fail_with_that_errno(bool noNewPrivileges)
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("sh", "-c", "mkdir /tmp/x 2>&1; echo status $?; ls -d /tmp");
        spec.Process!.NoNewPrivileges = noNewPrivileges;
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs" });
        spec.Linux!.Seccomp = Deny("SCMP_ACT_ERRNO", 95, "mkdir", "mkdirat");
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Operation not supported", result.Stdout); // EOPNOTSUPP (95)
        Assert.Contains("status 1", result.Stdout);
        Assert.Contains("/tmp", result.Stdout); // everything else still works
    }

    [ContainerFact]
    public void A_kill_rule_kills_the_process_with_sigsys()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("sh", "-c", "mkdir /tmp/x; echo status $?");
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs" });
        spec.Linux!.Seccomp = Deny("SCMP_ACT_KILL_PROCESS", null, "mkdir", "mkdirat");
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("status 159", result.Stdout); // 128 + SIGSYS (31)
    }

    [ContainerFact]
    public void Argument_filters_match_only_the_given_values()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("sh", "-c", "touch /tmp/f; chmod 777 /tmp/f; echo a $?; chmod 755 /tmp/f; echo b $?");
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs" });
        spec.Linux!.Seccomp = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls =
            [
                new LinuxSyscall { Names = ["chmod"], Action = "SCMP_ACT_ERRNO", Args = [new LinuxSeccompArg { Index = 1, Value = 0x1FF, Op = "SCMP_CMP_EQ" }] },
                new LinuxSyscall { Names = ["fchmodat"], Action = "SCMP_ACT_ERRNO", Args = [new LinuxSeccompArg { Index = 2, Value = 0x1FF, Op = "SCMP_CMP_EQ" }] },
            ],
        };
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("a 1", result.Stdout);
        Assert.Contains("b 0", result.Stdout);
    }

    [ContainerFact]
    public void An_unknown_action_is_named_and_nothing_is_left()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("true");
        spec.Linux!.Seccomp = new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"] };
        string id = h.NewId();
        var result = h.Run("create", "--bundle", h.WriteBundle(spec), id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("linux.seccomp.flags[0]", result.Stderr);
        Assert.Empty(h.LeftoverState());
    }

    /// <summary>A default-deny profile (EPERM) that allows only <paramref name="allowed"/>.</summary>
    static LinuxSeccomp Allow(params string[] allowed) => new()
    {
        DefaultAction = "SCMP_ACT_ERRNO",
        Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        Syscalls = [new LinuxSyscall { Names = [.. allowed], Action = "SCMP_ACT_ALLOW" }],
    };

    /// <summary>A spec running <see cref="TinyPrograms"/> program <paramref name="name"/>, bound read-only at /probe.</summary>
    static RuntimeSpec ProgramSpec(string name, string? directory = null)
    {
        string program = TinyPrograms.Build(name, out string reason) ?? throw new InvalidOperationException(reason);
        var spec = OciRunHarness.NewSpec("/probe/" + name);
        spec.Mounts!.Add(new Mount { Destination = "/probe", Type = "bind", Source = directory ?? Path.GetDirectoryName(program)!, Options = ["rbind", "ro"] });
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs" });
        return spec;
    }

    [ProgramTheory(nameof(TinyPrograms.SayOk))]
    [InlineData(true)]
    [InlineData(false)]
    public void A_profile_allowing_only_what_the_program_calls_runs_it(bool noNewPrivileges)
    {
        // Nothing of the runtime's may run after the filter is loaded (close_range, clone3, malloc's brk and mmap,
        // ...): the exec is the only call, and the program itself makes only write and exit_group.
        using var h = new OciRunHarness();
        var spec = ProgramSpec(nameof(TinyPrograms.SayOk));
        spec.Process!.NoNewPrivileges = noNewPrivileges;
        spec.Linux!.Seccomp = Allow("execve", "write", "exit_group");
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("ok\n", result.Stdout);
    }

    [ContainerFact]
    public void A_profile_that_denies_the_exec_fails_create_with_the_reason()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("true");
        spec.Linux!.Seccomp = Allow("write", "exit_group");
        var result = h.Run("create", "--bundle", h.WriteBundle(spec), h.NewId());
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains("linux.seccomp", result.Stderr);
        Assert.Contains("execve", result.Stderr);
        Assert.Empty(h.LeftoverState());
    }

    [ProgramFact(nameof(TinyPrograms.SayOk))]
    public void An_exec_failing_after_start_fails_start_with_the_reason()
    {
        // The program is there at create (which resolves it) and gone at start: init fails after start released
        // it, and start must say so rather than report success.
        using var h = new OciRunHarness();
        string directory = Path.Combine(h.Root, "probe");
        Directory.CreateDirectory(directory);
        string program = Path.Combine(directory, nameof(TinyPrograms.SayOk));
        File.Copy(TinyPrograms.Build(nameof(TinyPrograms.SayOk), out _)!, program);
        var spec = ProgramSpec(nameof(TinyPrograms.SayOk), directory);
        spec.Linux!.Seccomp = Allow("execve", "write", "exit_group");
        string id = h.Create(spec);
        File.Delete(program);
        var result = h.Run("start", id);
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains("No such file or directory", result.Stderr);
    }

    [ProgramFact(nameof(TinyPrograms.UnknownSyscall))]
    public void A_syscall_newer_than_the_profile_returns_enosys_and_a_known_unlisted_one_the_default()
    {
        using var h = new OciRunHarness();
        var spec = ProgramSpec(nameof(TinyPrograms.UnknownSyscall));
        spec.Linux!.Seccomp = Allow("execve", "exit_group");
        var result = h.RunContainer(spec);
        // 101: syscall(1000) gave ENOSYS, mkdir (below the profile's highest, exit_group) gave EPERM.
        Assert.True(result.ExitCode == 101, result.ToString());
    }

    [ProgramFact(nameof(TinyPrograms.ThirtyTwoBit))]
    public void Thirty_two_bit_syscalls_follow_the_profile_as_under_runc()
    {
        using var h = new OciRunHarness();
        var spec = ProgramSpec(nameof(TinyPrograms.ThirtyTwoBit));
        // getuid32 exists on x86 only: it must reach the filter's x86 part. mkdir is not allowed.
        spec.Linux!.Seccomp = Allow("execve", "exit", "exit_group", "getuid32");
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 101, result.ToString());
        // Denied by name: getuid32 gets the rule's errno (5), under runc too. (runc 1.1.5 fails getuid32 with EPERM
        // under the default-deny profile above, whatever its defaultErrnoRet: not compared.)
        spec.Linux.Seccomp = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            Syscalls = [new LinuxSyscall { Names = ["getuid32"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 5 }],
        };
        result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 5, result.ToString());
        if (RuncExitCode(h, spec) is { } runc) Assert.Equal(runc, result.ExitCode);
    }

    /// <summary>An engine's default profile as the engine would give it for <paramref name="spec"/>'s capabilities,
    /// or null when the profile is not on this host (podman's comes with containers-common).</summary>
    static LinuxSeccomp? EngineDefault(string engine, RuntimeSpec spec)
    {
        string path = engine == "docker"
            ? Path.Combine(TestPaths.RepositoryRoot, "third_party", "moby-seccomp", "default.json")
            : "/usr/share/containers/seccomp.json";
        if (!File.Exists(path)) return null;
        return SeccompFilter.EngineProfile.Convert(File.ReadAllText(path), spec.Process!.Capabilities?.Bounding ?? []);
    }

    [ContainerTheory]
    [InlineData("docker")]
    [InlineData("podman")]
    public void Busybox_runs_under_the_engines_default_profile(string engine)
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("sh", "-c", "echo hi; ls / >/dev/null && echo listed; mkdir /tmp/d && echo made; id -u");
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs" });
        if (EngineDefault(engine, spec) is not { } profile) return; // containers-common not installed
        spec.Linux!.Seccomp = profile;
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("hi\nlisted\nmade\n0\n", result.Stdout);
    }

    [ProgramTheory(nameof(TinyPrograms.ThirtyTwoBit))]
    [InlineData("docker")]
    [InlineData("podman")]
    public void Thirty_two_bit_programs_run_under_the_engines_default_profile_as_under_runc(string engine)
    {
        using var h = new OciRunHarness();
        var spec = ProgramSpec(nameof(TinyPrograms.ThirtyTwoBit));
        if (EngineDefault(engine, spec) is not { } profile) return;
        spec.Linux!.Seccomp = profile;
        var result = h.RunContainer(spec);
        // 100: getuid32 gave 0 and mkdir succeeded, both allowed for x86 by the profiles.
        Assert.True(result.ExitCode == 100, result.ToString());
        if (RuncExitCode(h, spec) is { } runc) Assert.Equal(runc, result.ExitCode);
    }

    /// <summary>The exit status of <paramref name="spec"/> run by runc, or null without runc.</summary>
    static int? RuncExitCode(OciRunHarness h, RuntimeSpec spec)
    {
        string runc = new[] { "/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc" }.FirstOrDefault(File.Exists) ?? "";
        if (runc.Length == 0) return null;
        string root = Path.Combine(h.Root, "runc-state"), id = h.NewId("runc");
        var start = new ProcessStartInfo(runc) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["--root", root, "run", "--bundle", h.WriteBundle(spec), id]) start.ArgumentList.Add(arg);
        try
        {
            using var process = System.Diagnostics.Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode;
        }
        finally
        {
            var delete = new ProcessStartInfo(runc) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in (string[])["--root", root, "delete", "--force", id]) delete.ArgumentList.Add(arg);
            using (var d = System.Diagnostics.Process.Start(delete)!) { d.StandardError.ReadToEnd(); d.WaitForExit(); }
        }
    }
}

/// <summary><c>SCMP_ACT_NOTIFY</c>: the listener reaches the agent at listenerPath, and the agent's answers are the
/// container's.</summary>
public sealed class SeccompNotifyTests
{
    [ContainerTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_agent_receives_the_listener_and_answers_the_containers_calls(bool waitKillableRecv)
    {
        using var h = new OciRunHarness();
        using var agent = new SeccompTestAgent(Path.Combine(h.Root, "agent.sock"));
        var spec = MkdirGoesToTheAgent(agent, "test-metadata", "sh", "-c", MakeDirectory);
        spec.Linux!.Seccomp!.Flags = waitKillableRecv ? ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"] : null;
        string id = h.NewId();
        var result = h.Run("run", "--bundle", h.WriteBundle(spec), id);
        Assert.True(result.ExitCode == 0, result + "\nagent: " + agent.Error);
        // The agent said success without making the directory.
        Assert.Contains("made 0", result.Stdout);
        Assert.DoesNotContain("by-agent", result.Stdout);
        Assert.NotEmpty(agent.Answered);
        Assert.Contains("\"metadata\":\"test-metadata\"", agent.State);
        Assert.Contains("\"seccompFd\"", agent.State);
        Assert.Contains($"\"id\":\"{id}\"", agent.State);
    }

    [ContainerFact]
    public void An_exec_sends_its_listener_and_the_running_containers_state_to_the_agent()
    {
        using var h = new OciRunHarness();
        using var agent = new SeccompTestAgent(Path.Combine(h.Root, "agent.sock"));
        var spec = MkdirGoesToTheAgent(agent, "exec-metadata", "sleep", "1000");
        string id = h.Create(spec);
        var start = h.Run("start", id);
        Assert.True(start.ExitCode == 0, start.ToString());
        var exec = h.Run("exec", id, "sh", "-c", MakeDirectory);
        Assert.True(exec.ExitCode == 0, exec + "\nagent: " + agent.Error);
        Assert.Contains("made 0", exec.Stdout);
        Assert.DoesNotContain("by-agent", exec.Stdout);
        List<string> states;
        lock (agent.States) states = [.. agent.States];
        Assert.Equal(2, states.Count);
        Assert.Contains("\"status\":\"creating\"", states[0]);
        Assert.Contains("\"status\":\"running\"", states[1]);
        Assert.Contains($"\"id\":\"{id}\"", states[1]);
        Assert.Contains("\"metadata\":\"exec-metadata\"", states[1]);
    }

    /// <summary>Makes /tmp/by-agent and prints mkdir's status and what /tmp then holds.</summary>
    const string MakeDirectory = "mkdir /tmp/by-agent; echo made $?; ls -a /tmp";

    /// <summary>A spec running <paramref name="args"/> with a tmpfs on /tmp, whose mkdir calls go to the agent.</summary>
    static RuntimeSpec MkdirGoesToTheAgent(SeccompTestAgent agent, string metadata, params string[] args)
    {
        var spec = OciRunHarness.NewSpec(args);
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs" });
        spec.Linux!.Seccomp = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            ListenerPath = agent.Path,
            ListenerMetadata = metadata,
            Syscalls = [new LinuxSyscall { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_NOTIFY" }],
        };
        return spec;
    }
}
