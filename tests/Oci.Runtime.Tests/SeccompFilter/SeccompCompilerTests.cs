using Oci.Runtime.Lifecycle;
using Oci.Runtime.Seccomp;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.SeccompFilter;

/// <summary>The compiled filter, evaluated without loading it: what each architecture's calls get.</summary>
public sealed class SeccompCompilerTests
{
    const uint X86_64 = 0xc000003e, I386 = 0x40000003;
    const uint Allow = 0x7fff0000, Eperm = 0x00050001, Enosys = 0x00050026;

    static LinuxSeccomp Profile(string defaultAction, params string[] allowed) => new()
    {
        DefaultAction = defaultAction,
        Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        Syscalls = [new LinuxSyscall { Names = [.. allowed], Action = "SCMP_ACT_ALLOW" }],
    };

    static uint Run(SeccompProgram program, uint arch, int nr, params ulong[] args) => BpfProgram.Evaluate(program.Filter, arch, nr, args);

    [Fact]
    public void Names_of_other_architectures_reach_their_part_of_the_filter()
    {
        var program = SeccompCompiler.Compile(Profile("SCMP_ACT_ERRNO", "execve", "socketcall", "getuid32", "_llseek", "read"));
        Assert.Equal(Allow, Run(program, I386, 102));  // socketcall
        Assert.Equal(Allow, Run(program, I386, 199));  // getuid32
        Assert.Equal(Allow, Run(program, I386, 140));  // _llseek
        Assert.Equal(Allow, Run(program, I386, 3));    // read
        Assert.Equal(Eperm, Run(program, I386, 39));   // mkdir
        Assert.Equal(Allow, Run(program, X86_64, 0));  // read
        Assert.Equal(Allow, Run(program, X86_64, 0x40000000)); // x32 read
        Assert.Empty(program.Warnings);
    }

    [Fact]
    public void A_name_no_architecture_knows_is_left_out_with_a_warning_naming_it()
    {
        // As runc (1.1.5 here, checked): a name libseccomp does not know is not an error.
        var program = SeccompCompiler.Compile(Profile("SCMP_ACT_ERRNO", "execve", "no_such_syscall"));
        Assert.Equal("linux.seccomp.syscalls[0].names[1]: unknown syscall no_such_syscall, not in the filter (libseccomp does not know it)", Assert.Single(program.Warnings));
    }

    [Fact]
    public void Calls_above_the_profiles_highest_get_enosys_per_architecture()
    {
        var program = SeccompCompiler.Compile(Profile("SCMP_ACT_ERRNO", "execve", "exit_group", "getuid32"));
        Assert.Equal(Enosys, Run(program, X86_64, 1000));
        Assert.Equal(Enosys, Run(program, X86_64, 232)); // just above exit_group (231)
        Assert.Equal(Eperm, Run(program, X86_64, 83));   // mkdir: known, below, not listed
        Assert.Equal(Allow, Run(program, X86_64, 231));
        Assert.Equal(Enosys, Run(program, I386, 1000));
        Assert.Equal(Eperm, Run(program, I386, 39));
        Assert.Equal(Enosys, Run(program, X86_64, 0x40000000 | 1000)); // x32, listed
        Assert.Equal(Eperm, Run(program, X86_64, 0x40000000 | 83));
    }

    [Fact]
    public void Without_x32_its_calls_are_left_to_the_filter()
    {
        var profile = Profile("SCMP_ACT_ERRNO", "execve", "exit_group");
        profile.Architectures = ["SCMP_ARCH_X86_64"];
        var program = SeccompCompiler.Compile(profile);
        Assert.Equal(Enosys, Run(program, X86_64, 1000));
        // libseccomp's answer for an architecture the filter does not have: kill.
        Assert.NotEqual(Enosys, Run(program, X86_64, 0x40000000 | 1000));
        Assert.NotEqual(Allow, Run(program, X86_64, 0x40000000 | 1000));
    }

