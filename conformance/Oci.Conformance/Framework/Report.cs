using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Oci.Conformance.Framework;

/// <summary>The result of one check in one run.</summary>
public sealed record CheckRecord(int Index, string Id, string Doc, string Section, Level Level, string Description,
    Outcome Outcome, string Message, double DurationMs)
{
    public string Tag => $"[{Doc}#{Section} {Level}]";

    public static string OutcomeName(Outcome o) => o switch { Outcome.Pass => "passed", Outcome.Fail => "failed", _ => "skipped" };

    public static Outcome ParseOutcome(string s) => s switch
    {
        "passed" => Outcome.Pass,
        "failed" => Outcome.Fail,
        "skipped" => Outcome.Skip,
        _ => throw new FormatException($"unknown result '{s}'"),
    };
}

/// <summary>
/// Everything one run of the suite against one runtime produced: what was run, on what, and every check's result.
/// Written as the JSON report and read back by the matrix.
/// </summary>
public sealed class RunReport
{
    /// <summary>Short name of the runtime in reports (NAME of <c>--runtime NAME=PATH</c>, else the file name).</summary>
    public string Name { get; set; } = "";
    public string Runtime { get; set; } = "";
    public List<string> RuntimeArgs { get; set; } = [];
    public string RuntimeVersion { get; set; } = "";
    public string Spec { get; set; } = "";
    public string Host { get; set; } = "";
    public bool Cgroup2Namespace { get; set; }
    public double DurationSeconds { get; set; }
    /// <summary>Set when the run could not complete (the suite could not start, crashed, or wrote no report).</summary>
    public string? Error { get; set; }
    public List<CheckRecord> Checks { get; set; } = [];

    public int Passed => Checks.Count(r => r.Outcome == Outcome.Pass);
    public int Failed => Checks.Count(r => r.Outcome == Outcome.Fail);
    public int Skipped => Checks.Count(r => r.Outcome == Outcome.Skip);

    public string Totals => $"{Passed} passed, {Failed} failed, {Skipped} skipped";

    public void WriteJson(string path, Spec.Coverage? coverage)
    {
        using var fs = File.Create(path);
        using var w = new Utf8JsonWriter(fs, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("name", Name);
        w.WriteString("runtime", Runtime);
        w.WriteStartArray("runtimeArgs");
        foreach (var a in RuntimeArgs) w.WriteStringValue(a);
        w.WriteEndArray();
        w.WriteString("runtimeVersion", RuntimeVersion);
        w.WriteString("spec", Spec);
        w.WriteString("host", Host);
        w.WriteBoolean("cgroup2Namespace", Cgroup2Namespace);
        if (Error is not null) w.WriteString("error", Error);
        w.WriteNumber("durationSeconds", Math.Round(DurationSeconds, 1));
        w.WriteNumber("passed", Passed);
        w.WriteNumber("failed", Failed);
        w.WriteNumber("skipped", Skipped);
        if (coverage is not null)
        {
            w.WriteStartObject("coverage");
            w.WriteString("line", coverage.Line);
            foreach (var (level, f) in coverage.ByLevel.OrderBy(kv => kv.Key))
            {
                w.WriteStartObject(level.ToString());
                w.WriteNumber("covered", f.Covered);
                w.WriteNumber("observable", f.Observable);
                w.WriteNumber("unobservable", f.Unobservable);
                w.WriteNumber("statements", f.Total);
                w.WriteEndObject();
            }
            w.WriteStartArray("uncovered");
            foreach (var e in coverage.Uncovered) w.WriteStringValue(e.Id);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteStartArray("checks");
        foreach (var r in Checks)
        {
            w.WriteStartObject();
            w.WriteNumber("index", r.Index);
            w.WriteString("id", r.Id);
            w.WriteString("doc", r.Doc);
            w.WriteString("section", r.Section);
            w.WriteString("level", r.Level.ToString());
            w.WriteString("description", r.Description);
            w.WriteString("result", CheckRecord.OutcomeName(r.Outcome));
            w.WriteString("message", r.Message);
            w.WriteNumber("durationMs", Math.Round(r.DurationMs, 1));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("sections");
        foreach (var g in Checks.GroupBy(r => (r.Doc, r.Section)).OrderBy(g => g.Key.Doc + "#" + g.Key.Section, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("doc", g.Key.Doc);
            w.WriteString("section", g.Key.Section);
            foreach (var l in new[] { Level.MUST, Level.SHOULD, Level.MAY })
            {
                var rs = g.Where(r => r.Level == l).ToList();
                w.WriteStartObject(l.ToString());
                w.WriteNumber("passed", rs.Count(r => r.Outcome == Outcome.Pass));
                w.WriteNumber("failed", rs.Count(r => r.Outcome == Outcome.Fail));
                w.WriteNumber("skipped", rs.Count(r => r.Outcome == Outcome.Skip));
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static RunReport ReadJson(string path)
    {
        var o = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new FormatException($"{path} is not a JSON object");
        string S(JsonNode? n) => n?.GetValue<string>() ?? "";
        var r = new RunReport
        {
            Name = S(o["name"]),
            Runtime = S(o["runtime"]),
            RuntimeArgs = o["runtimeArgs"]?.AsArray().Select(a => S(a)).ToList() ?? [],
            RuntimeVersion = S(o["runtimeVersion"]),
            Spec = S(o["spec"]),
            Host = S(o["host"]),
            Cgroup2Namespace = o["cgroup2Namespace"]?.GetValue<bool>() ?? false,
            DurationSeconds = o["durationSeconds"]?.GetValue<double>() ?? 0,
            Error = o["error"]?.GetValue<string>(),
        };
        foreach (var c in o["checks"]?.AsArray() ?? [])
        {
            r.Checks.Add(new CheckRecord(
                c!["index"]?.GetValue<int>() ?? 0, S(c["id"]), S(c["doc"]), S(c["section"]),
                Enum.Parse<Level>(S(c["level"])), S(c["description"]),
                CheckRecord.ParseOutcome(S(c["result"])), S(c["message"]),
                c["durationMs"]?.GetValue<double>() ?? 0));
        }
        return r;
    }

    internal static string Inv(double d, string fmt) => d.ToString(fmt, CultureInfo.InvariantCulture);

    /// <summary>One line for a message: line breaks folded to spaces.</summary>
    public static string OneLine(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s) sb.Append(ch is '\r' or '\n' ? ' ' : ch);
        return sb.ToString().Trim();
    }
}
