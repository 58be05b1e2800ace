using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Oci.Conformance.Framework;

/// <summary>TAP version 13 on stdout, a per-section summary, an optional JSON report, and the final count line.</summary>
public sealed class Reporter(int planned)
{
    private readonly List<(int Index, Check Check, CheckResult Result, TimeSpan Duration)> _results = new();

    public int Passed => _results.Count(r => r.Result.Outcome == Outcome.Pass);
    public int Failed => _results.Count(r => r.Result.Outcome == Outcome.Fail);
    public int Skipped => _results.Count(r => r.Result.Outcome == Outcome.Skip);

    public void Header(string runtime, IReadOnlyList<string> runtimeArgs, HostInfo host)
    {
        Console.WriteLine("TAP version 13");
        Console.WriteLine($"# runtime: {runtime} {string.Join(' ', runtimeArgs)}".TrimEnd());
        Console.WriteLine($"# kernel: {host.KernelRelease}; cgroup layout: {host.Layout}" +
            (host.V1.Count > 0 ? $"; v1 controllers: {string.Join(',', host.V1.Keys.Order())}" : "") +
            (host.V2MountPoint is not null ? $"; v2 at {host.V2MountPoint} controllers: [{string.Join(',', host.V2Controllers.Order())}]" : ""));
        Console.WriteLine(host.Features is not null ? "# runtime features: available" : $"# runtime features: unavailable ({host.FeaturesError})");
        Console.WriteLine($"1..{planned}");
        Console.Out.Flush();
    }

    public void Report(int index, Check check, CheckResult result, TimeSpan duration)
    {
        if (result.Outcome == Outcome.Fail && check.RuncDeviation is not null)
            result = result with { Message = $"{result.Message} [known runc deviation: {check.RuncDeviation}]" };
        _results.Add((index, check, result, duration));
        var sb = new StringBuilder();
        string desc = $"{check.Tag} {check.Id}: {check.Description}";
        switch (result.Outcome)
        {
            case Outcome.Pass:
                sb.Append(CultureInfo.InvariantCulture, $"ok {index} - {desc}");
                break;
            case Outcome.Skip:
                sb.Append(CultureInfo.InvariantCulture, $"ok {index} - {desc} # SKIP {OneLine(result.Message)}");
                break;
            default:
                sb.Append(CultureInfo.InvariantCulture, $"not ok {index} - {desc}");
                sb.Append("\n  ---\n  message: '").Append(OneLine(result.Message).Replace("'", "''", StringComparison.Ordinal)).Append('\'');
                sb.Append(CultureInfo.InvariantCulture, $"\n  duration_ms: {duration.TotalMilliseconds:F0}\n  ...");
                break;
        }
        Console.WriteLine(sb.ToString());
        Console.Out.Flush();
    }

    private static string OneLine(string s) => s.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Trim();

    public void Summary()
    {
        Console.WriteLine("#");
        Console.WriteLine("# Summary per spec section (MUST / SHOULD / MAY: passed-failed-skipped)");
        const string fmt = "# {0,-48} {1,-14} {2,-14} {3,-14}";
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, fmt, "section", "MUST", "SHOULD", "MAY"));
        foreach (var g in _results.GroupBy(r => $"{r.Check.Doc}#{r.Check.Section}").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            string Cell(Level l)
            {
                var rs = g.Where(r => r.Check.Level == l).ToList();
                if (rs.Count == 0) return "-";
                return $"{rs.Count(r => r.Result.Outcome == Outcome.Pass)}-{rs.Count(r => r.Result.Outcome == Outcome.Fail)}-{rs.Count(r => r.Result.Outcome == Outcome.Skip)}";
            }
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, fmt, g.Key, Cell(Level.MUST), Cell(Level.SHOULD), Cell(Level.MAY)));
        }
        foreach (var l in new[] { Level.MUST, Level.SHOULD, Level.MAY })
        {
            var rs = _results.Where(r => r.Check.Level == l).ToList();
            if (rs.Count == 0) continue;
            Console.WriteLine($"# total {l}: {rs.Count(r => r.Result.Outcome == Outcome.Pass)} passed, {rs.Count(r => r.Result.Outcome == Outcome.Fail)} failed, {rs.Count(r => r.Result.Outcome == Outcome.Skip)} skipped");
        }
        var failed = _results.Where(r => r.Result.Outcome == Outcome.Fail).ToList();
        if (failed.Count > 0)
        {
            Console.WriteLine("# failed checks:");
            foreach (var f in failed) Console.WriteLine($"#   {f.Check.Id} {f.Check.Tag}");
        }
    }

    public void WriteJson(string path, string runtime, IReadOnlyList<string> runtimeArgs)
    {
        using var fs = File.Create(path);
        using var w = new Utf8JsonWriter(fs, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("runtime", runtime);
        w.WriteStartArray("runtimeArgs");
        foreach (var a in runtimeArgs) w.WriteStringValue(a);
        w.WriteEndArray();
        w.WriteNumber("passed", Passed);
        w.WriteNumber("failed", Failed);
        w.WriteNumber("skipped", Skipped);
        w.WriteStartArray("checks");
        foreach (var (index, check, result, duration) in _results)
        {
            w.WriteStartObject();
            w.WriteNumber("index", index);
            w.WriteString("id", check.Id);
            w.WriteString("doc", check.Doc);
            w.WriteString("section", check.Section);
            w.WriteString("level", check.Level.ToString());
            w.WriteString("description", check.Description);
            w.WriteString("result", result.Outcome switch { Outcome.Pass => "passed", Outcome.Fail => "failed", _ => "skipped" });
            w.WriteString("message", result.Message);
            w.WriteNumber("durationMs", Math.Round(duration.TotalMilliseconds, 1));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("sections");
        foreach (var g in _results.GroupBy(r => (r.Check.Doc, r.Check.Section)).OrderBy(g => g.Key.Doc + "#" + g.Key.Section, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("doc", g.Key.Doc);
            w.WriteString("section", g.Key.Section);
            foreach (var l in new[] { Level.MUST, Level.SHOULD, Level.MAY })
            {
                var rs = g.Where(r => r.Check.Level == l).ToList();
                w.WriteStartObject(l.ToString());
                w.WriteNumber("passed", rs.Count(r => r.Result.Outcome == Outcome.Pass));
                w.WriteNumber("failed", rs.Count(r => r.Result.Outcome == Outcome.Fail));
                w.WriteNumber("skipped", rs.Count(r => r.Result.Outcome == Outcome.Skip));
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public void FinalLine() => Console.WriteLine($"conformance: {Passed} passed, {Failed} failed, {Skipped} skipped");
}
