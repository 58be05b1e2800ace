using System.Text;
using Oci.Runtime.Cgroups;
using Xunit;

namespace Oci.Runtime.Tests.Cgroups;

/// <summary><c>update --resources</c> documents (the CLI's UpdateFlags): read by SpecReader, errors as OciException naming the value.</summary>
public class ResourceUpdateParseTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void ReadsAResourcesDocument()
    {
        var r = Oci.Cli.Commands.UpdateFlags.Parse(Utf8("""{"memory":{"limit":33554432,"swap":67108864},"pids":{"limit":-1},"unified":{"memory.high":"max"}}"""));
        Assert.Equal(33554432, r.Memory!.Limit);
        Assert.Equal(67108864, r.Memory.Swap);
        Assert.Equal(-1, r.Pids!.Limit);
        Assert.Equal("max", r.Unified!["memory.high"]);
        Assert.Null(r.Cpu);
    }

    [Theory]
    [InlineData("""{"memory":{"limit":"lots"}}""", "--resources: memory.limit: expected an integer from -9223372036854775808 to 9223372036854775807 (int64) (line 1, column 26)")]
    [InlineData("""{"blockIO":{"weightDevice":[{"major":8}]}}""", "--resources: blockIO.weightDevice[0].minor: required property is missing")]
    [InlineData("null", "--resources: the document is null; expected a JSON object")]
    [InlineData("[]", "--resources: expected an object (line 1, column 2)")]
    public void ErrorsNameTheValue(string json, string message)
    {
        var e = Assert.Throws<OciException>(() => Oci.Cli.Commands.UpdateFlags.Parse(Utf8(json)));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void MalformedJsonIsAnOciException()
    {
        var e = Assert.Throws<OciException>(() => Oci.Cli.Commands.UpdateFlags.Parse(Utf8("""{"memory":{"limit":1,}}""")));
        Assert.StartsWith("--resources: memory: malformed JSON: ", e.Message);
    }
}
