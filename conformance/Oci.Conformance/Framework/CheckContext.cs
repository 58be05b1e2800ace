using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Oci.Conformance.Framework;

/// <summary>
/// Everything a check needs: the runtime driver, host facts, a private work directory and helpers that create,
/// start, wait for and delete containers. All containers and host fixtures made through the context are torn down
/// by <see cref="Cleanup"/> (delete --force, kill helper processes, unmount host mounts).
/// </summary>
public sealed class CheckContext(RuntimeDriver runtime, HostInfo host, string workDir, string baseRootfs, string idPrefix)
{
    private readonly List<string> _ids = new();
    private readonly Stack<Action> _cleanups = new();
    private int _n;

    public RuntimeDriver Runtime { get; } = runtime;
    public HostInfo Host { get; } = host;
    public string WorkDir { get; } = workDir;
    public string BaseRootfs { get; } = baseRootfs;

    public string NewId()
    {
        var id = $"{idPrefix}-{++_n}";
        _ids.Add(id);
        return id;
    }

    /// <summary>A fresh bundle in the work dir; optionally with process.args = sh -c SCRIPT.</summary>
    public Bundle NewBundle(string? script = null)
    {
        var b = new Bundle(Path.Combine(WorkDir, "bundle" + (++_n)), BaseRootfs);
        if (script is not null) b.Sh(script);
        return b;
    }

    /// <summary>A host directory inside the work dir (mode 0755).</summary>
    public string NewDir(string name)
    {
        var d = Path.Combine(WorkDir, name);
        Directory.CreateDirectory(d);
        Framework.Host.Chmod(d, "755");
        return d;
    }

    public void Defer(Action cleanup) => _cleanups.Push(cleanup);

    /// <summary>Mounts on the host and registers the unmount.</summary>
    public void HostMount(string target, params string[] args)
    {
        Framework.Host.Mount(args);
        Defer(() => Framework.Host.Umount(target));
    }

    /// <summary>Starts a long-running host helper (e.g. `unshare --net sleep 600`) and registers its kill.</summary>
    public Process StartHelper(params string[] argv)
    {
        var psi = new ProcessStartInfo(argv[0]) { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new CheckFailedException($"cannot start {argv[0]}");
        Defer(() => { try { if (!p.HasExited) p.Kill(true); p.WaitForExit(5000); } catch (InvalidOperationException) { } p.Dispose(); });
        return p;
    }

    public ProcResult Rt(params string[] args) => Runtime.Run(args);
    public ProcResult Rt(RunOptions o, params string[] args) => Runtime.Run(args, o);

    /// <summary>Runs `create` and returns the raw result (the container's stdout/stderr go to files).</summary>
    public ProcResult TryCreate(Bundle b, string id, string? shellPrefix = null, params string[] extra)
    {
        b.Save();
        var o = new RunOptions
        {
            StdoutFile = Path.Combine(WorkDir, id + ".out"),
            StderrFile = Path.Combine(WorkDir, id + ".err"),
            ShellPrefix = shellPrefix,
        };
        return Runtime.Run(["create", .. extra, "--bundle", b.Dir, id], o);
    }

    /// <summary>Creates a container and fails the check if that does not succeed.</summary>
    public Container Create(Bundle b, string? id = null, string? shellPrefix = null)
    {
        id ??= NewId();
        var r = TryCreate(b, id, shellPrefix);
        if (!r.Ok) throw new CheckFailedException("create failed: " + r.Brief);
        return new Container(this, id, b);
    }

    /// <summary>Create + start + wait until stopped + delete; returns what the container wrote on stdout.</summary>
    public string RunProbe(Bundle b, string? shellPrefix = null)
    {
        var c = Create(b, shellPrefix: shellPrefix);
        c.Start();
        c.WaitStopped();
        var output = c.Stdout;
        c.TryDelete();
        return output;
    }

    /// <summary>Like <see cref="RunProbe"/> but returns a failed create/start as a result instead of failing.</summary>
    public (bool Ok, string Output, string Error) TryRunProbe(Bundle b)
    {
        var id = NewId();
        var r = TryCreate(b, id);
        if (!r.Ok) return (false, "", "create: " + r.Brief);
        var c = new Container(this, id, b);
        var s = Rt("start", id);
        if (!s.Ok) return (false, c.Stdout, "start: " + s.Brief);
        c.WaitStopped();
        var output = c.Stdout;
        c.TryDelete();
        return (true, output, "");
    }

    /// <summary>Parses `state ID` output, or null if the command failed.</summary>
    public JsonObject? State(string id)
    {
        var r = Rt("state", id);
        if (!r.Ok) return null;
        try { return JsonNode.Parse(r.Stdout) as JsonObject; }
        catch (System.Text.Json.JsonException) { throw new CheckFailedException("state output is not JSON: " + Verify.Show(r.Stdout)); }
    }

    public string? Status(string id) => State(id)?["status"]?.GetValue<string>();

    public void Cleanup()
    {
        foreach (var id in _ids)
        {
            if (Runtime.Run(["state", id], new RunOptions { Timeout = TimeSpan.FromSeconds(10) }).Ok)
                Runtime.Run(["delete", "--force", id]);
        }
        while (_cleanups.Count > 0)
        {
            try { _cleanups.Pop()(); }
            catch (Exception e) when (e is IOException or InvalidOperationException or CheckFailedException or UnauthorizedAccessException) { }
        }
    }
}

/// <summary>A container created through the runtime.</summary>
public sealed class Container(CheckContext ctx, string id, Bundle bundle)
{
    private int _pid;
    public string Id { get; } = id;
    public Bundle Bundle { get; } = bundle;
    public string Stdout => RuntimeDriver.ReadSmall(Path.Combine(ctx.WorkDir, Id + ".out"));
    public string Stderr => RuntimeDriver.ReadSmall(Path.Combine(ctx.WorkDir, Id + ".err"));

