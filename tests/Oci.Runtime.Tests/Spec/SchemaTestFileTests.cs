using System.Text;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Spec;

/// <summary>The runtime-spec's own schema test documents: every good/ document parses and round-trips, every bad/
/// document is rejected with an error naming the offending value.</summary>
public class SchemaTestFileTests
{
    public static TheoryData<string> Files(string kind, string goodOrBad) => new(Names(kind, goodOrBad));

    private static string[] Names(string kind, string goodOrBad) =>
        Directory.GetFiles(TestPaths.SchemaTests(kind, goodOrBad), "*.json").Select(f => Path.GetFileName(f)!)
            .Order(StringComparer.Ordinal).ToArray();

    private static byte[] Read(string kind, string goodOrBad, string file) =>
        File.ReadAllBytes(Path.Combine(TestPaths.SchemaTests(kind, goodOrBad), file));

    [Theory]
    [MemberData(nameof(Files), "config", "good")]
    public void GoodConfigParsesAndRoundTrips(string file)
    {
        byte[] json = Read("config", "good", file);
        RuntimeSpec spec = SpecLoader.Parse(json);
        byte[] written = SpecLoader.Serialize(spec);
        JsonAssert.Equivalent(Encoding.UTF8.GetString(json), Encoding.UTF8.GetString(written));
        // And the written document parses to the same document again.
        JsonAssert.Equivalent(Encoding.UTF8.GetString(written), Encoding.UTF8.GetString(SpecLoader.Serialize(SpecLoader.Parse(written))));
    }

    [Theory]
    [InlineData("freebsd-vnet-disable.json", "freebsd.jail.vnet", "unknown jail sharing mode \"disable\"")]
    [InlineData("invalid-json.json", "", "malformed JSON")]
    [InlineData("linux-hugepage.json", "linux.resources.hugepageLimits[0].pageSize", "\"64kB\" is not a page size")]
    [InlineData("linux-netdevice.json", "linux.netDevices.eth0.name", "expected a string")]
    [InlineData("linux-rdma.json", "linux.resources.rdma.mlx5_1.hcaHandles", "expected an integer from 0 to 4294967295 (uint32)")]
    public void BadConfigIsRejectedNamingThePath(string file, string path, string problem)
    {
        var e = Assert.Throws<SpecValidationException>(() => SpecLoader.Parse(Read("config", "bad", file)));
        Assert.Equal(path, e.JsonPath);
        Assert.Contains(problem, e.Message);
        if (path.Length > 0) Assert.StartsWith(path + ": ", e.Message);
    }

    [Fact]
    public void EveryBadConfigHasAnExpectation()
    {
        var expected = new[] { "freebsd-vnet-disable.json", "invalid-json.json", "linux-hugepage.json", "linux-netdevice.json", "linux-rdma.json" };
        Assert.Equal(expected, Names("config", "bad"));
    }

    [Theory]
    [MemberData(nameof(Files), "features", "good")]
    public void GoodFeaturesParseAndRoundTrip(string file)
    {
        byte[] json = Read("features", "good", file);
        Features features = SpecLoader.ParseFeatures(json);
        JsonAssert.Equivalent(Encoding.UTF8.GetString(json), Encoding.UTF8.GetString(SpecLoader.SerializeFeatures(features)));
    }

    [Fact]
    public void FeaturesWithoutOciVersionMaxIsRejected()
    {
        var e = Assert.Throws<SpecValidationException>(() => SpecLoader.ParseFeatures(Read("features", "bad", "missing-ociVersionMax.json")));
        Assert.Equal("ociVersionMax", e.JsonPath);
        Assert.Equal("ociVersionMax: required property is missing", e.Message);
    }

    [Theory]
    [MemberData(nameof(Files), "features", "bad")]
    public void EveryBadFeaturesIsRejected(string file) =>
        Assert.Throws<SpecValidationException>(() => SpecLoader.ParseFeatures(Read("features", "bad", file)));

    [Theory]
    [MemberData(nameof(Files), "state", "good")]
    public void GoodStateParsesAndRoundTrips(string file)
    {
        byte[] json = Read("state", "good", file);
        ContainerStateDocument state = SpecLoader.ParseState(json);
        JsonAssert.Equivalent(Encoding.UTF8.GetString(json), Encoding.UTF8.GetString(SpecLoader.SerializeState(state)));
    }

    [Theory]
    [MemberData(nameof(Files), "state", "bad")]
    public void BadStateIsRejected(string file)
    {
        var e = Assert.Throws<SpecValidationException>(() => SpecLoader.ParseState(Read("state", "bad", file)));
        Assert.Contains("malformed JSON", e.Message);
    }
}
