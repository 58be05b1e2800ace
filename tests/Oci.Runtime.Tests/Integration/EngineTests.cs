using System.Diagnostics;
using Xunit;

namespace Oci.Runtime.Tests.Integration;

/// <summary>Docker and podman run containers through oci-run registered with README.md's snippets (daemon.json's
/// runtimes, containers.conf's runtimes), each engine private to the test: its own state, storage and sockets, an
/// image imported from the busybox rootfs, no network.</summary>
[Collection(ContainerEnvironment.EnvironmentCollection.Name)]
public sealed class EngineTests
{
    const string DockerClient = "/usr/bin/docker", Dockerd = "/usr/sbin/dockerd", Podman = "/usr/bin/podman";

    /// <summary>Runs a program to its end.</summary>
    internal static CommandResult Exec(string program, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(180_000))
        {
            process.Kill(entireProcessTree: true);
            return new CommandResult(-1, stdout.Result, stderr.Result + "\n(timed out)");
        }
        return new CommandResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A tar of the busybox rootfs, for <c>docker import</c> and <c>podman import</c>.</summary>
    internal static string RootfsTar(string directory)
    {
        string tar = Path.Combine(directory, "rootfs.tar");
        var result = Exec("tar", ["-C", BusyboxRootfs.Path, "-cf", tar, "."]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return tar;
    }

    /// <summary>Unmounts whatever an engine left mounted below <paramref name="directory"/>, then removes it.</summary>
    internal static void RemoveEngineDirectory(string directory)
    {
        var mounts = File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4])
            .Where(m => m.StartsWith(directory, StringComparison.Ordinal)).OrderByDescending(m => m.Length);
        foreach (var mount in mounts) Exec("umount", ["-l", mount]);
        try { Directory.Delete(directory, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    [EngineFact("docker.io", Dockerd, DockerClient)]
    public void Docker_runs_containers_with_the_readme_runtime()
    {
        string dir = Path.Combine(Path.GetTempPath(), "oci-run-docker-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "daemon.json"), ReadmeSnippets.Get("docker", TestPaths.OciRunBinary));
        string socket = Path.Combine(dir, "docker.sock");
        var daemon = Process.Start(new ProcessStartInfo(Dockerd,
            $"--config-file {dir}/daemon.json --data-root {dir}/data --exec-root {dir}/exec --pidfile {dir}/docker.pid " +
            $"-H unix://{socket} --bridge none --iptables=false --ip-masq=false --storage-driver vfs")
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        string id = "oci-run-" + Guid.NewGuid().ToString("N")[..8];
        CommandResult Docker(params string[] args) => Exec(DockerClient, ["-H", $"unix://{socket}", .. args]);
        try
        {
            Assert.True(OciRunHarness.Eventually(() => File.Exists(socket) && Docker("version").ExitCode == 0, 1500), "dockerd did not start");
            var import = Docker("import", RootfsTar(dir), "oci-run-busybox:test");
            Assert.True(import.ExitCode == 0, import.ToString());

            var run = Docker("run", "--rm", "--runtime", "oci-run", "--network", "none", "oci-run-busybox:test",
                "sh", "-c", "echo hello-from-docker; exit 5");
            Assert.True(run.ExitCode == 5, run.ToString());
            Assert.Contains("hello-from-docker", run.Stdout);

            var detached = Docker("run", "-d", "--name", id, "--runtime", "oci-run", "--network", "none", "oci-run-busybox:test", "sleep", "1000");
            Assert.True(detached.ExitCode == 0, detached.ToString());
            var exec = Docker("exec", id, "sh", "-c", "echo exec-ok; exit 4");
            Assert.Equal(4, exec.ExitCode);
            Assert.Contains("exec-ok", exec.Stdout);
            var remove = Docker("rm", "-f", id);
            Assert.True(remove.ExitCode == 0, remove.ToString());
        }
        finally
        {
            Docker("rm", "-f", id);
            // SIGTERM: dockerd stops the containerd it started before it exits.
            Interop.Sys.Kill(daemon.Id, 15);
            if (!daemon.WaitForExit(60_000)) daemon.Kill(entireProcessTree: true);
            daemon.WaitForExit();
            // Wait for its containerd to let go of the directory.
            OciRunHarness.Eventually(() => !Process.GetProcessesByName("containerd").Any(p =>
            {
                try { return File.ReadAllText($"/proc/{p.Id}/cmdline").Contains(dir); }
                catch (IOException) { return false; }
            }));
            RemoveEngineDirectory(dir);
        }
    }

    /// <summary>Runs <paramref name="body"/> with a private podman (its command, the ulimits and network it needs)
    /// that has the busybox image as localhost/oci-run-busybox:test; removes everything afterwards.</summary>
    static void WithPodman(Action<Func<string[], CommandResult>, string[]> body)
    {
        string dir = Path.Combine(Path.GetTempPath(), "oci-run-podman-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        string conf = Path.Combine(dir, "containers.conf");
        File.WriteAllText(conf, ReadmeSnippets.Get("podman", TestPaths.OciRunBinary) + "\n");
        var environment = new Dictionary<string, string> { ["CONTAINERS_CONF"] = conf };
        CommandResult Pod(params string[] args) => Exec(Podman,
            ["--root", $"{dir}/root", "--runroot", $"{dir}/run", "--tmpdir", $"{dir}/tmp", "--storage-driver", "vfs",
             "--events-backend", "file", "--runtime", "oci-run", .. args], environment);
        // podman raises RLIMIT_NOFILE and RLIMIT_NPROC to the host's maximum by default, which a runner without
        // CAP_SYS_RESOURCE cannot give (runc fails the same way there): the test names its own limits.
        string[] limits = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--network", "none"];
        // podman's cgroupfs manager puts conmon in /libpod_parent/conmon of each hierarchy: removed afterwards unless
        // it was there before.
        var conmonCgroups = Directory.GetDirectories("/sys/fs/cgroup").Select(h => Path.Combine(h, "libpod_parent"))
            .Where(d => !Directory.Exists(d)).ToList();
        try
        {
            var import = Pod("import", RootfsTar(dir), "localhost/oci-run-busybox:test");
            Assert.True(import.ExitCode == 0, import.ToString());
            body(Pod, limits);
        }
        finally
        {
            Pod("rm", "-a", "-f");
            Pod("rmi", "-a", "-f");
            RemoveEngineDirectory(dir);
            foreach (var cgroup in conmonCgroups.Where(Directory.Exists))
            {
                try
                {
                    foreach (var child in Directory.GetDirectories(cgroup)) Directory.Delete(child);
                    Directory.Delete(cgroup);
                }
                catch (IOException) { } // still in use by another podman
            }
        }
    }

    [EngineFact("podman", Podman, "/usr/bin/conmon")]
    public void Podman_runs_containers_with_the_readme_runtime() => WithPodman((Pod, limits) =>
    {
        string id = "oci-run-" + Guid.NewGuid().ToString("N")[..8];
        var run = Pod(["run", "--rm", .. limits, "localhost/oci-run-busybox:test", "sh", "-c", "echo hello-from-podman; exit 6"]);
        Assert.True(run.ExitCode == 6, run.ToString());
        Assert.Contains("hello-from-podman", run.Stdout);

        // podman's seccomp profile for a container without CAP_AUDIT_WRITE has conditional socket rules that
        // collided on x86 while its x86-only names were dropped ("adding a rule for socket: File exists").
        foreach (var drop in new[] { "ALL", "AUDIT_WRITE" })
        {
            var dropped = Pod(["run", "--rm", "--cap-drop", drop, .. limits, "localhost/oci-run-busybox:test", "sh", "-c", "echo dropped-" + drop]);
            Assert.True(dropped.ExitCode == 0, dropped.ToString());
            Assert.Contains("dropped-" + drop, dropped.Stdout);
        }

        var detached = Pod(["run", "-d", "--name", id, .. limits, "localhost/oci-run-busybox:test", "sleep", "1000"]);
        Assert.True(detached.ExitCode == 0, detached.ToString());
        var exec = Pod(["exec", id, "sh", "-c", "echo exec-ok; exit 4"]);
        Assert.Equal(4, exec.ExitCode);
        Assert.Contains("exec-ok", exec.Stdout);
        var remove = Pod(["rm", "-f", id]);
        Assert.True(remove.ExitCode == 0, remove.ToString());
    });

    /// <summary>podman's user namespaces (issue 13): <c>--uidmap</c> and <c>--userns=auto</c>, the latter from a
    /// <c>containers</c> range the test adds to /etc/subuid and /etc/subgid (the files are restored afterwards).</summary>
    [EngineFact("podman", Podman, "/usr/bin/conmon")]
    public void Podman_runs_containers_in_user_namespaces() => WithPodman((Pod, limits) =>
    {
        var saved = new[] { "/etc/subuid", "/etc/subgid" }.ToDictionary(f => f, f => File.Exists(f) ? File.ReadAllText(f) : null);
        try
        {
            foreach (var file in saved.Keys) File.AppendAllText(file, "containers:2147483647:65536\n");
            string script = "cat /proc/self/uid_map; cat /etc/hosts >/dev/null && echo hosts-ok";
            var mapped = Pod(["run", "--rm", .. limits, "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536",
                "localhost/oci-run-busybox:test", "sh", "-c", script]);
            Assert.True(mapped.ExitCode == 0, mapped.ToString());
            Assert.Matches(@"^\s*0\s+100000\s+65536\s*\nhosts-ok", mapped.Stdout);

            var auto = Pod(["run", "--rm", .. limits, "--userns=auto", "localhost/oci-run-busybox:test", "sh", "-c", script]);
            Assert.True(auto.ExitCode == 0, auto.ToString());
            Assert.Matches(@"^\s*0\s+2147483647\s+\d+\s*\nhosts-ok", auto.Stdout);
        }
        finally
        {
            foreach (var (file, text) in saved)
                if (text is null) File.Delete(file);
                else File.WriteAllText(file, text);
        }
    });
}

/// <summary>A test that drives a container engine: skipped, with the reason, where containers cannot run or the
/// engine's programs are not installed.</summary>
public sealed class EngineFactAttribute : FactAttribute
{
    /// <summary>The engine is the Debian package <paramref name="package"/>, whose <paramref name="programs"/> the
    /// test runs.</summary>
    public EngineFactAttribute(string package, params string[] programs)
    {
        Skip = HostRequirements.MissingForContainers()
               ?? (programs.All(File.Exists) ? null : $"{string.Join(", ", programs.Where(p => !File.Exists(p)))} missing (apt-get install {package})");
    }
}
