using System.Diagnostics;
using Oci.Conformance.Checks;
using Oci.Conformance.Framework;
using Oci.Conformance.Spec;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Oci.Conformance;

public static class Program
{
    /// <summary>Set in the environment of a run re-executed inside its private cgroup2 mount namespace.</summary>
    private const string InCgroup2NsVar = "OCI_CONFORMANCE_IN_CGROUP2_NS";

    public static int Main(string[] args)
    {
        Options o;
        try { o = Options.Parse(args); }
        catch (UsageException e)
        {
            Console.Error.WriteLine("oci-conformance: " + e.Message);
            Console.Error.WriteLine(Options.Usage);
            return 2;
        }
        if (o.Help) { Console.WriteLine(Options.Usage); return 0; }
        try
        {
            var all = Registry.All();
            var dup = all.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null) throw new SuiteException($"internal error: duplicate check id {dup.Key}");
            return o.Command switch
            {
                "list" => List(o, all),
                "coverage" => CoverageCommand(o, all),
                "statements" => Statements(o, all),
                "catalogue" => CatalogueCommand(o, all),
                "matrix" => Matrix.Run(o, Select(o, all)),
                _ => RunOne(o, o.Runtimes[0], Select(o, all), args),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine("oci-conformance: " + e.Message);
            return 2;
        }
        catch (SuiteException e)
        {
            Console.Error.WriteLine("oci-conformance: " + e.Message);
            return 3;
        }
    }

    private static List<Check> Select(Options o, List<Check> all)
    {
        var checks = all.Where(o.Selects).ToList();
        if (checks.Count == 0) throw new UsageException("no check matches the selection (--filter/--section/--level)");
        return checks;
    }

    private static int List(Options o, List<Check> all)
    {
        var checks = all.Where(o.Selects).ToList();
        foreach (var c in checks) Console.WriteLine($"{c.Id}\t{c.Tag}\t{c.Description}");
        Console.WriteLine($"{checks.Count} checks");
        return 0;
    }

    public static List<string> CheckIds(List<Check> all) => all.Select(c => c.Id).ToList();

