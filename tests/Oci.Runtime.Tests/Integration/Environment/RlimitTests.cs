using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Integration.ContainerEnvironment;

/// <summary><c>process.rlimits</c>.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class RlimitTests
{
    [ContainerFact]
    public void LimitsAreSet()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("ulimit -Sn; ulimit -Hn; ulimit -c; ulimit -s; grep -E '^Max (processes|locked memory)' /proc/self/limits");
        spec.Process!.Rlimits =
        [
            new PosixRlimit { Type = "RLIMIT_NOFILE", Soft = 777, Hard = 888 },
            new PosixRlimit { Type = "RLIMIT_CORE", Soft = 0, Hard = 0 },
            new PosixRlimit { Type = "RLIMIT_STACK", Soft = 4096 * 1024, Hard = ulong.MaxValue },
            new PosixRlimit { Type = "RLIMIT_NPROC", Soft = 321, Hard = 654 },
            new PosixRlimit { Type = "RLIMIT_MEMLOCK", Soft = 65536, Hard = 131072 },
        ];
        var lines = Env.Output(h, spec).Split('\n');
        Assert.Equal(["777", "888", "0", "4096"], lines[..4]);
        Assert.Matches(@"^Max processes\s+321\s+654\s", lines[4]);
        Assert.Matches(@"^Max locked memory\s+65536\s+131072\s", lines[5]);
    }

    [ContainerFact]
    public void InvalidLimitsFailNamingThem()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Process!.Rlimits = [new PosixRlimit { Type = "RLIMIT_WISHES", Soft = 1, Hard = 1 }];
        Env.Fails(h, spec, "process.rlimits[0].type");
        spec.Process.Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Soft = 10, Hard = 5 }];
        Env.Fails(h, spec, "process.rlimits[0].soft");
        // Above the kernel's nr_open: refused by setrlimit in the container.
        spec.Process.Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Soft = 1UL << 40, Hard = 1UL << 40 }];
        Env.Fails(h, spec, "process.rlimits[0]");
    }
}
