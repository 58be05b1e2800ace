using System.Globalization;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Integration.ContainerEnvironment;

/// <summary><c>process.capabilities</c>: the five sets as /proc/self/status shows them after execve.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class CapabilityTests
{
    static ulong Mask(params string[] names) =>
        names.Aggregate(0UL, (mask, name) => mask | 1UL << SpecNames.CapabilitiesByNumber.ToList().IndexOf(name));

    static Dictionary<string, ulong> Sets(string status) =>
        status.Split('\n').Where(l => l.StartsWith("Cap", StringComparison.Ordinal))
            .ToDictionary(l => l[..6], l => ulong.Parse(l[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    [ContainerFact]
    public void AllFiveSetsOfANonRootProcess()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("grep ^Cap /proc/self/status");
        spec.Process!.User = new User { Uid = 1000, Gid = 1000 };
        spec.Process.Capabilities = new LinuxCapabilities
        {
            Bounding = ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN", "CAP_SETUID", "CAP_SYS_TIME"],
            Effective = ["CAP_KILL", "CAP_CHOWN", "CAP_NET_BIND_SERVICE"],
            Permitted = ["CAP_KILL", "CAP_CHOWN", "CAP_NET_BIND_SERVICE"],
            Inheritable = ["CAP_KILL", "CAP_CHOWN"],
            Ambient = ["CAP_KILL", "CAP_CHOWN"],
        };
        var sets = Sets(Env.Output(h, spec));
        // After execve of a file without capabilities a non-root process keeps its inheritable, bounding and
        // ambient sets, and its permitted and effective sets become the ambient set.
        Assert.Equal(Mask("CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN", "CAP_SETUID", "CAP_SYS_TIME"), sets["CapBnd"]);
        Assert.Equal(Mask("CAP_KILL", "CAP_CHOWN"), sets["CapInh"]);
        Assert.Equal(Mask("CAP_KILL", "CAP_CHOWN"), sets["CapAmb"]);
        Assert.Equal(Mask("CAP_KILL", "CAP_CHOWN"), sets["CapPrm"]);
        Assert.Equal(Mask("CAP_KILL", "CAP_CHOWN"), sets["CapEff"]);
    }

    [ContainerFact]
    public void RootGetsItsBoundingSetUnlessNoNewPrivileges()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("grep ^Cap /proc/self/status");
        spec.Process!.Capabilities = new LinuxCapabilities
        {
            Bounding = ["CAP_SYS_ADMIN", "CAP_MKNOD"], Effective = ["CAP_MKNOD"], Permitted = ["CAP_MKNOD"],
        };
        // execve as root grants the bounding set (root's file capabilities are all of them) ...
        spec.Process.NoNewPrivileges = false;
        var sets = Sets(Env.Output(h, spec));
        Assert.Equal(Mask("CAP_SYS_ADMIN", "CAP_MKNOD"), sets["CapBnd"]);
        Assert.Equal(Mask("CAP_SYS_ADMIN", "CAP_MKNOD"), sets["CapPrm"]);
        Assert.Equal(Mask("CAP_SYS_ADMIN", "CAP_MKNOD"), sets["CapEff"]);
        Assert.Equal(0UL, sets["CapInh"]);
        Assert.Equal(0UL, sets["CapAmb"]);
        // ... except with no_new_privs, which keeps the permitted set the config gave.
        spec.Process.NoNewPrivileges = true;
        sets = Sets(Env.Output(h, spec));
        Assert.Equal(Mask("CAP_SYS_ADMIN", "CAP_MKNOD"), sets["CapBnd"]);
        Assert.Equal(Mask("CAP_MKNOD"), sets["CapPrm"]);
        Assert.Equal(Mask("CAP_MKNOD"), sets["CapEff"]);
    }

    [ContainerFact]
    public void NoCapabilitiesAtAll()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("grep ^Cap /proc/self/status");
        spec.Process!.Capabilities = null;
        Assert.All(Sets(Env.Output(h, spec)).Values, mask => Assert.Equal(0UL, mask));
    }

    [ContainerFact]
    public void AnUnknownCapabilityFailsNamingItAndItsPath()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Process!.Capabilities!.Ambient = ["CAP_KILL", "CAP_FROM_THE_FUTURE"];
        Env.Fails(h, spec, "process.capabilities.ambient[1]", "CAP_FROM_THE_FUTURE");
    }

    /// <summary>config.md: a capability that cannot be granted is a warning, not a failure. oci-run is started
    /// with CAP_SYS_NICE out of its bounding set (setpriv), so its init cannot grant it.</summary>
    [ContainerFact]
    public void A_capability_the_runtime_lacks_is_a_warning_and_the_rest_are_granted()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("grep -E '^Cap(Eff|Bnd)' /proc/self/status");
        string[] wanted = ["CAP_KILL", "CAP_SYS_NICE"];
        spec.Process!.Capabilities = new LinuxCapabilities { Bounding = [.. wanted], Effective = [.. wanted], Permitted = [.. wanted] };
        var result = h.RunThrough(["/usr/bin/setpriv", "--bounding-set", "-sys_nice", "--"], [], ["run", "--bundle", h.WriteBundle(spec), h.NewId()]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("CAP_SYS_NICE cannot be granted", result.Stderr);
        // CAP_KILL (5) alone is effective; CAP_SYS_NICE (23) is not.
        Assert.Contains("CapEff:\t0000000000000020", result.Stdout);
    }
}
