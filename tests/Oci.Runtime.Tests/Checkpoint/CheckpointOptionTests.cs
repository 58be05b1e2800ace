using Oci.Runtime.Lifecycle;
using Xunit;

namespace Oci.Runtime.Tests.Checkpoint;

/// <summary>What checkpoint decides before it asks CRIU anything: <c>--page-server</c>'s ADDRESS:PORT, and whether
/// CRIU's lazy page server could serve pages on this host.</summary>
public class CheckpointOptionTests
{
    [Theory]
    [InlineData("127.0.0.1:27277", "127.0.0.1", 27277)]
    [InlineData("0.0.0.0:1", "0.0.0.0", 1)]
    [InlineData("[::1]:65535", "::1", 65535)]
    [InlineData("migration-target:8080", "migration-target", 8080)]
    public void An_address_and_a_port_are_split_as_runc_does(string value, string address, int port) =>
        Assert.Equal((address, port), ContainerRuntime.ParsePageServer(value));

    [Theory]
    [InlineData("127.0.0.1")]        // no port
    [InlineData("127.0.0.1:")]       // an empty port
    [InlineData(":27277")]           // no address
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("127.0.0.1:http")]
    [InlineData("::1:27277")]        // IPv6 without brackets
    [InlineData("[::1:27277")]
    [InlineData("")]
    public void Anything_else_is_a_one_line_error_naming_the_flag(string value)
    {
        var e = Assert.Throws<OciException>(() => ContainerRuntime.ParsePageServer(value));
        Assert.StartsWith($"--page-server {value}: must be ADDRESS:PORT", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData(1048576L, true, false)]
    [InlineData(4194304L, false, false)]
    [InlineData(8388608L, false, false)]
    [InlineData(1048576L, false, true)]
    [InlineData(4194303L, false, true)]
    public void Lazy_pages_need_a_4_MiB_pipe_which_above_pipe_max_size_needs_cap_sys_resource(long pipeMaxSize, bool capSysResource, bool blocked)
    {
        string? reason = ContainerRuntime.LazyPageServerBlocker(pipeMaxSize, capSysResource);
        Assert.Equal(blocked, reason is not null);
        if (reason is not null)
        {
            Assert.Contains($"fs.pipe-max-size ({pipeMaxSize})", reason);
            Assert.Contains("CAP_SYS_RESOURCE", reason);
            Assert.Contains("sysctl -w fs.pipe-max-size=4194304", reason);
        }
    }
}
