using System.Diagnostics;

namespace Oci.Conformance.Framework;

public sealed record ProcResult(int ExitCode, string Stdout, string Stderr, bool TimedOut, string CommandLine)
{
    public bool Ok => ExitCode == 0 && !TimedOut;

    /// <summary>A one-line description for failure messages.</summary>
    public string Brief
    {
        get
        {
            if (TimedOut) return $"`{CommandLine}` timed out and was killed";
            var err = Stderr.Trim();
            if (err.Length == 0) err = Stdout.Trim();
            err = err.Replace('\n', ' ');
            if (err.Length > 300) err = err[..300] + "…";
            return $"`{CommandLine}` exited {ExitCode}: {err}";
        }
    }
}

public sealed class RunOptions
{
    /// <summary>File that receives stdout (the container inherits it on create/run). Default: a temp file that is read back.</summary>
    public string? StdoutFile { get; init; }
    public string? StderrFile { get; init; }
    /// <summary>Shell commands run just before exec'ing the binary (e.g. "umask 027;").</summary>
    public string? ShellPrefix { get; init; }
    public string? StdinFile { get; init; }
    public TimeSpan? Timeout { get; init; }
}

/// <summary>
/// Runs a runc-compatible runtime binary: `RUNTIME [runtime-args] --root DIR --log FILE --log-format json SUBCOMMAND ...`.
/// stdout/stderr always go to files (never pipes), because a created container inherits them and keeps them open.
/// Every invocation has a timeout; a hung runtime is killed with its process tree.
/// </summary>
public sealed class RuntimeDriver(string runtimePath, IReadOnlyList<string> runtimeArgs, string rootDir, string scratchDir)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private int _seq;

    public string RuntimePath { get; } = runtimePath;
    public IReadOnlyList<string> RuntimeArgs { get; } = runtimeArgs;
    public string RootDir { get; } = rootDir;
    public string ScratchDir { get; set; } = scratchDir;
    public string LogFile => Path.Combine(ScratchDir, "runtime-log.json");

    public IEnumerable<string> GlobalArgs()
    {
        foreach (var a in RuntimeArgs) yield return a;
        yield return "--root";
        yield return RootDir;
        yield return "--log";
        yield return LogFile;
        yield return "--log-format";
        yield return "json";
    }

    public ProcResult Run(IEnumerable<string> args, RunOptions? options = null)
    {
        var argv = new List<string> { RuntimePath };
        argv.AddRange(GlobalArgs());
        argv.AddRange(args);
        return Exec(argv, options);
    }

    /// <summary>Runs any host command the same way (files for stdio, timeout).</summary>
    public ProcResult Exec(IReadOnlyList<string> argv, RunOptions? options = null)
    {
        options ??= new RunOptions();
        int n = Interlocked.Increment(ref _seq);
        string outFile = options.StdoutFile ?? Path.Combine(ScratchDir, $"cmd{n}.out");
        string errFile = options.StderrFile ?? Path.Combine(ScratchDir, $"cmd{n}.err");
        string inFile = options.StdinFile ?? "/dev/null";
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add((options.ShellPrefix ?? "") +
            " exec \"$@\" <\"$OCI_CONF_IN\" >\"$OCI_CONF_OUT\" 2>\"$OCI_CONF_ERR\"");
        psi.ArgumentList.Add("sh");
        foreach (var a in argv) psi.ArgumentList.Add(a);
        psi.Environment["OCI_CONF_IN"] = inFile;
        psi.Environment["OCI_CONF_OUT"] = outFile;
        psi.Environment["OCI_CONF_ERR"] = errFile;
        string cmdline = string.Join(' ', argv.Skip(argv.Count > 0 && argv[0] == RuntimePath ? 1 + RuntimeArgs.Count + 6 : 0)
            .Prepend(Path.GetFileName(argv[0])));

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start /bin/sh");
        var timeout = options.Timeout ?? DefaultTimeout;
        bool timedOut = !p.WaitForExit(timeout);
        if (timedOut)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit(5000);
        }
        int code = timedOut ? -1 : p.ExitCode;
        string stdout = ReadSmall(outFile), stderr = ReadSmall(errFile);
        if (options.StdoutFile is null) TryDelete(outFile);
        if (options.StderrFile is null) TryDelete(errFile);
        if (!timedOut && code != 0)
        {
            string log = LastLogError();
            if (log.Length > 0 && !stderr.Contains(log, StringComparison.Ordinal)) stderr = (stderr + " " + log).Trim();
        }
        return new ProcResult(code, stdout, stderr, timedOut, cmdline);
    }

    /// <summary>The last message of the runtime's JSON log, if any (for diagnostics only).</summary>
    public string LastLogError()
    {
        try
        {
            if (!File.Exists(LogFile)) return "";
            var lines = File.ReadAllLines(LogFile);
            for (int i = lines.Length - 1; i >= 0; i--)
            {
                var l = lines[i].Trim();
                if (l.Length == 0) continue;
                try
                {
                    var node = System.Text.Json.Nodes.JsonNode.Parse(l);
                    var msg = node?["msg"]?.ToString() ?? node?["message"]?.ToString();
                    if (!string.IsNullOrEmpty(msg)) return "log: " + msg;
                }
                catch (System.Text.Json.JsonException) { return "log: " + l; }
            }
        }
        catch (IOException) { }
        return "";
    }

    public static string ReadSmall(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var sr = new StreamReader(fs);
            var buf = new char[256 * 1024];
            int n = sr.ReadBlock(buf, 0, buf.Length);
            return new string(buf, 0, n);
        }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
