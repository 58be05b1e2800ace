using System.Diagnostics;
using Oci.Runtime.Spec;
using Oci.Runtime.Tests.Integration.Cgroups;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Security;

/// <summary>
/// A command killed with SIGKILL at any moment leaves nothing that <c>delete --force</c> cannot remove: no state
/// directory, no cgroup in any hierarchy, no process (frozen or not), no mount. Each test is a bounded loop of
/// attempts whose kill delays are spread over the command's run time; every attempt is checked and the test reports
/// all that failed.
/// </summary>
public sealed class FaultTests
{
    /// <summary>create, killed 2 to 50 ms after it starts (it takes ~25 ms here), then <c>delete --force</c>. The
    /// container's cgroup is nested under a parent the create makes, so that the parent must go too.</summary>
    [ContainerFact]
    public void Kill_during_create_then_delete_force_leaves_nothing()
    {
        using var h = new OciRunHarness();
        using var tracker = new ProcessTracker();
        string parent = "oci-run-fault-" + Guid.NewGuid().ToString("N")[..8];
        var problems = new List<string>();
        const int attempts = 40;
        int killed = 0;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            double delay = 2 + 48.0 * attempt / (attempts - 1);
            string id = h.NewId("fault");
            var spec = Faults.Spec(id, "sleep", "1000");
            spec.Linux!.CgroupsPath = $"/{parent}/{id}";
            string bundle = h.WriteBundle(spec);
            if (tracker.RunAndKill(h, delay, "create", "--bundle", bundle, id)) killed++;
            var deleted = h.Run("delete", "--force", id);
            var found = Faults.Leftovers(h, id, [$"/{parent}/{id}", $"/{parent}"], tracker);
            if (deleted.ExitCode != 0 && !deleted.Stderr.Contains("does not exist", StringComparison.Ordinal))
                found.Add($"delete --force failed: {deleted}");
            Faults.Record(problems, $"attempt {attempt}, create killed after {delay:F1} ms", found);
            Faults.CleanUp(h, id, [$"/{parent}/{id}", $"/{parent}"]);
        }
        Assert.True(problems.Count == 0, $"{problems.Count} of {attempts} attempts ({killed} killed before create finished) left something:\n" + string.Join('\n', problems));
    }

    /// <summary>A create killed while its createRuntime hook runs: init exists, in its cgroups, and state.json
    /// does not. <c>delete</c>, with or without <c>--force</c>, removes everything and runs the poststop hooks, as
    /// the create would have done had it failed there.</summary>
    [ContainerTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Delete_of_a_container_whose_create_died_removes_everything(bool force)
    {
        using var h = new OciRunHarness();
        using var tracker = new ProcessTracker();
        string hooks = Path.Combine(h.Root, "hooks");
        Directory.CreateDirectory(hooks);
        string ready = Path.Combine(hooks, "ready"), release = Path.Combine(hooks, "release"), poststop = Path.Combine(hooks, "poststop");
        Interop.Sys.Mkfifo(release, 0x180);
        string id = h.NewId("fault");
        var spec = Faults.Spec(id, "sleep", "1000");
        spec.Hooks = new Hooks
        {
            CreateRuntime = [new Hook { Path = "/bin/sh", Args = ["sh", "-c", $"touch {ready}; read x < {release}"], Timeout = 600 }],
            Poststop = [new Hook { Path = "/bin/sh", Args = ["sh", "-c", $"touch {poststop}"] }],
        };
        string bundle = h.WriteBundle(spec);
        using (var create = tracker.Start(h, ["create", "--bundle", bundle, id]))
        {
            bool hooked = OciRunHarness.Eventually(() => File.Exists(ready) || create.HasExited);
            Interop.Sys.Kill(create.Id, 9);
            create.WaitForExit();
            Assert.True(hooked && File.Exists(ready), "the createRuntime hook never ran");
        }
        // The hook outlives the runtime that ran it (as with runc): end it, so that what is left is what delete must
        // remove.
        Interop.Sys.Close(Interop.Sys.Open(release, Interop.Sys.O_WRONLY));
        Assert.True(Directory.Exists(Path.Combine(h.StateRoot, id)), "the killed create left no state directory: nothing was tested");

        CommandResult deleted;
        List<string> found;
        try
        {
            deleted = force ? h.Run("delete", "--force", id) : h.Run("delete", id);
            found = Faults.Leftovers(h, id, ["/" + id], tracker);
        }
        finally
        {
            Faults.CleanUp(h, id, ["/" + id]);
        }
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.True(found.Count == 0, string.Join('\n', found));
        Assert.True(File.Exists(poststop), "the poststop hook did not run");
    }

    /// <summary>delete --force of a paused container, killed at various points, then delete --force again: nothing
    /// is left, and nothing stays frozen.</summary>
    [ContainerFact]
    public void Kill_during_delete_of_a_paused_container_then_delete_again_leaves_nothing()
    {
        using var h = new OciRunHarness();
        using var tracker = new ProcessTracker();
        var problems = new List<string>();
        const int attempts = 24;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            double delay = 12.0 * attempt / (attempts - 1);
            string id = h.NewId("fault");
            tracker.Run(h, "run", "-d", "--bundle", h.WriteBundle(Faults.Spec(id, "sh", "-c", "sleep 1000 & sleep 1000")), id);
            tracker.Run(h, "pause", id);
            tracker.RunAndKill(h, delay, "delete", "--force", id);
            var deleted = h.Run("delete", "--force", id);
            var found = Faults.Leftovers(h, id, ["/" + id], tracker);
            if (deleted.ExitCode != 0 && !deleted.Stderr.Contains("does not exist", StringComparison.Ordinal))
                found.Add($"second delete --force failed: {deleted}");
            Faults.Record(problems, $"attempt {attempt}, delete killed after {delay:F1} ms", found);
            Faults.CleanUp(h, id, ["/" + id]);
        }
        Assert.True(problems.Count == 0, $"{problems.Count} of {attempts} attempts left something:\n" + string.Join('\n', problems));
    }

    /// <summary>exec and start, killed at various points, then <c>delete --force</c> of the container.</summary>
    [ContainerTheory]
    [InlineData("exec")]
    [InlineData("start")]
    public void Kill_during_exec_or_start_then_delete_force_leaves_nothing(string command)
    {
        using var h = new OciRunHarness();
        using var tracker = new ProcessTracker();
        var problems = new List<string>();
        const int attempts = 20;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            double delay = 15.0 * attempt / (attempts - 1);
            string id = h.NewId("fault");
            string bundle = h.WriteBundle(Faults.Spec(id, "sleep", "1000"));
            if (command == "exec") tracker.Run(h, "run", "-d", "--bundle", bundle, id);
            else tracker.Run(h, "create", "--bundle", bundle, id);
            if (command == "exec") tracker.RunAndKill(h, delay, "exec", id, "sleep", "1000");
            else tracker.RunAndKill(h, delay, "start", id);
            var deleted = h.Run("delete", "--force", id);
            var found = Faults.Leftovers(h, id, ["/" + id], tracker);
            if (deleted.ExitCode != 0) found.Add($"delete --force failed: {deleted}");
            Faults.Record(problems, $"attempt {attempt}, {command} killed after {delay:F1} ms", found);
            Faults.CleanUp(h, id, ["/" + id]);
        }
        Assert.True(problems.Count == 0, $"{problems.Count} of {attempts} attempts left something:\n" + string.Join('\n', problems));
    }
}

