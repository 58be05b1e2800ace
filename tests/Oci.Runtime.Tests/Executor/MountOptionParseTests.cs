using Oci.Runtime.Rootfs;
using Xunit;

namespace Oci.Runtime.Tests.Executor;

/// <summary>How a mount's options are sorted into flags and filesystem data (<see cref="MountOptions"/>).</summary>
public sealed class MountOptionParseTests
{
    [Theory]
    [InlineData("nofail")]
    [InlineData("noauto")]
    [InlineData("auto")]
    [InlineData("_netdev")]
    public void OptionsOnlyMount8UsesAreNeitherFlagsNorData(string option)
    {
        var parsed = MountOptions.Parse([option, "size=1m", "nosuid"]);
        Assert.Equal("size=1m", parsed.Data);
        Assert.Equal(MountFlags.MS_NOSUID, parsed.Flags);
        Assert.Equal(0ul, parsed.ClearedFlags);
    }

    [Fact]
    public void AnOptionNoOneKnowsIsFilesystemData() =>
        Assert.Equal("nofailx,size=1m", MountOptions.Parse(["nofailx", "size=1m"]).Data);
}
