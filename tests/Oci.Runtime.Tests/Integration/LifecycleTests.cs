using System.Text.Json.Nodes;
using Xunit;

namespace Oci.Runtime.Tests.Integration;

/// <summary>The OCI lifecycle through the command line: create, state, start, kill, delete, run, list.</summary>
public sealed class LifecycleTests
{
    [ContainerFact]
    public void Create_state_start_stop_delete()
    {
        using var h = new OciRunHarness();
        string pidFile = Path.Combine(h.Root, "init.pid");
        string marker = "/dev/shm/started";
        var spec = OciRunHarness.NewSpec("sh", "-c", $"touch {marker}; sleep 1000");
        string id = h.NewId();
        var created = h.Run("create", "--bundle", h.WriteBundle(spec), "--pid-file", pidFile, id);
        Assert.True(created.ExitCode == 0, created.ToString());

        var state = h.State(id);
        Assert.Equal("created", state.Status);
        Assert.Equal(id, state.Id);
        // The pid file holds the bare pid, no newline (go-runc parses it with Atoi).
        Assert.Equal(state.Pid.ToString(), File.ReadAllText(pidFile));
        // The user's process has not run: init still waits on the exec fifo.
        Assert.Contains("init", File.ReadAllText($"/proc/{state.Pid}/cmdline"));

        var started = h.Run("start", id);
        Assert.True(started.ExitCode == 0, started.ToString());
        Assert.True(OciRunHarness.Eventually(() => File.ReadAllText($"/proc/{state.Pid}/cmdline").StartsWith("sleep", StringComparison.Ordinal)));
        Assert.Equal("running", h.State(id).Status);
        Assert.Contains("cannot start an already running container", h.Run("start", id).Stderr);
        var running = h.Run("delete", id);
        Assert.NotEqual(0, running.ExitCode);
        Assert.Contains($"cannot delete container {id} that is not stopped: running", running.Stderr);

        Assert.Equal(0, h.Run("kill", id, "KILL").ExitCode);
        Assert.True(OciRunHarness.Eventually(() => h.State(id).Status == "stopped"));
        Assert.Equal(0, h.State(id).Pid);
        Assert.Contains("container not running", h.Run("kill", id, "TERM").Stderr);

        var deleted = h.Run("delete", id);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Empty(h.LeftoverState());
        Assert.Contains("container does not exist", h.Run("state", id).Stderr);
    }

    [ContainerFact]
    public void A_created_container_is_deleted_without_force()
    {
        using var h = new OciRunHarness();
        string id = h.Create(OciRunHarness.NewSpec("sleep", "1000"));
        int pid = h.State(id).Pid!.Value;
        var deleted = h.Run("delete", id);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.True(OciRunHarness.Eventually(() => !IsLiveProcess(pid)));
        Assert.Empty(h.LeftoverState());
        Assert.False(Directory.Exists($"/sys/fs/cgroup/pids/{id}"));
    }

    [ContainerFact]
    public void Run_returns_137_when_the_container_is_killed()
    {
        using var h = new OciRunHarness();
        string id = h.NewId();
        using var run = h.Start("run", "--bundle", h.WriteBundle(OciRunHarness.NewSpec("sleep", "1000")), id);
        Assert.True(OciRunHarness.Eventually(() => h.Run("state", id) is { ExitCode: 0 } r && r.Stdout.Contains("\"running\"")),
            "the container never reached running");
        Assert.Equal(0, h.Run("kill", id, "KILL").ExitCode);
        run.WaitForExit();
        Assert.Equal(137, run.ExitCode);
        // run deletes the container after it exits (no --keep).
        Assert.True(OciRunHarness.Eventually(() => h.LeftoverState().Count == 0));
    }

    [ContainerFact]
    public void Kill_without_a_signal_sends_the_stop_signal_annotation()
    {
        using var h = new OciRunHarness();
        string id = h.NewId();
        var spec = OciRunHarness.NewSpec("sh", "-c", "trap 'exit 42' USR1; trap 'exit 43' TERM; echo ready; while :; do sleep 0.05; done");
        spec.Annotations = new() { ["org.opencontainers.image.stopSignal"] = "SIGUSR1" };
        using var run = h.Start("run", "--bundle", h.WriteBundle(spec), id);
        Assert.Equal("ready", run.StandardOutput.ReadLine());
        var killed = h.Run("kill", id);
        Assert.True(killed.ExitCode == 0, killed.ToString());
        run.WaitForExit();
        Assert.Equal(42, run.ExitCode);
    }

