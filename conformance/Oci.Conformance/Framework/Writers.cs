using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using Oci.Conformance.Spec;

namespace Oci.Conformance.Framework;

/// <summary>
/// JUnit XML (the Ant/Jenkins dialect that GitLab, GitHub and Jenkins read): one &lt;testsuite&gt; per runtime, one
/// &lt;testcase&gt; per check with classname RUNTIME.DOC.SECTION and name = check id; failures carry the message and
/// the requirement level as type, skips carry the reason.
/// </summary>
public static class JUnitWriter
{
    public static void Write(string path, IReadOnlyList<RunReport> runs)
    {
        using var fs = File.Create(path);
        Write(fs, runs);
    }

    public static void Write(Stream stream, IReadOnlyList<RunReport> runs)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), CheckCharacters = false };
        using var w = XmlWriter.Create(stream, settings);
        w.WriteStartDocument();
        w.WriteStartElement("testsuites");
        w.WriteAttributeString("name", "oci-conformance");
        w.WriteAttributeString("tests", Num(runs.Sum(r => r.Checks.Count + (r.Error is null ? 0 : 1))));
        w.WriteAttributeString("failures", Num(runs.Sum(r => r.Failed)));
        w.WriteAttributeString("errors", Num(runs.Count(r => r.Error is not null)));
        w.WriteAttributeString("skipped", Num(runs.Sum(r => r.Skipped)));
        w.WriteAttributeString("time", Sec(runs.Sum(r => r.DurationSeconds)));
        foreach (var run in runs)
        {
            w.WriteStartElement("testsuite");
            w.WriteAttributeString("name", run.Name);
            w.WriteAttributeString("tests", Num(run.Checks.Count + (run.Error is null ? 0 : 1)));
            w.WriteAttributeString("failures", Num(run.Failed));
            w.WriteAttributeString("errors", Num(run.Error is null ? 0 : 1));
            w.WriteAttributeString("skipped", Num(run.Skipped));
            w.WriteAttributeString("time", Sec(run.DurationSeconds));
            w.WriteStartElement("properties");
            Property(w, "runtime", run.Runtime);
            Property(w, "runtimeArgs", string.Join(' ', run.RuntimeArgs));
            Property(w, "runtimeVersion", run.RuntimeVersion);
            Property(w, "spec", run.Spec);
            Property(w, "host", run.Host);
            w.WriteEndElement();
            if (run.Error is not null)
            {
                w.WriteStartElement("testcase");
                w.WriteAttributeString("classname", run.Name);
                w.WriteAttributeString("name", "suite");
                w.WriteStartElement("error");
                w.WriteAttributeString("message", Clean(run.Error));
                w.WriteString(Clean(run.Error));
                w.WriteEndElement();
                w.WriteEndElement();
            }
            foreach (var c in run.Checks)
            {
                w.WriteStartElement("testcase");
                w.WriteAttributeString("classname", $"{run.Name}.{Doc(c.Doc)}.{StatementExtractor.Slug(c.Section)}");
                w.WriteAttributeString("name", c.Id);
                w.WriteAttributeString("time", Sec(c.DurationMs / 1000));
                if (c.Outcome == Outcome.Fail)
                {
                    w.WriteStartElement("failure");
                    w.WriteAttributeString("message", Clean(RunReport.OneLine(c.Message)));
                    w.WriteAttributeString("type", c.Level.ToString());
                    w.WriteString(Clean(c.Message));
                    w.WriteEndElement();
                }
                else if (c.Outcome == Outcome.Skip)
                {
                    w.WriteStartElement("skipped");
                    w.WriteAttributeString("message", Clean(RunReport.OneLine(c.Message)));
                    w.WriteEndElement();
                }
                w.WriteElementString("system-out", Clean($"{c.Tag} {c.Description}"));
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    private static void Property(XmlWriter w, string name, string value)
    {
        w.WriteStartElement("property");
        w.WriteAttributeString("name", name);
        w.WriteAttributeString("value", Clean(value));
        w.WriteEndElement();
    }

    private static string Doc(string doc) => doc.EndsWith(".md", StringComparison.Ordinal) ? doc[..^3] : doc;
    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
    private static string Sec(double s) => s.ToString("F3", CultureInfo.InvariantCulture);

    /// <summary>Drops characters XML 1.0 cannot carry (a runtime's stderr may hold control bytes).</summary>
    public static string Clean(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (XmlConvert.IsXmlChar(s[i])) sb.Append(s[i]);
            else if (i + 1 < s.Length && XmlConvert.IsXmlSurrogatePair(s[i + 1], s[i])) { sb.Append(s, i, 2); i++; }
        }
        return sb.ToString();
    }
}