    [Theory]
    [InlineData("SCMP_ACT_ALLOW")]
    [InlineData("SCMP_ACT_LOG")]
    public void A_default_that_lets_calls_through_gets_no_enosys(string defaultAction)
    {
        var profile = Profile(defaultAction);
        profile.Syscalls = [new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_ERRNO" }];
        var program = SeccompCompiler.Compile(profile);
        Assert.NotEqual(Enosys, Run(program, X86_64, 1000));
        Assert.Equal(Eperm, Run(program, X86_64, 83));
    }

    [Fact]
    public void Errno_values_and_masked_comparisons_are_compiled()
    {
        var profile = Profile("SCMP_ACT_ERRNO", "execve");
        profile.DefaultErrnoRet = 95;
        profile.Syscalls!.Add(new LinuxSyscall
        {
            Names = ["personality"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 22,
            Args = [new LinuxSeccompArg { Index = 0, Value = 0xff, ValueTwo = 0x08, Op = "SCMP_CMP_MASKED_EQ" }],
        });
        var program = SeccompCompiler.Compile(profile);
        Assert.Equal(0x00050000u | 22, Run(program, X86_64, 135, 0x1008));
        Assert.Equal(0x00050000u | 95, Run(program, X86_64, 135, 0x1009));
        Assert.Equal(0x00050000u | 95, Run(program, X86_64, 83));
    }

    [Theory]
    [InlineData("SCMP_ACT_ERRNO")]
    [InlineData("SCMP_ACT_KILL")]
    public void A_profile_denying_execve_is_refused(string defaultAction)
    {
        var e = Assert.ThrowsAny<OciException>(() => SeccompCompiler.Compile(Profile(defaultAction, "write", "exit_group")));
        Assert.Contains("execve", e.Message);
    }

    [Fact]
    public void Notify_is_refused_where_it_could_not_work()
    {
        var profile = Profile("SCMP_ACT_NOTIFY", "execve");
        profile.ListenerPath = "/run/agent.sock";
        Assert.Contains("linux.seccomp.defaultAction", Assert.ThrowsAny<OciException>(() => SeccompCompiler.Compile(profile)).Message);
        profile = Profile("SCMP_ACT_ALLOW");
        profile.Syscalls = [new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_NOTIFY" }];
        Assert.Contains("linux.seccomp.listenerPath", Assert.ThrowsAny<OciException>(() => SeccompCompiler.Compile(profile)).Message);
        profile.ListenerPath = "/run/agent.sock";
        var program = SeccompCompiler.Compile(profile);
        Assert.Equal(8u, program.Flags & 8); // SECCOMP_FILTER_FLAG_NEW_LISTENER
        Assert.Equal(0x7fc00000u, BpfProgram.Evaluate(program.Filter, X86_64, 83));
        profile.Syscalls = [new LinuxSyscall { Names = ["mkdir", "sendmsg"], Action = "SCMP_ACT_NOTIFY" }];
        Assert.Contains("linux.seccomp.syscalls[0].names[1]", Assert.ThrowsAny<OciException>(() => SeccompCompiler.Compile(profile)).Message);
    }

    [Fact]
    public void Features_list_only_the_architectures_libseccomp_knows()
    {
        var archs = FeaturesReport.Create().Linux!.Seccomp!.Archs!;
        Assert.Contains("SCMP_ARCH_X86_64", archs);
        Assert.Contains("SCMP_ARCH_X86", archs);
        Assert.Contains("SCMP_ARCH_X32", archs);
        foreach (var arch in archs) Assert.NotEqual(0u, SeccompCompiler.ArchitectureToken(arch));
        if (SeccompCompiler.ArchitectureToken("SCMP_ARCH_LOONGARCH64") == 0) Assert.DoesNotContain("SCMP_ARCH_LOONGARCH64", archs);
    }
}

/// <summary>The engines' default profiles compile, with every capability set podman makes of them.</summary>
public sealed class EngineProfileCompileTests
{
    const string PodmanProfile = "/usr/share/containers/seccomp.json";

    public static TheoryData<string> CapabilitySets => new() { "default", "none", "no-audit-write" };

    /// <summary>A theory that needs podman's profile (Debian: golang-github-containers-common, which podman brings).</summary>
    public sealed class PodmanProfileTheoryAttribute : TheoryAttribute
    {
        public PodmanProfileTheoryAttribute()
        {
            if (!File.Exists(PodmanProfile)) Skip = $"no {PodmanProfile} (apt-get install podman)";
        }
    }

    [PodmanProfileTheory]
    [MemberData(nameof(CapabilitySets))]
    public void Podmans_profile_compiles(string set)
    {
        string[] caps = set switch
        {
            "none" => [],
            "no-audit-write" => [.. EngineProfile.DockerDefaultCapabilities.Where(c => c != "CAP_AUDIT_WRITE")],
            _ => EngineProfile.DockerDefaultCapabilities,
        };
        // podman run --cap-drop ALL (or AUDIT_WRITE): its conditional socket rules collided on x86 ("adding a rule
        // for socket: File exists") while socketcall and the other x86-only names were dropped.
        var program = SeccompCompiler.Compile(EngineProfile.Convert(File.ReadAllText(PodmanProfile), caps));
        Assert.Equal(0x7fff0000u, BpfProgram.Evaluate(program.Filter, 0x40000003, 102)); // x86 socketcall
        Assert.Equal(0x7fff0000u, BpfProgram.Evaluate(program.Filter, 0x40000003, 199)); // x86 getuid32
    }
}
