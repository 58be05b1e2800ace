using Oci.Conformance.Framework;
using Xunit;

namespace Oci.Conformance.Tests;

public class CliTests
{
    [Fact]
    public void OneRuntimeIsARun()
    {
        var o = Options.Parse(["--runtime", "/usr/sbin/runc", "--runtime-arg=--systemd-cgroup", "--json", "r.json"]);
        Assert.Equal("run", o.Command);
        var rt = Assert.Single(o.Runtimes);
        Assert.Equal("runc", rt.Name);
        Assert.Equal("/usr/sbin/runc", rt.Path);
        Assert.Equal(["--systemd-cgroup"], rt.Args);
        Assert.Equal("r.json", o.Json);
    }

    [Fact]
    public void SeveralRuntimesAreAMatrixAndPerRuntimeOptionsFollowTheirRuntime()
    {
        var o = Options.Parse(["--runtime-arg", "--global", "--runtime", "oci=/a/oci-run", "--runtime", "/usr/sbin/runc",
            "--runtime", "crun=/usr/bin/crun", "--runtime-arg=--cgroup-manager=disabled", "--cgroup2-ns", "--out", "dir"]);
        Assert.Equal("matrix", o.Command);
        Assert.Equal(["oci", "runc", "crun"], o.Runtimes.Select(r => r.Name));
        Assert.Equal(["--global"], o.Runtimes[0].Args);
        Assert.Equal(["--global"], o.Runtimes[1].Args);
        Assert.Equal(["--global", "--cgroup-manager=disabled"], o.Runtimes[2].Args);
        Assert.Equal([false, false, true], o.Runtimes.Select(r => r.Cgroup2Ns));
        Assert.Equal("dir", o.OutDir);
    }

    [Theory]
    [InlineData("config-linux.md#Namespaces", "config-linux.md#namespaces")]
    [InlineData("config-linux#User namespace mappings", "config-linux.md#user-namespace-mappings")]
    [InlineData("RUNTIME.md", "runtime.md")]
    public void SectionsAreNormalizedToAnchors(string given, string normalized) => Assert.Equal(normalized, Options.ParseSection(given));

    [Fact]
    public void SelectionCombinesRegexSectionAndLevel()
    {
        var o = Options.Parse(["list", "--section", "runtime.md#state", "--level", "must,should", "--filter", "^state\\.(id|annotations)$"]);
        Check C(string id, string section, Level l) => new(id, "runtime.md", section, l, "", _ => CheckResult.Pass());
        Assert.True(o.Selects(C("state.id", "State", Level.MUST)));
        Assert.True(o.Selects(C("state.annotations", "State", Level.SHOULD)));
        Assert.False(o.Selects(C("state.id", "Query State", Level.MUST)));
        Assert.False(o.Selects(C("state.bundle", "State", Level.MUST)));
        Assert.False(o.Selects(C("state.id", "State", Level.MAY)));
        Assert.Equal(["--filter", "^state\\.(id|annotations)$", "--section", "runtime.md#state", "--level", "MUST,SHOULD"], o.SelectionArgs());
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--runtime")]
    [InlineData("--runtime", "x", "--level", "SOMETIMES")]
    [InlineData("--runtime", "x", "--section", "glossary.md")]
    [InlineData("--runtime", "x", "--filter", "(")]
    [InlineData("--runtime", "a/x", "--runtime", "b/x")]
    [InlineData("--runtime", "a", "--runtime", "b", "--json", "j")]
    [InlineData("--runtime", "a", "--out", "d")]
    [InlineData("--keep=yes", "--runtime", "a")]
    [InlineData("catalogue")]
    [InlineData("coverage", "--runtime", "a")]
    [InlineData("frobnicate")]
    [InlineData("--json", "x")]
    [InlineData("coverage", "--keep")]
    [InlineData("list", "--json", "x")]
    [InlineData("statements", "--filter", "x")]
    [InlineData("--runtime", "a", "--verbose")]
    [InlineData("catalogue", "--check", "--level", "MUST")]
    public void BadCommandLinesAreRefused(params string[] args) => Assert.Throws<UsageException>(() => Options.Parse(args));

    [Fact]
    public void AnEqualsSignAfterASlashBelongsToThePath()
    {
        var rt = Options.ParseRuntime("/opt/a=b/runc");
        Assert.Equal("/opt/a=b/runc", rt.Path);
        Assert.Equal("runc", rt.Name);
    }
}
