using System.Globalization;
using System.Text;
using Oci.Conformance.Spec;

namespace Oci.Conformance.Framework;

/// <summary>TAP version 13 on stdout while the checks run, then a per-section summary, the coverage line and the final count line.</summary>
public sealed class Reporter(int planned, RunReport report, Coverage? coverage)
{
    public RunReport Report => report;

    public void Header(HostInfo host)
    {
        Console.WriteLine("TAP version 13");
        Console.WriteLine($"# runtime: {report.Name} = {report.Runtime} {string.Join(' ', report.RuntimeArgs)}".TrimEnd());
        if (report.RuntimeVersion.Length > 0) Console.WriteLine($"# runtime version: {report.RuntimeVersion}");
        Console.WriteLine($"# spec: {report.Spec}");
        Console.WriteLine($"# {report.Host}" + (report.Cgroup2Namespace ? " (private mount namespace with a cgroup2 /sys/fs/cgroup)" : ""));
        Console.WriteLine(host.Features is not null ? "# runtime features: available" : $"# runtime features: unavailable ({host.FeaturesError})");
        Console.WriteLine($"1..{planned}");
        Console.Out.Flush();
    }

    public void Add(int index, Check check, CheckResult result, TimeSpan duration)
    {
        if (result.Outcome == Outcome.Fail && check.RuncDeviation is not null)
            result = result with { Message = $"{result.Message} [known runc deviation: {check.RuncDeviation}]" };
        report.Checks.Add(new CheckRecord(index, check.Id, check.Doc, check.Section, check.Level, check.Description,
            result.Outcome, result.Message, duration.TotalMilliseconds));
        Console.WriteLine(Tap(report.Checks[^1]));
        Console.Out.Flush();
    }

    /// <summary>The TAP line (with its YAML block for a failure) of one result.</summary>
    public static string Tap(CheckRecord r)
    {
        var sb = new StringBuilder();
        string desc = $"{r.Tag} {r.Id}: {r.Description}";
        switch (r.Outcome)
        {
            case Outcome.Pass:
                sb.Append(CultureInfo.InvariantCulture, $"ok {r.Index} - {desc}");
                break;
            case Outcome.Skip:
                sb.Append(CultureInfo.InvariantCulture, $"ok {r.Index} - {desc} # SKIP {RunReport.OneLine(r.Message)}");
                break;
            default:
                sb.Append(CultureInfo.InvariantCulture, $"not ok {r.Index} - {desc}");
                sb.Append("\n  ---\n  message: '").Append(RunReport.OneLine(r.Message).Replace("'", "''", StringComparison.Ordinal)).Append('\'');
                sb.Append(CultureInfo.InvariantCulture, $"\n  duration_ms: {r.DurationMs:F0}\n  ...");
                break;
        }
        return sb.ToString();
    }

    public void Summary()
    {
        var results = report.Checks;
        Console.WriteLine("#");
        Console.WriteLine("# Summary per spec section (MUST / SHOULD / MAY: passed-failed-skipped)");
        const string fmt = "# {0,-48} {1,-14} {2,-14} {3,-14}";
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, fmt, "section", "MUST", "SHOULD", "MAY"));
        foreach (var g in results.GroupBy(r => $"{r.Doc}#{r.Section}").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            string Cell(Level l)
            {
                var rs = g.Where(r => r.Level == l).ToList();
                if (rs.Count == 0) return "-";
                return $"{rs.Count(r => r.Outcome == Outcome.Pass)}-{rs.Count(r => r.Outcome == Outcome.Fail)}-{rs.Count(r => r.Outcome == Outcome.Skip)}";
            }
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, fmt, g.Key, Cell(Level.MUST), Cell(Level.SHOULD), Cell(Level.MAY)));
        }
        foreach (var l in new[] { Level.MUST, Level.SHOULD, Level.MAY })
        {
            var rs = results.Where(r => r.Level == l).ToList();
            if (rs.Count == 0) continue;
            Console.WriteLine($"# total {l}: {rs.Count(r => r.Outcome == Outcome.Pass)} passed, {rs.Count(r => r.Outcome == Outcome.Fail)} failed, {rs.Count(r => r.Outcome == Outcome.Skip)} skipped");
        }
        var failed = results.Where(r => r.Outcome == Outcome.Fail).ToList();
        if (failed.Count > 0)
        {
            Console.WriteLine("# failed checks:");
            foreach (var f in failed) Console.WriteLine($"#   {f.Id} {f.Tag}");
        }
        if (coverage is not null)
        {
            Console.WriteLine("#");
            Console.WriteLine($"# spec statements ({report.Spec}): X/Y = statements with a check / statements a black-box test can observe");
            if (coverage.Uncovered.Count > 0)
            {
                Console.WriteLine($"# observable statements without a check ({coverage.Uncovered.Count}):");
                foreach (var e in coverage.Uncovered)
                    Console.WriteLine($"#   {e.Id} {e.Level}: {Trim(e.Text)} -- {e.UncoveredReason}");
            }
            Console.WriteLine(coverage.Line);
        }
    }

    private static string Trim(string s) => s.Length > 140 ? s[..140] + "…" : s;

    public void FinalLine() => Console.WriteLine($"conformance: {report.Totals}");
}
