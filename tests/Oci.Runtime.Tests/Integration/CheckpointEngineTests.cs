using Xunit;

namespace Oci.Runtime.Tests.Integration;

/// <summary>podman's <c>container checkpoint</c> and <c>container restore</c> with oci-run as podman's runtime (a
/// private podman as in <see cref="EngineTests"/>), and containerd's (a private containerd as in
/// <see cref="ContainerdTests"/>, oci-run as the runc v2 shim's binary), with the CRIU of <see cref="CriuForTests"/>
/// on the engine's PATH as <c>criu</c>, as the runtime looks for it.</summary>
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

    /// <summary>
    /// containerd 1.6 restores a task only through <c>ctr containers restore --live</c>, which takes the checkpoint's
    /// image, spec and runtime from the annotations that <c>ctr containers checkpoint --task</c> writes into its index
    /// (<c>org.opencontainers.image.ref.name</c>, <c>io.containerd.checkpoint.runtime</c>, ...). <c>ctr tasks
    /// checkpoint</c> names the image <c>image.name</c> instead, so its checkpoints fail there with "image name not
    /// found in index": that pairing is containerd's, not the runtime's. The container comes from a locally imported
    /// image; <c>--rw</c> carries its writable layer (the counter's files) along.
    /// </summary>
    [CriuEngineFact("containerd", "/usr/bin/containerd", "/usr/bin/ctr", "/usr/bin/containerd-shim-runc-v2")]
    public void Containerd_checkpoints_a_task_and_restores_it_counting_on()
    {
        string dir = Path.Combine(Path.GetTempPath(), "oci-run-ctrd-cr-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        File.CreateSymbolicLink(Path.Combine(dir, "bin", "criu"), CriuForTests.Path);
        // containerd unpacks a checkpoint to restore into a directory of $XDG_RUNTIME_DIR and leaves it there.
        Directory.CreateDirectory(Path.Combine(dir, "xdg"));
        using var containerd = new ContainerdTests.PrivateContainerd(environment: new Dictionary<string, string>
        {
            ["PATH"] = $"{dir}/bin:{Environment.GetEnvironmentVariable("PATH")}",
            ["XDG_RUNTIME_DIR"] = Path.Combine(dir, "xdg"),
        });
        const string image = "localhost/oci-run-busybox:cr";
        // Unique per run: containerd stores the checkpoint's spec as content, and a spec already in the store (the
        // same id and command checkpointed before) makes the task's part of the checkpoint vanish from its index.
        string id = "oci-run-cr-" + Guid.NewGuid().ToString("N")[..8];
        string checkpointRef = $"localhost/{id}:checkpoint";
        int execs = 0;
        long Count() => long.TryParse(containerd.Ctr("task", "exec", "--exec-id", $"count{++execs}", id, "cat", "/tmp/count").Stdout.Trim(), out long n) ? n : -1;
        bool TaskIs(string status) => System.Text.RegularExpressions.Regex.IsMatch(containerd.Ctr("task", "ls").Stdout, $@"{id}\s+\d+\s+{status}");
        void RemoveTask()
        {
            containerd.Ctr("task", "kill", "-s", "KILL", id);
            OciRunHarness.Eventually(() => !TaskIs("RUNNING"));
            containerd.Ctr("task", "delete", "--force", id);
            containerd.Ctr("container", "delete", id);
        }
        try
        {
            var import = containerd.Ctr("images", "import", CriTests.ImageArchive(dir, image, BusyboxRootfs.Path, ["sh"]));
            Assert.True(import.ExitCode == 0, import.ToString());
            var run = containerd.Ctr("run", "-d", "--runc-binary", TestPaths.OciRunBinary, image, id, "sh", "-c",
                "echo start >> /tmp/starts; i=0; while true; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; usleep 50000; done");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.True(OciRunHarness.Eventually(() => Count() >= 3, 100), "the counter never counted\n" + containerd.Log);

            // ctr pauses the task, the shim runs `oci-run checkpoint --leave-running`, and the task is resumed.
            long beforeCheckpoint = Count();
            var checkpoint = containerd.Ctr("containers", "checkpoint", "--task", "--rw", id, checkpointRef);
            Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
            var index = containerd.Ctr("content", "get", containerd.Ctr("images", "ls").Stdout.Split('\n')
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).First(f => f.Length > 2 && f[0] == checkpointRef)[2]);
            Assert.Contains("application/vnd.containerd.container.criu.checkpoint.criu.tar", index.Stdout);
            Assert.True(TaskIs("RUNNING"), "the task does not run on after its checkpoint");
            RemoveTask();

            // The shim runs `oci-run restore --detach --pid-file ... -no-subreaper` with the checkpoint's images.
            var restore = containerd.Ctr("containers", "restore", "--live", "--rw", id, checkpointRef);
            Assert.True(restore.ExitCode == 0, restore.ToString() + "\n" + containerd.Log);
            Assert.True(TaskIs("RUNNING"), containerd.Ctr("task", "ls").ToString());
            long afterRestore = Count();
            Assert.True(afterRestore >= beforeCheckpoint, $"the restored counter is at {afterRestore}, before the checkpoint it was at {beforeCheckpoint}");
            Assert.True(OciRunHarness.Eventually(() => Count() > afterRestore + 2, 100), "the restored counter does not count");
            // A counter started afresh would have left a second line.
            Assert.Equal("start", containerd.Ctr("task", "exec", "--exec-id", "starts", id, "cat", "/tmp/starts").Stdout.Trim());
            // It is oci-run's container, under the shim's root.
            var state = EngineTests.Exec(TestPaths.OciRunBinary, ["--root", $"/run/containerd/runc/{ContainerdTests.PrivateContainerd.Namespace}", "state", id]);
            Assert.True(state.ExitCode == 0 && state.Stdout.Contains("\"running\""), state.ToString());
        }
        finally
        {
            RemoveTask();
            EngineTests.RemoveEngineDirectory(dir);
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