/// <summary>What the fault tests look for, and how they clean up after a failed attempt.</summary>
internal static class Faults
{
    /// <summary>The container's processes carry this variable (from the config's environment), so that they can be
    /// found after the runtime that made them is gone.</summary>
    const string MarkerVariable = "OCI_RUN_FAULT_TEST";

    public static RuntimeSpec Spec(string id, params string[] args)
    {
        var spec = OciRunHarness.NewSpec(args);
        spec.Process!.Env = [.. spec.Process.Env ?? [], $"{MarkerVariable}={id}"];
        return spec;
    }

    /// <summary>Everything of container <paramref name="id"/> still on the host.</summary>
    public static List<string> Leftovers(OciRunHarness h, string id, IReadOnlyList<string> cgroups, ProcessTracker tracker)
    {
        var found = new List<string>();
        string state = Path.Combine(h.StateRoot, id);
        if (Directory.Exists(state))
            found.Add($"state directory {state} [{string.Join(", ", Directory.GetFileSystemEntries(state).Select(Path.GetFileName))}]");
        foreach (var cgroup in cgroups)
            foreach (var dir in CgroupHost.Leftovers(cgroup))
            {
                string? freezer = File.Exists(Path.Combine(dir, "freezer.state")) ? File.ReadAllText(Path.Combine(dir, "freezer.state")).Trim() : null;
                found.Add($"cgroup {dir}" + (freezer is null ? "" : $" ({freezer})"));
            }
        // Processes the commands started exit on their own once the command is gone: give them a moment.
        if (!OciRunHarness.Eventually(() => tracker.LiveProcesses().Count == 0 && MarkedProcesses(id).Count == 0, attempts: 100))
        {
            foreach (int pid in tracker.LiveProcesses()) found.Add($"process {Describe(pid)} started by a command, never in the container's cgroup");
            foreach (int pid in MarkedProcesses(id)) found.Add($"container process {Describe(pid)}");
        }
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo"))
            if (line.Contains(id, StringComparison.Ordinal)) found.Add($"mount {line}");
        return found;
    }

    public static void Record(List<string> problems, string attempt, List<string> found)
    {
        if (found.Count > 0) problems.Add($"{attempt}:\n    {string.Join("\n    ", found)}");
    }

