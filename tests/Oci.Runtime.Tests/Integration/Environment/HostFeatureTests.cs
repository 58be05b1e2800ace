using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Integration.ContainerEnvironment;

/// <summary>Fields that depend on what the host has: process.apparmorProfile, process.selinuxLabel,
/// linux.mountLabel, linux.intelRdt and linux.netDevices.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class HostFeatureTests
{
    [ContainerFact]
    public void SecurityLabelsFailClearlyWithoutTheirModule()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        if (!Init.SecurityModules.AppArmorEnabled())
        {
            spec.Process!.ApparmorProfile = "oci-run-test";
            Env.Fails(h, spec, "process.apparmorProfile", "AppArmor is not enabled");
            spec.Process.ApparmorProfile = null;
        }
        if (!Init.SecurityModules.SelinuxEnabled())
        {
            spec.Process!.SelinuxLabel = "system_u:system_r:container_t:s0";
            Env.Fails(h, spec, "process.selinuxLabel", "SELinux is not enabled");
            spec.Process.SelinuxLabel = null;
            spec.Linux!.MountLabel = "system_u:object_r:container_file_t:s0";
            Env.Fails(h, spec, "linux.mountLabel", "SELinux is not enabled");
        }
    }

    [ContainerFact]
    public void IntelRdtFailsClearly()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Linux!.IntelRdt = new LinuxIntelRdt { ClosId = "oci-run-test", L3CacheSchema = "L3:0=ff" };
        Env.Fails(h, spec, "linux.intelRdt");
    }

    [ContainerFact]
    public void ANetworkDeviceMovesIntoTheContainerRenamed() => WithVeth("mtu 1280", device =>
    {
        using var h = new OciRunHarness();
        string mac = File.ReadAllText($"/sys/class/net/{device}/address").Trim();
        var spec = Env.Sh("cat /sys/class/net/inner0/address /sys/class/net/inner0/mtu; ls /sys/class/net");
        spec.Linux!.NetDevices = new Dictionary<string, LinuxNetDevice> { [device] = new() { Name = "inner0" } };
        string output = Env.Output(h, spec);
        Assert.StartsWith($"{mac}\n1280\n", output);
        Assert.DoesNotContain(device, output);
    });

    [ContainerFact]
    public void AMovedNetworkDeviceKeepsItsPermanentGlobalAddressesAndIsUp() => WithVeth("", device =>
    {
        using var h = new OciRunHarness();
        Env.Shell($"ip addr add 10.198.7.2/24 dev {device}");
        Env.Shell($"ip -6 addr add fd00:c0f:1::2/64 dev {device} nodad");
        // Not moved (config-linux.md: permanent addresses of global scope only): one of link scope, and one
        // with a finite lifetime (not IFA_F_PERMANENT).
        Env.Shell($"ip addr add 10.198.8.2/24 dev {device} scope link");
        Env.Shell($"ip addr add 10.198.9.2/24 dev {device} valid_lft 3600 preferred_lft 3600");
        var spec = Env.Sh("ip -o addr show dev inner0; ip -o link show inner0");
        spec.Linux!.NetDevices = new Dictionary<string, LinuxNetDevice> { [device] = new() { Name = "inner0" } };
        string output = Env.Output(h, spec);
        Assert.Contains("inet 10.198.7.2/24", output);
        Assert.Contains("inet6 fd00:c0f:1::2/64", output);
        Assert.DoesNotContain("10.198.8.2", output);
        Assert.DoesNotContain("10.198.9.2", output);
        string flags = System.Text.RegularExpressions.Regex.Match(output, "inner0[^<]*<([^>]*)>").Groups[1].Value;
        Assert.Contains("UP", flags.Split(','));
    });

    [ContainerFact]
    public void ANetworkDeviceTheKernelRefusesToMoveFailsTheCreateInOneLine() => WithVeth("", device =>
    {
        // The failure comes after init exists, where a failure to add an address or to set the device up would
        // come: the same one-line error naming the device, and nothing of the container is left. (This host's kernel
        // has veth only, and a veth takes any address it had and always comes up.)
        using var h = new OciRunHarness();
        Env.Shell($"ip addr add 10.198.10.2/24 dev {device}");
        var spec = Env.Sh("true");
        spec.Linux!.NetDevices = new Dictionary<string, LinuxNetDevice> { [device] = new() { Name = "lo" } };
        var result = Env.Fails(h, spec, $"linux.netDevices.{device}", "as lo");
        Assert.Single(result.Stderr.Trim().Split('\n'));
    });

    /// <summary>Runs <paramref name="test"/> with a new veth pair (<paramref name="linkOptions"/> for its first end)
    /// whose first end it may move into a container; a veth pair goes away with the container's network namespace,
    /// so the deletion here only covers a failure.</summary>
    static void WithVeth(string linkOptions, Action<string> test)
    {
        string device = "oci" + Guid.NewGuid().ToString("N")[..8];
        Env.Shell($"ip link add {device} {linkOptions} type veth peer name {device}p".Replace("  ", " "));
        try
        {
            test(device);
        }
        finally
        {
            if (Directory.Exists($"/sys/class/net/{device}")) Env.Shell($"ip link del {device}");
        }
    }

    [ContainerFact]
    public void AMissingNetworkDeviceOrNoNetworkNamespaceFailsNamingIt()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Linux!.NetDevices = new Dictionary<string, LinuxNetDevice> { ["nosuchdev0"] = new() };
        Env.Fails(h, spec, "linux.netDevices.nosuchdev0");
        spec.Linux.NetDevices = new Dictionary<string, LinuxNetDevice> { ["lo"] = new() { Name = "x" } };
        spec.Linux.Namespaces!.RemoveAll(n => n.Type == "network");
        Env.Fails(h, spec, "linux.netDevices", "network namespace");
    }
}
