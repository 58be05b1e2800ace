using System.Xml.Linq;
using Oci.Conformance.Framework;
using Oci.Conformance.Spec;
using Xunit;

namespace Oci.Conformance.Tests;

public class WriterTests
{
    private static RunReport Run(string name, params (string Id, Outcome Outcome, string Message)[] results)
    {
        var r = new RunReport { Name = name, Runtime = "/usr/bin/" + name, RuntimeVersion = name + " 1.0", Spec = "runtime-spec v1.3.0", Host = "kernel: x", DurationSeconds = 2 };
        int i = 0;
        foreach (var (id, outcome, message) in results)
            r.Checks.Add(new CheckRecord(++i, id, "config.md", "Linux mount options", Level.MUST, "desc of " + id, outcome, message, 12.5));
        return r;
    }

    private static readonly RunReport A = Run("alpha", ("c.one", Outcome.Pass, ""), ("c.two", Outcome.Fail, "got <x> | y\nsecond line"), ("c.three", Outcome.Skip, "host lacks \u0001 foo"));
    private static readonly RunReport B = Run("beta", ("c.one", Outcome.Fail, "beta failed"), ("c.two", Outcome.Pass, ""), ("c.four", Outcome.Skip, "no bar"));

    [Fact]
    public void JUnitHasASuitePerRuntimeAndACasePerCheck()
    {
        using var ms = new MemoryStream();
        JUnitWriter.Write(ms, [A, B]);
        var doc = XDocument.Parse(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
        var root = doc.Root!;
        Assert.Equal("testsuites", root.Name.LocalName);
        Assert.Equal("6", root.Attribute("tests")!.Value);
        Assert.Equal("2", root.Attribute("failures")!.Value);
        Assert.Equal("2", root.Attribute("skipped")!.Value);
        var suites = root.Elements("testsuite").ToList();
        Assert.Equal(["alpha", "beta"], suites.Select(s => s.Attribute("name")!.Value));
        var two = suites[0].Elements("testcase").Single(t => t.Attribute("name")!.Value == "c.two");
        Assert.Equal("alpha.config.linux-mount-options", two.Attribute("classname")!.Value);
        var failure = two.Element("failure")!;
        Assert.Equal("MUST", failure.Attribute("type")!.Value);
        Assert.Equal("got <x> | y second line", failure.Attribute("message")!.Value);
        var skipped = suites[0].Elements("testcase").Single(t => t.Attribute("name")!.Value == "c.three").Element("skipped")!;
        Assert.Equal("host lacks  foo", skipped.Attribute("message")!.Value); // the control character is dropped
        Assert.Null(suites[0].Elements("testcase").Single(t => t.Attribute("name")!.Value == "c.one").Element("failure"));
        Assert.Equal("0.013", two.Attribute("time")!.Value);
    }

    [Fact]
    public void JUnitReportsARunWithoutResultsAsAnError()
    {
        var broken = new RunReport { Name = "gamma", Error = "the run exited 3 without a report" };
        using var ms = new MemoryStream();
        JUnitWriter.Write(ms, [broken]);
        var doc = XDocument.Parse(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
        Assert.Equal("1", doc.Root!.Attribute("errors")!.Value);
        Assert.Contains("without a report", doc.Descendants("error").Single().Attribute("message")!.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void MarkdownMatrixHasACellPerRuntimeAndAReasonForEveryFailureAndSkip()
    {
        var md = MatrixWriter.Markdown([A, B], null);
        var lines = md.Split('\n');
        Assert.Contains("| check | spec section | level | alpha | beta |", lines);
        Assert.Contains(lines, l => l.StartsWith("| `c.one` |", StringComparison.Ordinal) && l.EndsWith("| pass | FAIL (1) |", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("| `c.two` |", StringComparison.Ordinal) && l.EndsWith("| FAIL (2) | pass |", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("| `c.three` |", StringComparison.Ordinal) && l.EndsWith("| skip (3) | - |", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("| `c.four` |", StringComparison.Ordinal) && l.EndsWith("| - | skip (4) |", StringComparison.Ordinal));
        Assert.Contains("3. **alpha** `c.three` skipped: host lacks \u0001 foo", lines);
        Assert.Contains("1. **beta** `c.one` failed: beta failed", lines);
        // a pipe in a message would split the table cell; a line break would end the list item
        Assert.Contains("2. **alpha** `c.two` failed: got &lt;x&gt; \\| y second line", lines);
        Assert.Contains(lines, l => l.StartsWith("| **alpha** | alpha 1.0 |", StringComparison.Ordinal) && l.Contains("| 1 | 1 | 1 |", StringComparison.Ordinal));
    }

    [Fact]
    public void MarkdownListsUncoveredStatementsWithTheirReason()
    {
        var e = new CatalogueEntry { Id = "config#x:00000000", Doc = "config.md", Section = "X", Level = Level.MUST, Text = "It MUST x.", Uncovered = "needs hardware" };
        var cov = new Coverage("v", new Dictionary<Level, CoverageFigures>
        {
            [Level.MUST] = new(1, 2, 0, 2), [Level.SHOULD] = new(0, 0, 0, 0), [Level.MAY] = new(0, 0, 0, 0),
        }, [e]);
        var md = MatrixWriter.Markdown([A], cov);
        Assert.Contains("coverage: MUST 1/2, SHOULD 0/0, MAY 0/0", md, StringComparison.Ordinal);
        Assert.Contains("* `config#x:00000000` MUST: It MUST x. — needs hardware", md, StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlMatrixEscapesAndKeepsReasonsInCells()
    {
        var html = MatrixWriter.Html([A, B], null);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"fail\">FAIL<span class=\"why\">got &lt;x&gt; | y second line</span></td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"skip\">skip<span class=\"why\">no bar</span></td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"none\">not run</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<x>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonReportRoundTrips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"oci-conf-test-{Guid.NewGuid():N}.json");
        try
        {
            A.RuntimeArgs.Add("--flag");
            A.WriteJson(path, null);
            var back = RunReport.ReadJson(path);
            Assert.Equal(A.Name, back.Name);
            Assert.Equal(A.Runtime, back.Runtime);
            Assert.Equal(A.RuntimeArgs, back.RuntimeArgs);
            Assert.Equal(A.RuntimeVersion, back.RuntimeVersion);
            Assert.Equal(A.Checks, back.Checks);
            Assert.Equal((1, 1, 1), (back.Passed, back.Failed, back.Skipped));
        }
        finally { File.Delete(path); A.RuntimeArgs.Clear(); }
    }

    [Fact]
    public void TapLinesFollowTap13()
    {
        Assert.Equal("ok 1 - [config.md#Linux mount options MUST] c.one: desc of c.one", Reporter.Tap(A.Checks[0]));
        Assert.StartsWith("not ok 2 - [config.md#Linux mount options MUST] c.two: desc of c.two\n  ---\n  message: 'got <x> | y second line'",
            Reporter.Tap(A.Checks[1]), StringComparison.Ordinal);
        Assert.EndsWith("# SKIP host lacks \u0001 foo", Reporter.Tap(A.Checks[2]), StringComparison.Ordinal);
    }
}
