using System.Text;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Spec;

public class SpecLoaderTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData("$.linux.namespaces[2].type", "linux.namespaces[2].type")]
    [InlineData("$", "")]
    [InlineData(null, "")]
    [InlineData("$['odd.key']", "['odd.key']")]
    [InlineData("$.linux.sysctl['net.ipv4.ip_forward']", "linux.sysctl['net.ipv4.ip_forward']")]
    public void JsonPathsLoseTheirDollar(string? jsonPath, string expected) =>
        Assert.Equal(expected, SpecLoader.ToSpecPath(jsonPath));

    [Fact]
    public void LoadBundleReadsConfigJson()
    {
        string dir = Directory.CreateTempSubdirectory("oci-spec-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), SpecDocuments.ValidLinuxConfig);
            RuntimeSpec spec = SpecLoader.LoadBundle(dir);
            Assert.Equal("rootfs", spec.Root!.Path);
            Assert.Equal(536870912, spec.Linux!.Resources!.Memory!.Limit);
            Assert.Equal(3u, spec.Linux.Resources.Rdma!["mlx5_1"].HcaHandles);
            Assert.Equal("SCMP_ACT_ERRNO", spec.Linux.Seccomp!.DefaultAction);
            Assert.Equal("ctr0", spec.Linux.NetDevices!["eth1"].Name);
            Assert.Equal("LINUX", spec.Linux.Personality!.Domain);
            Assert.Equal("MPOL_INTERLEAVE", spec.Linux.MemoryPolicy!.Mode);
            Assert.True(spec.Linux.IntelRdt!.EnableMonitoring);
            Assert.Equal(-1, spec.Linux.Resources.Pids!.Limit);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void LoadBundleWithoutConfigNamesTheFile()
    {
        string dir = Directory.CreateTempSubdirectory("oci-spec-").FullName;
        try
        {
            var e = Assert.Throws<OciException>(() => SpecLoader.LoadBundle(dir));
            Assert.IsNotType<SpecValidationException>(e);
            Assert.Contains(Path.Combine(dir, "config.json"), e.Message);
            Assert.Contains("not found", e.Message);
            e = Assert.Throws<OciException>(() => SpecLoader.LoadBundle(Path.Combine(dir, "missing")));
            Assert.Contains(Path.Combine(dir, "missing", "config.json"), e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("", "", "malformed JSON")]
    [InlineData("null", "", "the document is null")]
    [InlineData("[]", "", "expected an object")]
    [InlineData("\"x\"", "", "expected an object")]
    [InlineData("{\"ociVersion\": 1}", "ociVersion", "expected a string")]
    [InlineData("{\"ociVersion\": null}", "ociVersion", "must not be null")]
    [InlineData("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": null}}", "root.path", "must not be null")]
    [InlineData("{\"ociVersion\": \"1.0.0\", \"root\": []}", "root", "expected an object")]
    [InlineData("{\"ociVersion\": \"1.0.0\", \"mounts\": {}}", "mounts", "expected an array")]
    [InlineData("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"], \"terminal\": \"yes\"}}", "process.terminal", "expected a boolean")]
    [InlineData("{\"ociVersion\": \"1.0.0\", \"linux\": {\"resources\": {\"memory\": {\"limit\": 9223372036854775808}}}}", "linux.resources.memory.limit", "(int64)")]
    [InlineData("{\"ociVersion\": \"1.0.0\", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": \"SCMP_ACT_ALLOW\"}]}}}", "linux.seccomp.syscalls[0].names", "required property is missing")]
    [InlineData("{\"ociVersion\": \"1.0.0\",}", "", "malformed JSON")]
    [InlineData("{\"ociVersion\": \"1.0.0\"} x", "", "malformed JSON")]
    [InlineData("{\"ociVersion\": \"1.0.0\", /* c */ \"root\": {\"path\": \"r\"}}", "", "malformed JSON")]
    public void MalformedDocumentsAreSpecValidationErrors(string json, string path, string problem)
    {
        var e = Assert.Throws<SpecValidationException>(() => SpecLoader.Parse(Utf8(json)));
        Assert.Equal(path, e.JsonPath);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void InvalidUtf8IsASpecValidationError()
    {
        byte[] json = [.. Utf8("{\"ociVersion\": \""), 0xff, 0xfe, .. Utf8("\"}")];
        Assert.Throws<SpecValidationException>(() => SpecLoader.Parse(json));
    }

    [Fact]
    public void DeepNestingIsASpecValidationError()
    {
        string json = "{\"ociVersion\": \"1.0.0\", \"x\": " + new string('[', 200) + new string(']', 200) + "}";
        Assert.Throws<SpecValidationException>(() => SpecLoader.Parse(Utf8(json)));
    }

    [Fact]
    public void UnknownPropertiesAreIgnoredAndKept()
    {
        byte[] json = SpecDocuments.With("linux.resources.futureController", "{\"knob\": 1}");
        json = SpecDocuments.With("process.futureField", "true", Encoding.UTF8.GetString(json));
        RuntimeSpec spec = SpecLoader.Parse(json);
        Assert.True(spec.Linux!.Resources!.Extensions!.ContainsKey("futureController"));
        JsonAssert.Equivalent(Encoding.UTF8.GetString(json), Encoding.UTF8.GetString(SpecLoader.Serialize(spec)));
    }

    [Fact]
    public void AbsentUserStaysAbsentButReadsAsRoot()
    {
        const string json = """{ "ociVersion": "1.3.0", "root": { "path": "r" }, "process": { "cwd": "/", "args": ["sh"] } }""";
        RuntimeSpec spec = SpecLoader.Parse(Utf8(json));
        Assert.DoesNotContain("\"user\"", Encoding.UTF8.GetString(SpecLoader.Serialize(spec)));
        Assert.Equal(0u, spec.Process!.User.Uid);
    }

    [Fact]
    public void ParseUnvalidatedSkipsTheRules()
    {
        RuntimeSpec spec = SpecLoader.ParseUnvalidated(Utf8("""{ "ociVersion": "not semver" }"""));
        Assert.Equal("not semver", spec.OciVersion);
        Assert.Throws<SpecValidationException>(() => SpecValidator.Validate(spec));
    }

    [Fact]
    public void SerializeWritesNonAsciiAndPlusLiterally()
    {
        var spec = new RuntimeSpec { OciVersion = "1.3.0+build", Root = new Root { Path = "räume" } };
        string json = Encoding.UTF8.GetString(SpecLoader.Serialize(spec));
        Assert.Contains("\"1.3.0+build\"", json);
        Assert.Contains("\"räume\"", json);
        Assert.DoesNotContain("hostname", json);
    }

    [Fact]
    public void StateRoundTripsRuncFields()
    {
        var state = new ContainerStateDocument
        {
            Id = "c1", Status = "running", Pid = 42, Bundle = "/b", Rootfs = "/b/rootfs",
            Created = "2024-01-02T03:04:05.123456789Z", Owner = "", Annotations = new() { ["k"] = "v" },
        };
        ContainerStateDocument back = SpecLoader.ParseState(SpecLoader.SerializeState(state));
        Assert.Equal(SpecNames.OciVersion, back.OciVersion);
        Assert.Equal((42, "/b/rootfs", "2024-01-02T03:04:05.123456789Z", ""), (back.Pid!.Value, back.Rootfs, back.Created, back.Owner));
    }
}