/// <summary>
/// The check × runtime matrix of several runs, as markdown and as a standalone HTML page. Every failure and skip
/// keeps its reason: in markdown as a numbered note under the table, in HTML inside the cell.
/// </summary>
public static class MatrixWriter
{
    private sealed record Row(string Id, string Doc, string Section, Level Level, string Description, CheckRecord?[] Cells);

    private static List<Row> Rows(IReadOnlyList<RunReport> runs)
    {
        // Checks in the order the first run that has them ran them; a check only some runs have still gets a row.
        var order = new List<CheckRecord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in runs)
            foreach (var c in run.Checks)
                if (seen.Add(c.Id)) order.Add(c);
        var maps = runs.Select(r => r.Checks.GroupBy(c => c.Id).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal)).ToList();
        return order.Select(c => new Row(c.Id, c.Doc, c.Section, c.Level, c.Description,
            maps.Select(m => m.GetValueOrDefault(c.Id)).ToArray())).ToList();
    }

    public static string Markdown(IReadOnlyList<RunReport> runs, Coverage? coverage)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# OCI runtime conformance matrix");
        sb.AppendLine();
        var spec = runs.Select(r => r.Spec).FirstOrDefault(s => s.Length > 0) ?? "";
        sb.AppendLine(CultureInfo.InvariantCulture, $"Spec: {Md(spec)}.");
        if (coverage is not null) sb.AppendLine(CultureInfo.InvariantCulture, $"Suite {coverage.Line} (statements with a check / statements a black-box test can observe).");
        sb.AppendLine();
        sb.AppendLine("| runtime | version | arguments | host view | passed | failed | skipped | time |");
        sb.AppendLine("| --- | --- | --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var r in runs)
        {
            var host = r.Host + (r.Cgroup2Namespace ? " (private cgroup2 mount)" : "");
            var args = r.RuntimeArgs.Count == 0 ? "" : "`" + Md(string.Join(' ', r.RuntimeArgs)) + "`";
            if (r.Error is not null)
                sb.AppendLine(CultureInfo.InvariantCulture, $"| **{Md(r.Name)}** | {Md(r.RuntimeVersion)} | {args} | {Md(host)} | run failed: {Md(r.Error)} | | | |");
            else
                sb.AppendLine(CultureInfo.InvariantCulture, $"| **{Md(r.Name)}** | {Md(r.RuntimeVersion)} | {args} | {Md(host)} | {r.Passed} | {r.Failed} | {r.Skipped} | {RunReport.Inv(r.DurationSeconds, "F0")} s |");
        }
        sb.AppendLine();
        sb.AppendLine("Cells: `pass`, `FAIL (n)`, `skip (n)`, `-` (not run); note n below gives the reason.");
        sb.AppendLine();
        sb.Append("| check | spec section | level |");
        foreach (var r in runs) sb.Append(' ').Append(Md(r.Name)).Append(" |");
        sb.AppendLine();
        sb.Append("| --- | --- | --- |");
        foreach (var _ in runs) sb.Append(" --- |");
        sb.AppendLine();
        var notes = new List<string>();
        foreach (var row in Rows(runs))
        {
            sb.Append(CultureInfo.InvariantCulture, $"| `{row.Id}` | {Md(row.Doc)}#{Md(row.Section)} | {row.Level} |");
            for (int i = 0; i < runs.Count; i++)
            {
                var c = row.Cells[i];
                string cell;
                if (c is null) cell = "-";
                else if (c.Outcome == Outcome.Pass) cell = "pass";
                else
                {
                    notes.Add($"**{Md(runs[i].Name)}** `{row.Id}` {(c.Outcome == Outcome.Fail ? "failed" : "skipped")}: {Md(RunReport.OneLine(c.Message))}");
                    cell = $"{(c.Outcome == Outcome.Fail ? "FAIL" : "skip")} ({notes.Count})";
                }
                sb.Append(' ').Append(cell).Append(" |");
            }
            sb.AppendLine();
        }
        if (notes.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Reasons for failures and skips");
            sb.AppendLine();
            for (int i = 0; i < notes.Count; i++) sb.AppendLine(CultureInfo.InvariantCulture, $"{i + 1}. {notes[i]}");
        }
        if (coverage is not null && coverage.Uncovered.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Observable statements without a check");
            sb.AppendLine();
            foreach (var e in coverage.Uncovered)
                sb.AppendLine(CultureInfo.InvariantCulture, $"* `{e.Id}` {e.Level}: {Md(e.Text)} — {Md(e.UncoveredReason)}");
        }
        return sb.ToString();
    }

    /// <summary>Escapes what would break a markdown table cell.</summary>
    public static string Md(string s) =>
        RunReport.OneLine(s).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    public static string Html(IReadOnlyList<RunReport> runs, Coverage? coverage)
    {
        static string H(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html>");
        sb.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\"><title>OCI runtime conformance matrix</title>");
        sb.AppendLine("<style>");
        sb.AppendLine("body{font-family:system-ui,sans-serif;margin:1.5em;font-size:14px}");
        sb.AppendLine("table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}");
        sb.AppendLine("thead th{position:sticky;top:0;background:#f4f4f4}");
        sb.AppendLine("td.pass{background:#e6f4ea}td.fail{background:#fce8e6}td.skip{background:#fef7e0}td.none{background:#eee}");
        sb.AppendLine("td .why{display:block;font-size:12px;color:#444;max-width:32em;overflow-wrap:anywhere}");
        sb.AppendLine("code{font-size:12px}.desc{color:#555;font-size:12px}");
        sb.AppendLine("</style></head><body>");
        sb.AppendLine("<h1>OCI runtime conformance matrix</h1>");
        var spec = runs.Select(r => r.Spec).FirstOrDefault(s => s.Length > 0) ?? "";
        sb.AppendLine(CultureInfo.InvariantCulture, $"<p>Spec: {H(spec)}.");
        if (coverage is not null) sb.Append(CultureInfo.InvariantCulture, $" Suite <strong>{H(coverage.Line)}</strong> (statements with a check / statements a black-box test can observe).");
        sb.AppendLine("</p>");
        sb.AppendLine("<table><thead><tr><th>runtime</th><th>version</th><th>arguments</th><th>host view</th><th>passed</th><th>failed</th><th>skipped</th><th>time</th></tr></thead><tbody>");
        foreach (var r in runs)
        {
            var host = r.Host + (r.Cgroup2Namespace ? " (private cgroup2 mount)" : "");
            sb.Append(CultureInfo.InvariantCulture, $"<tr><th>{H(r.Name)}</th><td>{H(r.RuntimeVersion)}</td><td><code>{H(string.Join(' ', r.RuntimeArgs))}</code></td><td>{H(host)}</td>");
            if (r.Error is not null) sb.Append(CultureInfo.InvariantCulture, $"<td class=\"fail\" colspan=\"4\">run failed: {H(r.Error)}</td></tr>");
            else sb.Append(CultureInfo.InvariantCulture, $"<td>{r.Passed}</td><td>{r.Failed}</td><td>{r.Skipped}</td><td>{RunReport.Inv(r.DurationSeconds, "F0")} s</td></tr>");
            sb.AppendLine();
        }
        sb.AppendLine("</tbody></table>");
        sb.AppendLine("<h2>Checks</h2>");
        sb.Append("<table><thead><tr><th>check</th><th>spec section</th><th>level</th>");
        foreach (var r in runs) sb.Append("<th>").Append(H(r.Name)).Append("</th>");
        sb.AppendLine("</tr></thead><tbody>");
        foreach (var row in Rows(runs))
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr id=\"{H(row.Id)}\"><td><code>{H(row.Id)}</code><span class=\"desc\"><br>{H(row.Description)}</span></td><td>{H(row.Doc)}#{H(row.Section)}</td><td>{row.Level}</td>");
            foreach (var c in row.Cells)
            {
                if (c is null) sb.Append("<td class=\"none\">not run</td>");
                else if (c.Outcome == Outcome.Pass) sb.Append("<td class=\"pass\">pass</td>");
                else
                {
                    var (cls, word) = c.Outcome == Outcome.Fail ? ("fail", "FAIL") : ("skip", "skip");
                    sb.Append(CultureInfo.InvariantCulture, $"<td class=\"{cls}\">{word}<span class=\"why\">{H(RunReport.OneLine(c.Message))}</span></td>");
                }
            }
            sb.AppendLine("</tr>");
        }
        sb.AppendLine("</tbody></table>");
        if (coverage is not null && coverage.Uncovered.Count > 0)
        {
            sb.AppendLine("<h2>Observable statements without a check</h2><ul>");
            foreach (var e in coverage.Uncovered)
                sb.AppendLine(CultureInfo.InvariantCulture, $"<li><code>{H(e.Id)}</code> {e.Level}: {H(e.Text)} — <em>{H(e.UncoveredReason)}</em></li>");
            sb.AppendLine("</ul>");
        }
        sb.AppendLine("</body></html>");
        return sb.ToString();
    }
}
