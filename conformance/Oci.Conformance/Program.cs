using System.Diagnostics;
using System.Text.RegularExpressions;
using Oci.Conformance.Checks;
using Oci.Conformance.Framework;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Oci.Conformance;

public static class Program
{
    private const string Usage =
        "usage: conformance/run --runtime PATH [--runtime-arg ARG]... [--filter REGEX] [--json FILE] [--list] [--keep]";

    public static int Main(string[] args)
    {
        string? runtime = null, filter = null, json = null;
        var runtimeArgs = new List<string>();
        bool list = false, keep = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value");
            string? Inline(string name) => a.StartsWith(name + "=", StringComparison.Ordinal) ? a[(name.Length + 1)..] : null;
            try
            {
                if (a == "--runtime") runtime = Next();
                else if (Inline("--runtime") is { } rv) runtime = rv;
                else if (a == "--runtime-arg") runtimeArgs.Add(Next());
                else if (Inline("--runtime-arg") is { } ra) runtimeArgs.Add(ra);
                else if (a == "--filter") filter = Next();
                else if (Inline("--filter") is { } fv) filter = fv;
                else if (a == "--json") json = Next();
                else if (Inline("--json") is { } jv) json = jv;
                else if (a == "--list") list = true;
                else if (a == "--keep") keep = true;
                else if (a is "-h" or "--help") { Console.WriteLine(Usage); return 0; }
                else throw new ArgumentException($"unknown argument {a}");
            }
            catch (ArgumentException e) { Console.Error.WriteLine(e.Message); Console.Error.WriteLine(Usage); return 2; }
        }

        var all = Registry.All();
        var dup = all.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) { Console.Error.WriteLine($"internal error: duplicate check id {dup.Key}"); return 2; }
        Regex? rx = filter is null ? null : new Regex(filter, RegexOptions.CultureInvariant);
        var checks = all.Where(c => rx is null || rx.IsMatch(c.Id)).ToList();
        if (list)
        {
            foreach (var c in checks) Console.WriteLine($"{c.Id}\t{c.Tag}\t{c.Description}");
            Console.WriteLine($"{checks.Count} checks");
            return 0;
        }
        if (runtime is null) { Console.Error.WriteLine(Usage); return 2; }
        runtime = Path.GetFullPath(runtime);
        if (!File.Exists(runtime)) { Console.Error.WriteLine($"runtime binary not found: {runtime}"); return 2; }
        if (Environment.UserName != "root" && Host.StatusField("self", "Uid")?.StartsWith("0", StringComparison.Ordinal) != true)
            Console.Error.WriteLine("warning: the suite is meant to run as root");

        var baseDir = Path.Combine(Path.GetTempPath(), "oci-conformance-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(baseDir);
        Host.Chmod(baseDir, "755");
        var stateRoot = Path.Combine(baseDir, "state");
        Directory.CreateDirectory(stateRoot);
        var scratch = Path.Combine(baseDir, "scratch");
        Directory.CreateDirectory(scratch);
        var driver = new RuntimeDriver(runtime, runtimeArgs, stateRoot, scratch);
        var reporter = new Reporter(checks.Count);
        string runTag = Guid.NewGuid().ToString("N")[..6];
        try
        {
            var rootfs = Path.Combine(baseDir, "rootfs");
            RootfsBuilder.Build(rootfs);
            var host = HostInfo.Detect(driver);
            reporter.Header(runtime, runtimeArgs, host);
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
                reporter.Report(index, check, result, sw.Elapsed);
                if (!keep) TryDeleteDir(work);
            }
        }
        finally
        {
            foreach (var m in LeakedMounts(baseDir)) Host.Umount(m);
            if (!keep) TryDeleteDir(baseDir);
            else Console.Error.WriteLine($"kept work directory {baseDir}");
        }
        reporter.Summary();
        if (json is not null) reporter.WriteJson(json, runtime, runtimeArgs);
        reporter.FinalLine();
        return reporter.Failed > 0 ? 1 : 0;
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