    /// <summary>Removes what a failed attempt left, so that the host stays clean and later attempts are judged on
    /// their own: kills the container's processes, thaws and removes its cgroups and its state.</summary>
    public static void CleanUp(OciRunHarness h, string id, IReadOnlyList<string> cgroups)
    {
        foreach (int pid in MarkedProcesses(id)) Interop.Sys.Kill(pid, 9);
        foreach (var cgroup in cgroups)
            foreach (var dir in CgroupHost.Leftovers(cgroup))
            {
                foreach (var procs in Directory.EnumerateFiles(dir, "cgroup.procs", SearchOption.AllDirectories))
                    foreach (var line in File.ReadAllLines(procs))
                        if (int.TryParse(line, out int pid)) Interop.Sys.Kill(pid, 9);
                foreach (var freezer in Directory.EnumerateFiles(dir, "freezer.state", SearchOption.AllDirectories))
                    File.WriteAllText(freezer, "THAWED");
            }
        foreach (var cgroup in cgroups)
            foreach (var dir in CgroupHost.Leftovers(cgroup))
                foreach (var d in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(dir))
                    OciRunHarness.Eventually(() => TryRmdir(d), attempts: 50);
        string state = Path.Combine(h.StateRoot, id);
        if (Directory.Exists(state)) Directory.Delete(state, recursive: true);
    }

    static bool TryRmdir(string dir)
    {
        try
        {
            Directory.Delete(dir);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Live processes whose environment holds the marker of <paramref name="id"/>.</summary>
    static List<int> MarkedProcesses(string id)
    {
        var marker = System.Text.Encoding.UTF8.GetBytes($"{MarkerVariable}={id}\0");
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || IsZombie(pid)) continue;
            try
            {
                if (File.ReadAllBytes(Path.Combine(dir, "environ")).AsSpan().IndexOf(marker) >= 0) pids.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return pids;
    }

    internal static bool IsZombie(int pid)
    {
        try
        {
            return ProcStat.Of($"/proc/{pid}/stat").State is 'Z' or 'X';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return true;
        }
    }

    static string Describe(int pid)
    {
        try
        {
            var stat = ProcStat.Of($"/proc/{pid}/stat");
            string cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            return $"{pid} ({cmdline}, state {stat.State}, parent {stat.ParentPid})";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>
/// A cgroup2 group that the commands of a test start in. A process a command starts stays in it unless the runtime
/// moves it into a container's cgroup, so a live process here after the command is gone is one that the runtime
/// left outside every container.
/// </summary>
internal sealed class ProcessTracker : IDisposable
{
    readonly string dir;

    public ProcessTracker()
    {
        string hierarchy = File.Exists("/sys/fs/cgroup/unified/cgroup.procs") ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup";
        dir = Path.Combine(hierarchy, "oci-run-fault-tracker-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
    }

    /// <summary>Starts oci-run with <paramref name="args"/> in this group, its standard error to
    /// <paramref name="errors"/> (or nowhere) and no other standard stream: a container's process inherits them,
    /// and a pipe it held would keep a reader waiting.</summary>
    public System.Diagnostics.Process Start(OciRunHarness h, string[] args, string errors = "/dev/null")
    {
        var start = new ProcessStartInfo("sh") { UseShellExecute = false };
        start.Environment["OCI_RUN_ERRORS"] = errors;
        // The shell joins the group and becomes oci-run: its pid is oci-run's, and what oci-run starts starts here.
        foreach (var arg in (string[])["-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\" </dev/null >/dev/null 2>\"$OCI_RUN_ERRORS\"", dir,
                     TestPaths.OciRunBinary, "--root", h.StateRoot, .. args])
            start.ArgumentList.Add(arg);
        return System.Diagnostics.Process.Start(start)!;
    }

    /// <summary>Runs oci-run with <paramref name="args"/> in this group to its end and asserts that it succeeded.</summary>
    public void Run(OciRunHarness h, params string[] args)
    {
        string errors = Path.Combine(h.Root, "errors-" + Guid.NewGuid().ToString("N")[..8]);
        using var process = Start(h, args, errors);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"oci-run {string.Join(' ', args)}: exit {process.ExitCode}: {File.ReadAllText(errors)}");
    }

    /// <summary>Runs oci-run with <paramref name="args"/> in this group and kills it with SIGKILL
    /// <paramref name="delayMilliseconds"/> after starting it. Returns whether it was still running then.</summary>
    public bool RunAndKill(OciRunHarness h, double delayMilliseconds, params string[] args)
    {
        var clock = Stopwatch.StartNew();
        using var process = Start(h, args);
        while (clock.Elapsed.TotalMilliseconds < delayMilliseconds && !process.HasExited) Thread.SpinWait(100);
        bool running = !process.HasExited;
        if (running) Interop.Sys.Kill(process.Id, 9);
        process.WaitForExit();
        return running;
    }

    /// <summary>Live (not zombie) processes in the group.</summary>
    public List<int> LiveProcesses() =>
        File.ReadAllLines(Path.Combine(dir, "cgroup.procs")).Select(int.Parse).Where(pid => !Faults.IsZombie(pid)).ToList();

    public void Dispose()
    {
        foreach (int pid in LiveProcesses()) Interop.Sys.Kill(pid, 9);
        OciRunHarness.Eventually(() =>
        {
            try
            {
                Directory.Delete(dir);
                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }, attempts: 100);
    }
}