    [ContainerFact]
    public void A_stop_signal_annotation_that_is_no_signal_is_refused_at_create()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("true");
        spec.Annotations = new() { ["org.opencontainers.image.stopSignal"] = "SIGNOPE" };
        var result = h.Run("create", "--bundle", h.WriteBundle(spec), h.NewId());
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("annotations['org.opencontainers.image.stopSignal']", result.Stderr);
        Assert.Contains("SIGNOPE", result.Stderr);
        Assert.Empty(h.LeftoverState());
    }

    [ContainerFact]
    public void Kill_all_reaches_every_process_of_the_container()
    {
        using var h = new OciRunHarness();
        string id = h.NewId();
        var spec = OciRunHarness.NewSpec("sh", "-c", "trap '' TERM; sleep 1000 & sleep 1000 & wait");
        Assert.Equal(0, h.Run("run", "-d", "--bundle", h.WriteBundle(spec), id).ExitCode);
        string procs = $"/sys/fs/cgroup/pids/{id}/cgroup.procs";
        Assert.True(OciRunHarness.Eventually(() => File.ReadAllLines(procs).Length == 3), "expected sh and two sleeps");
        var pids = File.ReadAllLines(procs).Select(int.Parse).ToArray();
        Assert.Equal(0, h.Run("kill", "--all", id, "SIGKILL").ExitCode);
        Assert.True(OciRunHarness.Eventually(() => pids.All(p => !IsLiveProcess(p))));
        Assert.True(OciRunHarness.Eventually(() => h.State(id).Status == "stopped"));
    }

    [ContainerFact]
    public void List_shows_every_container_in_the_root()
    {
        using var h = new OciRunHarness();
        string a = h.Create(OciRunHarness.NewSpec("sleep", "1000"));
        string b = h.Create(OciRunHarness.NewSpec("sleep", "1000"));
        Assert.Equal(0, h.Run("start", b).ExitCode);

        var quiet = h.Run("list", "-q");
        Assert.Equal(new[] { a, b }.Order(), quiet.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());

        var json = JsonNode.Parse(h.Run("list", "--format", "json").Stdout)!.AsArray();
        Assert.Equal("created", json.Single(c => (string?)c!["id"] == a)!["status"]!.GetValue<string>());
        Assert.True(OciRunHarness.Eventually(() => h.State(b).Status == "running"));

        var table = h.Run("list").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER$", table[0]);
        Assert.Contains(table, line => line.StartsWith(a, StringComparison.Ordinal) && line.Contains(" created "));
    }

    [ContainerFact]
    public void Two_containers_are_created_concurrently()
    {
        using var h = new OciRunHarness();
        var bundles = Enumerable.Range(0, 4).Select(_ => h.WriteBundle(OciRunHarness.NewSpec("sleep", "1000"))).ToArray();
        var ids = bundles.Select(_ => h.NewId()).ToArray();
        var results = new CommandResult[bundles.Length];
        Parallel.For(0, bundles.Length, new ParallelOptions { MaxDegreeOfParallelism = bundles.Length },
            i => results[i] = h.Run("create", "--bundle", bundles[i], ids[i]));
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.All(ids, id => Assert.Equal("created", h.State(id).Status));
        Assert.Equal(ids.Length, ids.Select(id => h.State(id).Pid).Distinct().Count());
    }

    [ContainerFact]
    public void Exec_runs_a_process_in_the_containers_namespaces()
    {
        using var h = new OciRunHarness();
        string id = h.NewId();
        var spec = OciRunHarness.NewSpec("sleep", "1000");
        spec.Hostname = "exec-target";
        Assert.Equal(0, h.Run("run", "-d", "--bundle", h.WriteBundle(spec), id).ExitCode);
        var result = h.Run("exec", "--user", "1000:1000", "--env", "EXTRA=1", id, "sh", "-c", "hostname; id -u; echo $EXTRA; exit 5");
        Assert.Equal(5, result.ExitCode);
        Assert.Equal(["exec-target", "1000", "1"], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [ContainerFact]
    public void With_the_cgroup_manager_disabled_no_cgroup_is_made_and_resources_are_ignored()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("cat", "/proc/self/cgroup");
        spec.Linux!.Resources = new Oci.Runtime.Spec.LinuxResources { Pids = new Oci.Runtime.Spec.LinuxPids { Limit = 5 } };
        spec.Linux.Namespaces!.RemoveAll(n => n.Type == "cgroup");
        string id = h.NewId();
        var result = h.RunWithGlobal(["--cgroup-manager=disabled"], ["run", "--bundle", h.WriteBundle(spec), id]);
        Assert.True(result.ExitCode == 0, result.ToString());
        // The container stays in the caller's cgroups: none of its lines names the container.
        Assert.DoesNotContain(id, result.Stdout);
        Assert.False(Directory.Exists($"/sys/fs/cgroup/pids/{id}"));
    }

    internal static bool IsLiveProcess(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
