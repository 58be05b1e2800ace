using System.Diagnostics;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Tests.Integration;

/// <summary>The output of one oci-run command.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>
/// Drives the real oci-run binary for one test: its own --root directory, its own bundles and unique container ids.
/// Disposing deletes every container it made (delete --force) and removes the root and the bundles, so that a test
/// leaves no state, mount, cgroup or process behind even when it fails.
/// </summary>
public sealed class OciRunHarness : IDisposable
{
    static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    readonly List<string> bundles = [];
    readonly List<string> ids = [];

    public OciRunHarness()
    {
        Root = Path.Combine(Path.GetTempPath(), "oci-run-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
    }

    /// <summary>The --root directory of this test.</summary>
    public string Root { get; }

    /// <summary>A fresh container id, deleted when the harness is disposed.</summary>
    public string NewId(string prefix = "t")
    {
        string id = $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";
        ids.Add(id);
        return id;
    }

    /// <summary>oci-run's default config on the busybox rootfs, without a terminal, running <paramref name="args"/>.</summary>
    public static RuntimeSpec NewSpec(params string[] args)
    {
        var spec = DefaultSpec.Create();
        spec.Root!.Path = BusyboxRootfs.Path;
        spec.Process!.Terminal = false;
        spec.Process.Args = [.. args];
        return spec;
    }

    /// <summary>A bundle directory holding <paramref name="spec"/> as config.json.</summary>
    public string WriteBundle(RuntimeSpec spec) => WriteBundle(SpecLoader.Serialize(spec));

    /// <summary>A bundle directory holding <paramref name="configJson"/> verbatim.</summary>
    public string WriteBundle(byte[] configJson)
    {
        string bundle = Path.Combine(Root, "bundles", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(bundle);
        File.WriteAllBytes(Path.Combine(bundle, "config.json"), configJson);
        bundles.Add(bundle);
        return bundle;
    }

    /// <summary>The state root of this harness (passed as --root).</summary>
    public string StateRoot => Path.Combine(Root, "state");

    /// <summary>Runs oci-run with this harness's --root.</summary>
    public CommandResult Run(params string[] args) => RunWithGlobal([], args);

    /// <summary>Runs oci-run with extra global flags before the command.</summary>
    public CommandResult RunWithGlobal(string[] globalFlags, string[] args) => RunThrough([], globalFlags, args);

    /// <summary>Under <c>strace -f</c> (the system calls <paramref name="syscalls"/>): <c>run</c> of /bin/true, or
    /// (<paramref name="command"/> "exec") <c>exec</c> of /bin/true in a running container; returns the command's
    /// result and the trace's lines.</summary>
    public (CommandResult Result, string[] Trace) RunTraced(string command, string syscalls)
    {
        string trace = Path.Combine(Root, $"{command}-{Guid.NewGuid():N}.strace");
        string[] strace = ["strace", "-f", "-qq", "-o", trace, "-e", "trace=" + syscalls];
        string id = NewId();
        CommandResult result;
        if (command == "run")
            result = RunThrough(strace, [], ["run", "--bundle", WriteBundle(NewSpec("true")), id]);
        else
        {
            var started = Run("run", "-d", "--bundle", WriteBundle(NewSpec("sleep", "1000")), id);
            if (started.ExitCode != 0) throw new InvalidOperationException($"run -d: {started}");
            result = RunThrough(strace, [], ["exec", id, "true"]);
        }
        return (result, File.Exists(trace) ? File.ReadAllLines(trace) : []);
    }

    /// <summary>Runs oci-run under a wrapper command (such as <c>setpriv</c> with its options), which must exec
    /// it, optionally with <paramref name="stdin"/> as its input. A later <c>--root</c> in
    /// <paramref name="globalFlags"/> overrides the harness's own.</summary>
    public CommandResult RunThrough(string[] wrapper, string[] globalFlags, string[] args, string? stdin = null)
    {
        var start = new ProcessStartInfo(wrapper.Length > 0 ? wrapper[0] : TestPaths.OciRunBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (wrapper.Length > 0)
        {
            foreach (var arg in wrapper.Skip(1)) start.ArgumentList.Add(arg);
            start.ArgumentList.Add(TestPaths.OciRunBinary);
        }
        start.ArgumentList.Add("--root");
        start.ArgumentList.Add(StateRoot);
        foreach (var flag in globalFlags) start.ArgumentList.Add(flag);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        if (stdin is not null) process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        // Read output as it comes, on threads of our own, rather than to its end: a created or detached container's
        // process inherits oci-run's stdout and stderr (as with runc), so the pipes stay open after oci-run has
        // exited. Dedicated threads keep reading even when parallel tests starve the thread pool.
        var stdout = new StreamCollector(process.StandardOutput.BaseStream);
        var stderr = new StreamCollector(process.StandardError.BaseStream);
        if (!process.WaitForExit((int)CommandTimeout.TotalMilliseconds))
        {
            // A hung runtime is a failure of the test, not a reason to hang the suite.
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
            return new CommandResult(-1, stdout.Text(), stderr.Text() + $"\n(oci-run {string.Join(' ', args)} killed after {CommandTimeout})");
        }
        return new CommandResult(process.ExitCode, stdout.Text(), stderr.Text());
    }

    /// <summary>Collects a stream on a thread of its own until end-of-file.</summary>
    sealed class StreamCollector
    {
        readonly MemoryStream buffer = new();
        readonly Thread reader;

        public StreamCollector(Stream stream)
        {
            reader = new Thread(() =>
            {
                var chunk = new byte[8192];
                int n;
                try
                {
                    while ((n = stream.Read(chunk)) > 0)
                        lock (buffer) buffer.Write(chunk, 0, n);
                }
                catch (IOException) { }
                catch (ObjectDisposedException) { }
            }) { IsBackground = true };
            reader.Start();
        }

        /// <summary>What was read: everything up to end-of-file, or, when a container keeps the pipe open after
        /// oci-run exited, what arrived within a short grace period (oci-run's own output is complete by then).</summary>
        public string Text()
        {
            reader.Join(TimeSpan.FromSeconds(1));
            lock (buffer) return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
    }

    /// <summary>Starts oci-run in the background (for a foreground <c>run</c> that a test signals).</summary>
    public System.Diagnostics.Process Start(params string[] args)
    {
        var start = new ProcessStartInfo(TestPaths.OciRunBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--root");
        start.ArgumentList.Add(StateRoot);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return System.Diagnostics.Process.Start(start)!;
    }

    /// <summary>Runs a container in the foreground to completion and returns what it printed and its status.</summary>
    public CommandResult RunContainer(RuntimeSpec spec, string? id = null)
    {
        id ??= NewId();
        return Run("run", "--bundle", WriteBundle(spec), id);
    }

    /// <summary>Creates a container and returns its id (asserting success).</summary>
    public string Create(RuntimeSpec spec, string? id = null)
    {
        id ??= NewId();
        var result = Run("create", "--bundle", WriteBundle(spec), id);
        if (result.ExitCode != 0) throw new Xunit.Sdk.XunitException($"create {id} failed: {result}");
        return id;
    }

    /// <summary>The state document of a container.</summary>
    public ContainerStateDocument State(string id)
    {
        var result = Run("state", id);
        if (result.ExitCode != 0) throw new Xunit.Sdk.XunitException($"state {id} failed: {result}");
        return SpecLoader.ParseState(System.Text.Encoding.UTF8.GetBytes(result.Stdout));
    }

    /// <summary>Reads <paramref name="stream"/> (a terminal's master, say) until what was read contains
    /// <paramref name="marker"/> or the stream ends; returns what was read.</summary>
    public static string ReadUntil(Stream stream, string marker)
    {
        var buffer = new byte[256];
        var text = new System.Text.StringBuilder();
        while (!text.ToString().Contains(marker) && stream.Read(buffer) is var n and > 0)
            text.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, n));
        return text.ToString();
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; returns whether it did.</summary>
    public static bool Eventually(Func<bool> condition, int attempts = 500)
    {
        for (int i = 0; i < attempts; i++)
        {
            if (condition()) return true;
            Thread.Sleep(20);
        }
        return condition();
    }

    /// <summary>Container directories left in the state root.</summary>
    public IReadOnlyList<string> LeftoverState() =>
        Directory.Exists(StateRoot) ? Directory.GetFileSystemEntries(StateRoot) : [];

    public void Dispose()
    {
        foreach (var id in ids)
        {
            if (Directory.Exists(Path.Combine(StateRoot, id))) Run("delete", "--force", id);
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException) { }
    }
}
