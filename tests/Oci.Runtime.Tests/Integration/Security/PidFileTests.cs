using Xunit;

namespace Oci.Runtime.Tests.Integration.Security;

/// <summary><c>--pid-file</c> is written by root into a directory that someone else may be able to write (a shim's
/// or a user's work directory). A symlink planted there, at the temporary name the runtime used to use
/// (<c>.NAME.tmp</c>) or at the pid file's own name, must never make the runtime write through it.</summary>
public sealed class PidFileTests
{
    const string Precious = "precious contents\n";

    [ContainerTheory]
    [InlineData("create")]
    [InlineData("run")]
    public void A_symlink_at_the_old_temporary_name_is_not_written_through(string command)
    {
        using var h = new OciRunHarness();
        var (directory, victim) = Setup(h);
        string pidFile = Path.Combine(directory, "container.pid");
        File.CreateSymbolicLink(Path.Combine(directory, ".container.pid.tmp"), victim);
        string id = h.NewId();
        string[] args = command == "run"
            ? ["run", "--detach", "--pid-file", pidFile, "--bundle", h.WriteBundle(OciRunHarness.NewSpec("sleep", "1000")), id]
            : ["create", "--pid-file", pidFile, "--bundle", h.WriteBundle(OciRunHarness.NewSpec("sleep", "1000")), id];
        var result = h.Run(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Precious, File.ReadAllText(victim));
        Assert.Equal(h.State(id).Pid.ToString(), File.ReadAllText(pidFile));
        AssertOnly(directory, "container.pid", ".container.pid.tmp");
    }

    [ContainerFact]
    public void A_symlink_at_the_pid_files_name_is_replaced_not_followed()
    {
        using var h = new OciRunHarness();
        var (directory, victim) = Setup(h);
        string pidFile = Path.Combine(directory, "container.pid");
        File.CreateSymbolicLink(pidFile, victim);
        string id = h.NewId();
        var result = h.Run("create", "--pid-file", pidFile, "--bundle", h.WriteBundle(OciRunHarness.NewSpec("sleep", "1000")), id);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Precious, File.ReadAllText(victim));
        Assert.Null(new FileInfo(pidFile).LinkTarget);
        Assert.Equal(h.State(id).Pid.ToString(), File.ReadAllText(pidFile));
        AssertOnly(directory, "container.pid");
    }

    [ContainerFact]
    public void Execs_pid_file_does_not_write_through_a_planted_symlink()
    {
        using var h = new OciRunHarness();
        var (directory, victim) = Setup(h);
        string id = h.Create(OciRunHarness.NewSpec("sleep", "1000"));
        Assert.Equal(0, h.Run("start", id).ExitCode);
        string pidFile = Path.Combine(directory, "exec.pid");
        File.CreateSymbolicLink(Path.Combine(directory, ".exec.pid.tmp"), victim);
        var result = h.Run("exec", "--detach", "--pid-file", pidFile, id, "sleep", "1000");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Precious, File.ReadAllText(victim));
        int pid = int.Parse(File.ReadAllText(pidFile));
        Assert.Contains("sleep", File.ReadAllText($"/proc/{pid}/cmdline"));
        AssertOnly(directory, "exec.pid", ".exec.pid.tmp");
    }

    [ContainerFact]
    public void A_pid_file_in_a_missing_directory_fails_naming_the_flag_and_leaves_nothing()
    {
        using var h = new OciRunHarness();
        string id = h.NewId();
        string pidFile = Path.Combine(h.Root, "no-such-directory", "container.pid");
        var result = h.Run("create", "--pid-file", pidFile, "--bundle", h.WriteBundle(OciRunHarness.NewSpec("sleep", "1000")), id);
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains("--pid-file", result.Stderr);
        Assert.Contains(pidFile, result.Stderr);
        ContainerEnvironment.Env.AssertNothingLeft(h, id);
    }

    /// <summary>A directory for the pid file and, outside it, a file that a planted symlink points to.</summary>
    static (string Directory, string Victim) Setup(OciRunHarness h)
    {
        string directory = Path.Combine(h.Root, "pids");
        Directory.CreateDirectory(directory);
        string victim = Path.Combine(h.Root, "victim");
        File.WriteAllText(victim, Precious);
        return (directory, victim);
    }

    /// <summary>The directory holds exactly these names: no temporary file is left behind.</summary>
    static void AssertOnly(string directory, params string[] names) =>
        Assert.Equal(names.Order(StringComparer.Ordinal), Directory.GetFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
}