    private static int CoverageCommand(Options o, List<Check> all)
    {
        var cat = Catalogue.Embedded;
        var ids = CheckIds(all);
        var cov = cat.Coverage(ids);
        Console.WriteLine($"spec: runtime-spec {SpecSource.Embedded.VersionLine}");
        Console.WriteLine($"statements: {cat.Entries.Count} in {string.Join(", ", StatementExtractor.Documents)}");
        Console.WriteLine("X/Y = statements with a check / statements a black-box test can observe; (n) = statements it cannot observe");
        const string fmt = "{0,-58} {1,-14} {2,-14} {3,-14}";
        Console.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, fmt, "section", "MUST", "SHOULD", "MAY"));
        foreach (var g in cat.Entries.GroupBy(e => e.Doc + "#" + e.Section))
        {
            string Cell(Level l)
            {
                var es = g.Where(e => e.Level == l).ToList();
                if (es.Count == 0) return "-";
                int obs = es.Count(e => e.Observable), cov2 = es.Count(e => e.Observable && Catalogue.Resolve(e, ids).Count > 0);
                return $"{cov2}/{obs}" + (es.Count > obs ? $" ({es.Count - obs})" : "");
            }
            Console.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, fmt, g.Key, Cell(Level.MUST), Cell(Level.SHOULD), Cell(Level.MAY)));
        }
        if (cov.Uncovered.Count > 0)
        {
            Console.WriteLine($"observable statements without a check ({cov.Uncovered.Count}):");
            foreach (var e in cov.Uncovered) Console.WriteLine($"  {e.Id} {e.Level}: {e.Text}\n      reason: {e.UncoveredReason}");
        }
        if (o.Verbose)
        {
            Console.WriteLine("statements a black-box test cannot observe:");
            foreach (var e in cat.Entries.Where(e => !e.Observable)) Console.WriteLine($"  {e.Id} {e.Level}: {e.Text}\n      reason: {e.Unobservable}");
        }
        foreach (var (level, f) in cov.ByLevel.OrderBy(kv => kv.Key))
            Console.WriteLine($"{level}: {f.Covered} of {f.Observable} observable statements have a check ({f.Percent:F1}%); {f.Unobservable} not observable; {f.Total} in all");
        Console.WriteLine(cov.Line);
        return 0;
    }

    private static int Statements(Options o, List<Check> all)
    {
        var ids = CheckIds(all);
        foreach (var e in Catalogue.Embedded.Entries.Where(o.Selects))
        {
            var checks = Catalogue.Resolve(e, ids);
            string status = checks.Count > 0 ? "covered: " + string.Join(',', checks)
                : e.Unobservable is not null ? "unobservable: " + e.Unobservable
                : "uncovered: " + (e.UncoveredReason);
            Console.WriteLine($"{e.Id}\t{e.Level}\t{e.Text}\t{status}");
        }
        return 0;
    }

    private static int CatalogueCommand(Options o, List<Check> all)
    {
        var spec = SpecSource.Embedded;
        var statements = spec.Statements();
        if (o.CatalogueUpdate is { } file)
        {
            var old = File.Exists(file) ? Catalogue.Parse(File.ReadAllText(file)) : new Catalogue();
            var cat = old.Merge(statements, spec.VersionLine, out var added, out var removed);
            File.WriteAllText(file, cat.ToJson());
            foreach (var id in added) Console.WriteLine($"added   {id}");
            foreach (var e in removed) Console.WriteLine($"removed {e.Id}: {e.Text}");
            Console.WriteLine($"{file}: {cat.Entries.Count} statements ({added.Count} added, {removed.Count} removed); " +
                $"{cat.Entries.Count(e => !e.Mapped)} still to map");
            return 0;
        }
        var c = o.CatalogueCheckFile is null ? Catalogue.Embedded : Catalogue.Parse(File.ReadAllText(o.CatalogueCheckFile));
        var problems = c.Problems(statements, CheckIds(all));
        foreach (var p in problems) Console.WriteLine(p);
        Console.WriteLine($"catalogue: {c.Entries.Count} entries, {problems.Count} problems");
        return problems.Count == 0 ? 0 : 1;
    }

    /// <summary>The command line that starts this program again (the tool's apphost, or dotnet and the dll).</summary>
    public static List<string> SelfCommand()
    {
        var exe = Environment.ProcessPath ?? throw new SuiteException("cannot find this program's path to run it again");
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet")
            return [exe, Path.Combine(AppContext.BaseDirectory, "oci-conformance.dll")];
        return [exe];
    }

    /// <summary>
    /// Re-executes this run inside a new private mount namespace whose /sys/fs/cgroup is a plain cgroup2 mount: the view
    /// crun needs on a hybrid-cgroup host. Output goes to this process's stdout/stderr.
    /// </summary>
    private static int ReexecInCgroup2Ns(string[] args)
    {
        var psi = new ProcessStartInfo("unshare") { UseShellExecute = false };
        foreach (var a in (string[])["-m", "--propagation", "private", "--", "/bin/sh", "-c",
            "umount -l /sys/fs/cgroup 2>/dev/null; mount -t cgroup2 none /sys/fs/cgroup || " +
            "{ echo 'oci-conformance: cannot mount cgroup2 on /sys/fs/cgroup in a private mount namespace' >&2; exit 3; }; exec \"$@\"", "sh"])
            psi.ArgumentList.Add(a);
        foreach (var a in SelfCommand()) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment[InCgroup2NsVar] = "1";
        Process p;
        try { p = Process.Start(psi) ?? throw new SuiteException("cannot start unshare"); }
        catch (System.ComponentModel.Win32Exception e) { throw new SuiteException($"--cgroup2-ns needs unshare (util-linux): {e.Message}"); }
        using (p)
        {
            p.WaitForExit();
            return p.ExitCode;
        }
    }

    /// <summary>First line of `RUNTIME --version`, or "" if it has none.</summary>
    public static string RuntimeVersion(string runtime)
    {
        try
        {
            var r = Host.Cmd([runtime, "--version"], TimeSpan.FromSeconds(10));
            var line = (r.Stdout.Length > 0 ? r.Stdout : r.Stderr).Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
            return r.Ok ? line : "";
        }
        catch (System.ComponentModel.Win32Exception) { return ""; }
    }

    /// <summary>Runs the selected checks against one runtime: TAP on stdout, then the requested report files.</summary>
    public static int RunOne(Options o, RuntimeTarget target, List<Check> checks, string[] args)
    {
        var runtime = Path.GetFullPath(target.Path);
        if (!File.Exists(runtime)) throw new UsageException($"--runtime: binary not found: {runtime}");
        bool inNs = Environment.GetEnvironmentVariable(InCgroup2NsVar) == "1";
        if (target.Cgroup2Ns && !inNs) return ReexecInCgroup2Ns(args);
        if (Environment.UserName != "root" && Host.StatusField("self", "Uid")?.StartsWith("0", StringComparison.Ordinal) != true)
            Console.Error.WriteLine("warning: the suite is meant to run as root");
        if (!File.Exists("/bin/busybox"))
            throw new SuiteException("busybox not found at /bin/busybox; the suite makes its rootfs from it (apt-get install -y busybox-static)");

        var spec = SpecSource.Embedded;
        var coverage = Catalogue.Embedded.Coverage(CheckIds(Registry.All()));
        var report = new RunReport
        {
            Name = target.Name, Runtime = runtime, RuntimeArgs = target.Args.ToList(), RuntimeVersion = RuntimeVersion(runtime),
            Spec = spec.VersionLine, Cgroup2Namespace = target.Cgroup2Ns,
        };

        var baseDir = Path.Combine(Path.GetTempPath(), "oci-conformance-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(baseDir);
        Host.Chmod(baseDir, "755");
        var stateRoot = Path.Combine(baseDir, "state");
        Directory.CreateDirectory(stateRoot);
        var scratch = Path.Combine(baseDir, "scratch");
        Directory.CreateDirectory(scratch);
        var driver = new RuntimeDriver(runtime, target.Args, stateRoot, scratch);
        var reporter = new Reporter(checks.Count, report, coverage);
        string runTag = Guid.NewGuid().ToString("N")[..6];
        var total = Stopwatch.StartNew();
        try
        {
            var rootfs = Path.Combine(baseDir, "rootfs");
            try { RootfsBuilder.Build(rootfs); }
            catch (IOException e) { throw new SuiteException("cannot make the busybox rootfs: " + e.Message); }
            var host = HostInfo.Detect(driver);
            report.Host = host.Describe();
            reporter.Header(host);
            int index = 0;
            foreach (var check in checks)
            {
                index++;
                var work = Path.Combine(baseDir, $"c{index:D3}");
                Directory.CreateDirectory(work);
                Host.Chmod(work, "755");
                driver.ScratchDir = work;
                var ctx = new CheckContext(driver, host, work, rootfs, $"oc{runTag}-{index:D3}");
                var sw = Stopwatch.StartNew();
                CheckResult result;
                try { result = check.Run(ctx); }
                catch (CheckFailedException e) { result = CheckResult.Fail(e.Message); }
                catch (CheckSkippedException e) { result = CheckResult.Skip(e.Message); }
                catch (Exception e) { result = CheckResult.Fail($"check crashed: {e.GetType().Name}: {e.Message}"); }
                finally { ctx.Cleanup(); }
                sw.Stop();
                var leaks = LeakedMounts(baseDir);
                if (leaks.Count > 0)
                {
                    foreach (var m in leaks) Host.Umount(m);
                    if (result.Outcome == Outcome.Pass)
                        result = CheckResult.Fail("mounts left on the host after delete: " + string.Join(", ", leaks));
                }
                var cgLeaks = LeakedCgroups(host, $"oc{runTag}-{index:D3}-");
                if (cgLeaks.Count > 0)
                {
                    foreach (var d in cgLeaks) Host.Cmd("rmdir", d);
                    if (result.Outcome == Outcome.Pass)
                        result = CheckResult.Fail("cgroups left on the host after delete: " + string.Join(", ", cgLeaks));
                }
                reporter.Add(index, check, result, sw.Elapsed);
                if (!o.Keep) TryDeleteDir(work);
            }
        }
        finally
        {
            foreach (var m in LeakedMounts(baseDir)) Host.Umount(m);
            if (!o.Keep) TryDeleteDir(baseDir);
            else Console.Error.WriteLine($"kept work directory {baseDir}");
        }
        report.DurationSeconds = total.Elapsed.TotalSeconds;
        reporter.Summary();
        if (o.Json is not null) report.WriteJson(o.Json, coverage);
        if (o.JUnit is not null) JUnitWriter.Write(o.JUnit, [report]);
        if (o.Markdown is not null) File.WriteAllText(o.Markdown, MatrixWriter.Markdown([report], coverage));
        if (o.Html is not null) File.WriteAllText(o.Html, MatrixWriter.Html([report], coverage));
        reporter.FinalLine();
        return report.Failed > 0 ? 1 : 0;
    }

    private static List<string> LeakedMounts(string baseDir) =>
        Host.MountTable().Where(m => m.MountPoint.StartsWith(baseDir + "/", StringComparison.Ordinal))
            .Select(m => m.MountPoint).OrderByDescending(p => p.Length).Distinct().ToList();

    /// <summary>Cgroup directories (any hierarchy, a few levels deep) whose name carries a check's container-id prefix.</summary>
    private static List<string> LeakedCgroups(HostInfo host, string idPrefix)
    {
        var found = new List<string>();
        void Walk(string dir, int depth)
        {
            IEnumerable<string> subs;
            try { subs = Directory.EnumerateDirectories(dir).ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
            foreach (var s in subs)
            {
                if (depth < 4) Walk(s, depth + 1);
                if (Path.GetFileName(s).Contains(idPrefix, StringComparison.Ordinal)) found.Add(s);
            }
        }
        foreach (var mp in host.V1.Values.Select(v => v.MountPoint).Append(host.V2MountPoint).OfType<string>().Distinct())
            Walk(mp, 0);
        return found;
    }

    private static void TryDeleteDir(string dir)
    {
        try { Directory.Delete(dir, true); }
        catch (IOException) { Host.Cmd("rm", "-rf", "--one-file-system", dir); }
        catch (UnauthorizedAccessException) { Host.Cmd("rm", "-rf", "--one-file-system", dir); }
    }
}

/// <summary>Makes a busybox rootfs: /bin/busybox plus its applet symlinks, and the usual empty directories.</summary>
public static class RootfsBuilder
{
    public static void Build(string rootfs)
    {
        const string busybox = "/bin/busybox";
        if (!File.Exists(busybox))
            throw new FileNotFoundException("busybox not found at /bin/busybox (apt-get install -y busybox-static)");
        foreach (var d in new[] { "bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "etc", "root", "var", "run", "mnt", "home" })
        {
            var p = Path.Combine(rootfs, d);
            Directory.CreateDirectory(p);
            Host.Chmod(p, "755");
        }
        Host.Chmod(rootfs, "755");
        Host.Chmod(Path.Combine(rootfs, "tmp"), "1777");
        File.Copy(busybox, Path.Combine(rootfs, "bin/busybox"));
        Host.Chmod(Path.Combine(rootfs, "bin/busybox"), "755");
        var applets = Host.Cmd(busybox, "--list");
        if (!applets.Ok) throw new IOException("busybox --list failed: " + applets.Brief);
        foreach (var name in applets.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (name == "busybox" || name.Contains('/')) continue;
            var link = Path.Combine(rootfs, "bin", name);
            if (!File.Exists(link)) File.CreateSymbolicLink(link, "busybox");
        }
        File.WriteAllText(Path.Combine(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n");
        File.WriteAllText(Path.Combine(rootfs, "etc/group"), "root:x:0:\nnogroup:x:65534:\n");
        File.WriteAllText(Path.Combine(rootfs, "etc/conformance-marker"), "oci-conformance-rootfs\n");
    }
}
