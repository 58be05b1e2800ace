using Xunit;

namespace Oci.Runtime.Tests.Integration;

/// <summary>What the container's process sees of its config: hostname, user, cwd, env, exit status.</summary>
public sealed class ProcessTests
{
    [ContainerFact]
    public void Hostname_is_the_configured_one()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("hostname");
        spec.Hostname = "box-under-test";
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("box-under-test", result.Stdout.Trim());
    }

    [ContainerFact]
    public void User_group_and_supplementary_groups_are_applied()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("sh", "-c", "grep -E '^(Uid|Gid|Groups):' /proc/self/status");
        spec.Process!.User = new Oci.Runtime.Spec.User { Uid = 1000, Gid = 1001, AdditionalGids = [10, 20] };
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"Uid:\s+1000\s+1000\s+1000\s+1000", result.Stdout);
        Assert.Matches(@"Gid:\s+1001\s+1001\s+1001\s+1001", result.Stdout);
        Assert.Matches(@"Groups:\s+10 20\s*\n", result.Stdout);
    }

    [ContainerFact]
    public void Working_directory_is_the_configured_one()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("pwd");
        spec.Process!.Cwd = "/etc";
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("/etc", result.Stdout.Trim());
    }

    [ContainerFact]
    public void Environment_is_exactly_the_configured_one_plus_home()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("env");
        spec.Process!.Env = ["PATH=/bin", "GREETING=hello world", "EMPTY="];
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToArray();
        // HOME comes from the container's /etc/passwd when the config has none, as runc does; nothing of the
        // runtime's own environment (such as its bootstrap variable) leaks in.
        Assert.Equal(["EMPTY=", "GREETING=hello world", "HOME=/root", "PATH=/bin"], lines);
    }

    [ContainerFact]
    public void Exit_status_of_the_process_is_returned_by_run()
    {
        using var h = new OciRunHarness();
        var result = h.RunContainer(OciRunHarness.NewSpec("sh", "-c", "exit 7"));
        Assert.Equal(7, result.ExitCode);
    }

    [ContainerFact]
    public void Umask_is_applied()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("sh", "-c", "umask");
        spec.Process!.User.Umask = 0x12; // 022
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("0022", result.Stdout.Trim());
    }

    [ContainerFact]
    public void A_missing_executable_fails_create_with_runc_words()
    {
        using var h = new OciRunHarness();
        var id = h.NewId();
        var result = h.Run("create", "--bundle", h.WriteBundle(OciRunHarness.NewSpec("no-such-program")), id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("executable file not found in $PATH", result.Stderr);
        Assert.Empty(h.LeftoverState());
    }
}
