using System.Text;
using Oci.Runtime.Init;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Lifecycle;

/// <summary>Init's config and messages on the bootstrap socket, written and read by hand.</summary>
public class InitWireTests
{
    [Fact]
    public void AConfigRoundTripsWithItsDescriptorsAsIndexes()
    {
        byte[] spec = Encoding.UTF8.GetBytes("""{ "ociVersion": "1.3.0", "process": { "cwd": "/", "args": ["sh"] } }""");
        var sent = new InitConfig
        {
            ContainerId = "c1",
            SpecJson = spec,
            ProcessJson = Encoding.UTF8.GetBytes("""{"cwd":"/tmp","args":["true"]}"""),
            Bundle = "/b",
            Rootfs = "/b/rootfs",
            IsExec = true,
            NoPivot = true,
            NewMountNamespace = true,
            NewUtsNamespace = true,
            FirstRuntimeFd = 5,
            ExecFifoFd = 17,
            ConsoleSocketFd = 23,
            CgroupPaths = new() { ["memory"] = "/sys/fs/cgroup/memory/c1" },
            CgroupMountPoints = new() { [""] = "/sys/fs/cgroup/unified" },
            Seccomp = new Oci.Runtime.Seccomp.SeccompProgram([1, 2, 3, 255], 4),
            HookState = new ContainerStateDocument { Id = "c1", Status = "creating", Pid = 42, Bundle = "/b", Annotations = new() { ["k"] = "v\"é" } },
        };
        var (json, fds) = InitWire.Write(sent);
        Assert.Equal([17, 23], fds);

        // The receiving side's numbers for the same descriptors, in the order they were attached.
        var got = InitWire.ReadConfig(json, [101, 102]);
        Assert.Equal(101, got.ExecFifoFd);
        Assert.Equal(102, got.ConsoleSocketFd);
        Assert.Equal("c1", got.ContainerId);
        Assert.Equal(spec, got.SpecJson);
        Assert.Equal("/tmp", got.Spec.Process!.Cwd);
        Assert.Equal(("/b", "/b/rootfs", true, true, true, true, 5), (got.Bundle, got.Rootfs, got.IsExec, got.NoPivot, got.NewMountNamespace, got.NewUtsNamespace, got.FirstRuntimeFd));
        Assert.False(got.NewUserNamespace);
        Assert.Equal(sent.CgroupPaths, got.CgroupPaths);
        Assert.Equal(sent.CgroupMountPoints, got.CgroupMountPoints);
        Assert.Equal(sent.Seccomp.Filter, got.Seccomp!.Filter);
        Assert.Equal(4u, got.Seccomp.Flags);
        Assert.Equal(("c1", "creating", 42, "v\"é"), (got.HookState.Id, got.HookState.Status, got.HookState.Pid, got.HookState.Annotations!["k"]));
    }

    [Fact]
    public void AConfigWithoutDescriptorsNamesNone()
    {
        var (json, fds) = InitWire.Write(new InitConfig { ContainerId = "c2" });
        Assert.Empty(fds);
        var got = InitWire.ReadConfig(json, []);
        Assert.Equal(-1, got.ExecFifoFd);
        Assert.Equal(-1, got.ConsoleSocketFd);
    }

    [Fact]
    public void ADescriptorThatWasNotSentIsAProtocolError()
    {
        var (json, _) = InitWire.Write(new InitConfig { ExecFifoFd = 9 });
        var e = Assert.Throws<OciException>(() => InitWire.ReadConfig(json, []));
        Assert.Contains("init protocol", e.Message);
    }

    [Theory]
    [InlineData("ready", null)]
    [InlineData("error", "linux.mounts[0]: \"quoted\" and ünïcode")]
    public void MessagesRoundTrip(string type, string? text)
    {
        var got = InitWire.ReadMessage(InitWire.Write(new InitMessage { Type = type, Message = text }));
        Assert.Equal((type, text), (got.Type, got.Message));
    }

    [Fact]
    public void MalformedMessagesAreProtocolErrors() =>
        Assert.Contains("init protocol", Assert.Throws<OciException>(() => InitWire.ReadMessage("{\"type\":"u8)).Message);
}
