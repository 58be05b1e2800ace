using Oci.Runtime.State;
using Xunit;

namespace Oci.Runtime.Tests.State;

/// <summary>Container ids as runc accepts them: Go's <c>^[\w+-\.]+$</c>, where <c>\w</c> is ASCII only.</summary>
public class ContainerIdTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("web-1")]
    [InlineData("A_b.c+d-9")]
    [InlineData("...x")]
    public void RuncsIdsAreAccepted(string id) => StateStore.ValidateId(id);

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("café")]
    [InlineData("ａ")] // a full-width letter: .NET's \w would take it, Go's does not
    [InlineData("x\n")]
    public void OtherIdsAreRefused(string id)
    {
        var e = Assert.Throws<OciException>(() => StateStore.ValidateId(id));
        Assert.Contains(id.Length == 0 ? "cannot be empty" : "invalid container id format", e.Message);
    }
}
