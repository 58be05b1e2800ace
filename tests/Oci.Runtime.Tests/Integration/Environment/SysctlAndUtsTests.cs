using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Integration.ContainerEnvironment;

/// <summary><c>linux.sysctl</c>, <c>hostname</c> and <c>domainname</c>.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class SysctlAndUtsTests
{
    [ContainerFact]
    public void NamespacedSysctlsAreSet()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max " +
                          "/proc/sys/kernel/domainname /proc/sys/net/ipv4/conf/lo/forwarding");
        spec.Linux!.Sysctl = new Dictionary<string, string>
        {
            ["net.ipv4.ip_forward"] = "1",
            ["kernel.shmmni"] = "1234",
            ["fs.mqueue.msg_max"] = "17",
            ["kernel.domainname"] = "sysctl.example",
            ["net/ipv4/conf/lo/forwarding"] = "1",
        };
        Assert.Equal("1\n1234\n17\nsysctl.example\n1\n", Env.Output(h, spec));
    }

    [ContainerTheory]
    [InlineData("net.ipv4.ip_forward", "network", "linux.sysctl['net.ipv4.ip_forward']")]
    [InlineData("kernel.shmmax", "ipc", "linux.sysctl['kernel.shmmax']")]
    [InlineData("fs.mqueue.queues_max", "ipc", "linux.sysctl['fs.mqueue.queues_max']")]
    [InlineData("kernel.domainname", "uts", "linux.sysctl['kernel.domainname']")]
    public void ASysctlOfANamespaceSharedWithTheHostIsRefused(string key, string namespaceType, string jsonPath)
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Hostname = null;
        spec.Linux!.Namespaces!.RemoveAll(n => n.Type == namespaceType);
        spec.Linux.Sysctl = new Dictionary<string, string> { [key] = "1" };
        Env.Fails(h, spec, jsonPath, "namespace");
    }

    [ContainerFact]
    public void ASysctlOfAJoinedHostNamespaceIsRefused()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Linux!.Namespaces!.First(n => n.Type == "network").Path = "/proc/self/ns/net";
        spec.Linux.Sysctl = new Dictionary<string, string> { ["net.ipv4.ip_forward"] = "0" };
        Env.Fails(h, spec, "linux.sysctl['net.ipv4.ip_forward']", "host's network namespace");
    }

    [ContainerTheory]
    [InlineData("vm.swappiness")]
    [InlineData("kernel.pid_max")]
    public void ASysctlThatIsNotNamespacedIsRefused(string key)
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Linux!.Sysctl = new Dictionary<string, string> { [key] = "10" };
        Env.Fails(h, spec, $"linux.sysctl['{key}']", "not in a separate kernel namespace");
    }

    [ContainerFact]
    public void AnUnknownOrUnwritableSysctlFailsNamingIt()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Linux!.Sysctl = new Dictionary<string, string> { ["net.ipv4.no_such_parameter"] = "1" };
        Env.Fails(h, spec, "linux.sysctl['net.ipv4.no_such_parameter']");
        spec.Linux.Sysctl = new Dictionary<string, string> { ["net.ipv4.ip_forward"] = "not-a-number" };
        Env.Fails(h, spec, "linux.sysctl['net.ipv4.ip_forward']");
    }

    [ContainerFact]
    public void HostnameAndDomainname()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("hostname; cat /proc/sys/kernel/domainname");
        spec.Hostname = "box-one";
        spec.Domainname = "example.test";
        Assert.Equal("box-one\nexample.test\n", Env.Output(h, spec));
        spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "uts");
        Env.Fails(h, spec, "hostname");
        spec.Hostname = null;
        Env.Fails(h, spec, "domainname");
    }
}
