using Xunit;

namespace Oci.Runtime.Tests.Integration;

/// <summary>podman's <c>container checkpoint</c> and <c>container restore</c> with oci-run as podman's runtime (a
/// private podman as in <see cref="EngineTests"/>), with the CRIU of <see cref="CriuForTests"/> on podman's PATH as
/// <c>criu</c>, as podman looks for it.</summary>
[Collection(ContainerEnvironment.EnvironmentCollection.Name)]
public sealed class CheckpointEngineTests
{
    const string Podman = "/usr/bin/podman";

    [CriuEngineFact("podman", Podman, "/usr/bin/conmon")]
    public void Podman_checkpoints_and_restores_a_container_that_goes_on_counting()
    {
        string dir = Path.Combine(Path.GetTempPath(), "oci-run-podman-cr-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        File.CreateSymbolicLink(Path.Combine(dir, "bin", "criu"), CriuForTests.Path);
        string conf = Path.Combine(dir, "containers.conf");
        File.WriteAllText(conf, ReadmeSnippets.Get("podman", TestPaths.OciRunBinary) + "\n");
        var environment = new Dictionary<string, string>
        {
            ["CONTAINERS_CONF"] = conf,
            ["PATH"] = $"{dir}/bin:{Environment.GetEnvironmentVariable("PATH")}",
        };
        CommandResult Pod(params string[] args) => EngineTests.Exec(Podman,
            ["--root", $"{dir}/root", "--runroot", $"{dir}/run", "--tmpdir", $"{dir}/tmp", "--storage-driver", "vfs",
             "--events-backend", "file", "--runtime", "oci-run", .. args], environment);
        string[] limits = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--network", "none"];
        string id = "oci-run-cr-" + Guid.NewGuid().ToString("N")[..8];
        var conmonCgroups = Directory.GetDirectories("/sys/fs/cgroup").Select(h => Path.Combine(h, "libpod_parent"))
            .Where(d => !Directory.Exists(d)).ToList();
        long Count() => long.TryParse(Pod("exec", id, "cat", "/tmp/count").Stdout.Trim(), out long n) ? n : -1;
        try
        {
            var import = Pod("import", EngineTests.RootfsTar(dir), "localhost/oci-run-busybox:cr");
            Assert.True(import.ExitCode == 0, import.ToString());
            // Each start of the counter leaves a line in /tmp/starts: a restored one adds none.
            var run = Pod(["run", "-d", "--name", id, .. limits, "localhost/oci-run-busybox:cr", "sh", "-c",
                "echo start >> /tmp/starts; i=0; while true; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; usleep 50000; done"]);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.True(OciRunHarness.Eventually(() => Count() >= 3, 100), "the counter never counted");

            var checkpoint = Pod("container", "checkpoint", id);
            Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
            Assert.Contains("Exited", Pod("ps", "-a", "--filter", $"name={id}").Stdout);

            var restore = Pod("container", "restore", id);
            Assert.True(restore.ExitCode == 0, restore.ToString());
            Assert.Contains("Up", Pod("ps", "--filter", $"name={id}").Stdout);
            long afterRestore = Count();
            Assert.True(OciRunHarness.Eventually(() => Count() > afterRestore + 2, 100), "the restored counter does not count");
            Assert.Equal("start", Pod("exec", id, "cat", "/tmp/starts").Stdout.Trim());
        }
        finally
        {
            Pod("rm", "-a", "-f");
            Pod("rmi", "-a", "-f");
            EngineTests.RemoveEngineDirectory(dir);
            foreach (var cgroup in conmonCgroups.Where(Directory.Exists))
            {
                try
                {
                    foreach (var child in Directory.GetDirectories(cgroup)) Directory.Delete(child);
                    Directory.Delete(cgroup);
                }
                catch (IOException) { }
            }
        }
    }
}

/// <summary>A checkpoint/restore test through an engine: skipped, with the reason, without CRIU or the engine.</summary>
public sealed class CriuEngineFactAttribute : FactAttribute
{
    public CriuEngineFactAttribute(string package, params string[] programs)
    {
        Skip = CriuForTests.Missing
               ?? (programs.All(File.Exists) ? null : $"{string.Join(", ", programs.Where(p => !File.Exists(p)))} missing (apt-get install {package})");
    }
}
