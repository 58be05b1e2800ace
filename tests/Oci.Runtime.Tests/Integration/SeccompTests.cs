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
}
