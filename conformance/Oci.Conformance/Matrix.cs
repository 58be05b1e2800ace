using System.Diagnostics;
using Oci.Conformance.Framework;
using Oci.Conformance.Spec;

namespace Oci.Conformance;

/// <summary>
/// Runs the selected checks against several runtimes, one after the other, each in a run of its own (this program
/// started again, so that a per-runtime cgroup2 namespace or a crash stays with that runtime), then writes the
/// check × runtime matrix (markdown, HTML) and one JUnit file with a test suite per runtime.
/// </summary>
public static class Matrix
{
    public static int Run(Options o, List<Check> checks)
    {
        var outDir = Path.GetFullPath(o.OutDir ?? "conformance-report");
        Directory.CreateDirectory(outDir);
        foreach (var rt in o.Runtimes)
            if (!File.Exists(Path.GetFullPath(rt.Path))) throw new UsageException($"--runtime {rt.Name}: binary not found: {Path.GetFullPath(rt.Path)}");
        var coverage = Catalogue.Embedded.Coverage(Program.CheckIds(Checks.Registry.All()));
        Console.WriteLine($"# matrix: {checks.Count} checks × {o.Runtimes.Count} runtimes ({string.Join(", ", o.Runtimes.Select(r => r.Name))}); reports in {outDir}");
        var reports = new List<RunReport>();
        foreach (var rt in o.Runtimes)
        {
            var json = Path.Combine(outDir, rt.Name + ".json");
            var tap = Path.Combine(outDir, rt.Name + ".tap");
            var log = Path.Combine(outDir, rt.Name + ".log");
            File.Delete(json);
            var childArgs = new List<string> { "run", "--runtime", $"{rt.Name}={Path.GetFullPath(rt.Path)}" };
            foreach (var a in rt.Args) childArgs.Add("--runtime-arg=" + a);
            if (rt.Cgroup2Ns) childArgs.Add("--cgroup2-ns");
            childArgs.AddRange(o.SelectionArgs());
            childArgs.AddRange(["--json", json]);
            if (o.Keep) childArgs.Add("--keep");
            var sw = Stopwatch.StartNew();
            int code = RunChild([.. Program.SelfCommand(), .. childArgs], tap, log);
            sw.Stop();
            RunReport report;
            if (File.Exists(json)) report = RunReport.ReadJson(json);
            else
            {
                var why = RunReport.OneLine(Tail(log));
                report = new RunReport
                {
                    Name = rt.Name, Runtime = Path.GetFullPath(rt.Path), RuntimeArgs = rt.Args.ToList(), Cgroup2Namespace = rt.Cgroup2Ns,
                    RuntimeVersion = Program.RuntimeVersion(Path.GetFullPath(rt.Path)), DurationSeconds = sw.Elapsed.TotalSeconds,
                    Error = $"the run exited {code} without a report" + (why.Length > 0 ? ": " + why : ""),
                };
            }
            reports.Add(report);
            Console.WriteLine(report.Error is null
                ? $"conformance of {rt.Name}: {report.Totals} ({sw.Elapsed.TotalSeconds:F0} s; {tap})"
                : $"conformance of {rt.Name}: {report.Error}");
        }
        var md = o.Markdown ?? Path.Combine(outDir, "matrix.md");
        var html = o.Html ?? Path.Combine(outDir, "matrix.html");
        var junit = o.JUnit ?? Path.Combine(outDir, "junit.xml");
        File.WriteAllText(md, MatrixWriter.Markdown(reports, coverage));
        File.WriteAllText(html, MatrixWriter.Html(reports, coverage));
        JUnitWriter.Write(junit, reports);
        Console.WriteLine($"# matrix written: {md}, {html}, {junit}");
        Console.WriteLine(coverage.Line);
        if (reports.Any(r => r.Error is not null)) return 3;
        return reports.Any(r => r.Failed > 0) ? 1 : 0;
    }

    /// <summary>Runs a child with stdout and stderr in files (a runtime's containers may keep inherited pipes open).</summary>
    private static int RunChild(List<string> argv, string stdoutFile, string stderrFile)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$@\" </dev/null >\"$OCI_CONF_OUT\" 2>\"$OCI_CONF_ERR\"");
        psi.ArgumentList.Add("sh");
        foreach (var a in argv) psi.ArgumentList.Add(a);
        psi.Environment["OCI_CONF_OUT"] = stdoutFile;
        psi.Environment["OCI_CONF_ERR"] = stderrFile;
        using var p = Process.Start(psi) ?? throw new SuiteException("cannot start /bin/sh");
        p.WaitForExit();
        return p.ExitCode;
    }

    private static string Tail(string path)
    {
        var text = Host.Read(path).Trim();
        return text.Length > 600 ? "…" + text[^600..] : text;
    }
}