    /// <summary>The container process pid from `state` (cached).</summary>
    public int Pid
    {
        get
        {
            if (_pid > 0) return _pid;
            var st = ctx.State(Id) ?? throw new CheckFailedException($"state {Id} failed");
            var p = st["pid"];
            if (p is null || !int.TryParse(p.ToString(), out _pid) || _pid <= 0)
                throw new CheckFailedException($"state has no valid pid: {Verify.Show(st.ToJsonString())}");
            return _pid;
        }
    }

    public void Start()
    {
        var r = ctx.Rt("start", Id);
        if (!r.Ok) throw new CheckFailedException("start failed: " + r.Brief + " " + Verify.Show(Stderr.Trim()));
    }

    public ProcResult TryStart() => ctx.Rt("start", Id);

    /// <summary>Waits (bounded) until `state` reports stopped.</summary>
    public void WaitStopped(double timeoutSeconds = 30)
    {
        int pid = _pid > 0 ? _pid : 0;
        if (pid == 0)
        {
            var st = ctx.State(Id);
            if (st?["pid"] is JsonNode pn && int.TryParse(pn.ToString(), out var p2)) pid = p2;
        }
        var sw = Stopwatch.StartNew();
        int delay = 5;
        while (sw.Elapsed.TotalSeconds < timeoutSeconds)
        {
            if (pid <= 0 || !Framework.Host.ProcessAlive(pid))
            {
                var status = ctx.Status(Id);
                if (status is null or "stopped") return;
            }
            Thread.Sleep(delay);
            delay = Math.Min(delay * 2, 100);
        }
        throw new CheckFailedException($"container {Id} did not stop within {timeoutSeconds}s (status {ctx.Status(Id)}); output: {Verify.Show(Stdout)}");
    }

    public void Kill(string signal = "KILL")
    {
        var r = ctx.Rt("kill", Id, signal);
        if (!r.Ok) throw new CheckFailedException($"kill {signal} failed: " + r.Brief);
    }

    public ProcResult TryDelete(bool force = false) => force ? ctx.Rt("delete", "--force", Id) : ctx.Rt("delete", Id);

    public void Delete(bool force = false)
    {
        var r = TryDelete(force);
        if (!r.Ok) throw new CheckFailedException("delete failed: " + r.Brief);
    }
}
