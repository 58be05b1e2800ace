using System.Diagnostics;
using Xunit;

namespace Oci.Runtime.Tests.Integration;

/// <summary>containerd's runc v2 shim drives oci-run unchanged (ctr run --runc-binary): run, exec, kill and exit
/// statuses, with containerd started privately for the test; and README.md's containerd snippet, which containerd
/// must read as a CRI runtime of the runc v2 shim with oci-run as its binary.</summary>
public sealed class ContainerdTests
{
    /// <summary>A containerd of the test's own (root, state, socket, config). Without <paramref name="criConfig"/>
    /// its CRI plugin is disabled; with it, <paramref name="criConfig"/> (given the daemon's directory) is appended
    /// to the config and the CRI plugin runs.</summary>
    internal sealed class PrivateContainerd : IDisposable
    {
        public const string Namespace = "oci-run-test";
        readonly Process daemon;
        readonly System.Text.StringBuilder log = new();

        /// <summary>What the daemon has logged so far (for a failing test's message).</summary>
        public string Log { get { lock (log) return log.ToString(); } }

        public PrivateContainerd(Func<string, string>? criConfig = null, IReadOnlyDictionary<string, string>? environment = null)
        {
            Directory = Path.Combine(Path.GetTempPath(), "oci-run-containerd-" + Guid.NewGuid().ToString("N")[..8]);
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllText(Path.Combine(Directory, "config.toml"), $"""
                version = 2
                root = "{Directory}/root"
                state = "{Directory}/state"
                {(criConfig is null ? "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]" : "")}
                [grpc]
                  address = "{Socket}"
                """ + "\n" + criConfig?.Invoke(Directory));
            var start = new ProcessStartInfo("containerd", $"--config {Directory}/config.toml")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
            daemon = Process.Start(start)!;
            daemon.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
            daemon.BeginOutputReadLine();
            daemon.BeginErrorReadLine();
            if (!OciRunHarness.Eventually(() => File.Exists(Socket)))
                throw new Xunit.Sdk.XunitException("containerd did not start");
            // The task's rootfs: a private copy, since containerd's shim may write to it.
            Rootfs = Path.Combine(Directory, "rootfs");
            CopyTree(BusyboxRootfs.Path, Rootfs);
        }

        public string Directory { get; }
        public string Socket => Path.Combine(Directory, "containerd.sock");
        public string Rootfs { get; }

        public CommandResult Ctr(params string[] args) => CtrIn(Namespace, args);

        /// <summary>ctr in containerd namespace <paramref name="ns"/> (the CRI plugin's is <c>k8s.io</c>).</summary>
        public CommandResult CtrIn(string ns, params string[] args)
        {
            var start = new ProcessStartInfo("ctr") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-a", Socket, "-n", ns }.Concat(args)) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(120_000))
            {
                process.Kill(entireProcessTree: true);
                return new CommandResult(-1, "", "ctr timed out");
            }
            return new CommandResult(process.ExitCode, stdout.Result, stderr.Result);
        }

        static void CopyTree(string from, string to)
        {
            System.IO.Directory.CreateDirectory(to);
            foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
            {
                string target = Path.Combine(to, entry.Name);
                if (entry.LinkTarget is { } link) File.CreateSymbolicLink(target, link);
                else if (entry is DirectoryInfo d) CopyTree(d.FullName, target);
                else File.Copy(entry.FullName, target);
            }
        }

        public void Dispose()
        {
            daemon.Kill(entireProcessTree: false);
            daemon.WaitForExit();
            // Whatever containerd left mounted under its directories (snapshots, a sandbox's /dev/shm).
            foreach (var mount in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4])
                         .Where(m => m.StartsWith(Directory + "/", StringComparison.Ordinal)).OrderByDescending(m => m.Length))
                Process.Start("umount", ["-l", mount])!.WaitForExit();
            // The shim placed tasks under /<namespace>/<id> in each hierarchy; the runtime removed the tasks' own.
            foreach (var hierarchy in System.IO.Directory.EnumerateDirectories("/sys/fs/cgroup"))
            {
                try { System.IO.Directory.Delete(Path.Combine(hierarchy, Namespace)); }
                catch (IOException) { }
            }
            try { System.IO.Directory.Delete(Directory, recursive: true); }
            catch (IOException) { }
        }
    }

    [ContainerdFact]
    public void Ctr_runs_execs_and_kills_through_the_runc_v2_shim()
    {
        using var containerd = new PrivateContainerd();
        // README's snippet reaches the CRI plugin (disabled in this daemon) as a runc v2 runtime whose shim runs
        // oci-run; CriTests runs a pod through it with a CRI client. ctr below names the binary per container instead.
        string criConfig = Path.Combine(containerd.Directory, "cri.toml");
        File.WriteAllText(criConfig, "version = 2\n" + ReadmeSnippets.Get("containerd", TestPaths.OciRunBinary) + "\n");
        var dump = Process.Start(new ProcessStartInfo("containerd", $"--config {criConfig} config dump")
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        string config = dump.StandardOutput.ReadToEnd();
        dump.WaitForExit();
        Assert.Matches(@"\[plugins\.""io\.containerd\.grpc\.v1\.cri""\.containerd\.runtimes\.oci-run\]\s+(\S+ = .*\s+)*runtime_type = ""io\.containerd\.runc\.v2""", config);
        Assert.Contains($"BinaryName = \"{TestPaths.OciRunBinary}\"", config);
        string binary = TestPaths.OciRunBinary;
        string id = "ctr-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var run = containerd.Ctr("run", "--rm", "--runc-binary", binary, "--rootfs", containerd.Rootfs, id + "-a",
                "sh", "-c", "echo hello-from-containerd; exit 9");
            Assert.Equal(9, run.ExitCode);
            Assert.Contains("hello-from-containerd", run.Stdout);

            var detached = containerd.Ctr("run", "-d", "--runc-binary", binary, "--rootfs", containerd.Rootfs, id, "sleep", "1000");
            Assert.True(detached.ExitCode == 0, detached.ToString());
            Assert.Matches(@$"{id}\s+\d+\s+RUNNING", containerd.Ctr("task", "ls").Stdout);

            var exec = containerd.Ctr("task", "exec", "--exec-id", "e1", id, "sh", "-c", "echo exec-ok; exit 4");
            Assert.Equal(4, exec.ExitCode);
            Assert.Contains("exec-ok", exec.Stdout);

            Assert.Equal(0, containerd.Ctr("task", "kill", "-s", "KILL", id).ExitCode);
            Assert.True(OciRunHarness.Eventually(() => containerd.Ctr("task", "ls").Stdout.Contains("STOPPED")));
            Assert.Equal(0, containerd.Ctr("task", "delete", id).ExitCode);
        }
        finally
        {
            containerd.Ctr("task", "delete", "--force", id);
            containerd.Ctr("container", "delete", id);
        }
    }
}

/// <summary>A test that drives containerd: skipped, with the reason, where containerd or containers cannot run.</summary>
public sealed class ContainerdFactAttribute : FactAttribute
{
    public ContainerdFactAttribute()
    {
        Skip = HostRequirements.MissingForContainers()
               ?? (new[] { "containerd", "ctr", "containerd-shim-runc-v2" }.All(tool => File.Exists($"/usr/bin/{tool}"))
                   ? null : "containerd is not installed (apt-get install containerd)");
    }
}
