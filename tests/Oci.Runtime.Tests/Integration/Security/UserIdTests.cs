using Oci.Runtime.Spec;
using Oci.Runtime.Tests.Integration.ContainerEnvironment;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Security;

/// <summary>A uid or gid outside 0..2147483647 never reaches setresuid/setresgid/setgroups: (uid_t)-1 means
/// "unchanged" there, so 4294967295 ran as root, which is what init is. Refused as runc refuses it, naming the field
/// or the flag, before anything of the container (or the exec's process) is made.</summary>
public sealed class UserIdTests
{
    [ContainerTheory]
    [InlineData(4294967295u, 4294967295u, null, "process.user.uid")]
    [InlineData(1000u, 4294967295u, null, "process.user.gid")]
    [InlineData(2147483648u, 0u, null, "process.user.uid")]
    [InlineData(0u, 0u, 4294967295u, "process.user.additionalGids[1]")]
    public void An_id_out_of_range_in_the_config_is_refused(uint uid, uint gid, uint? extraGid, string field)
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("id");
        spec.Process!.User = new User { Uid = uid, Gid = gid, AdditionalGids = extraGid is { } g ? [10, g] : null };
        var result = Env.Fails(h, spec, field, "0-2147483647");
        Assert.DoesNotContain("uid=", result.Stdout);
    }

    [ContainerFact]
    public void The_largest_id_in_range_is_used_as_given()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("sh", "-c", "id -u; id -g");
        spec.Process!.User = new User { Uid = 2147483647, Gid = 2147483647 };
        Assert.Equal("2147483647\n2147483647\n", Env.Output(h, spec));
    }

    [ContainerTheory]
    [InlineData("--user", "-u", "4294967295:4294967295")]
    [InlineData("--user", "-u", "4294967295")]
    [InlineData("--user", "-u", "0:4294967295")]
    [InlineData("--user", "--user", "2147483648")]
    [InlineData("--additional-gids", "--additional-gids", "4294967295")]
    public void An_id_out_of_range_on_execs_command_line_is_refused(string flagName, string flag, string value)
    {
        using var h = new OciRunHarness();
        string id = Running(h);
        var result = h.Run("exec", flag, value, id, "id");
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains(flagName, result.Stderr);
        Assert.Contains("0-2147483647", result.Stderr);
        Assert.DoesNotContain("uid=", result.Stdout);
        AssertOnlyInit(h, id);
    }

    [ContainerTheory]
    [InlineData("""{ "uid": 4294967295, "gid": 4294967295 }""", "process.user.uid")]
    [InlineData("""{ "uid": 0, "gid": 2147483648 }""", "process.user.gid")]
    [InlineData("""{ "uid": 0, "gid": 0, "additionalGids": [4294967295] }""", "process.user.additionalGids[0]")]
    public void An_id_out_of_range_in_execs_process_file_is_refused(string user, string field)
    {
        using var h = new OciRunHarness();
        string id = Running(h);
        string file = Path.Combine(h.Root, "process.json");
        File.WriteAllText(file, $$"""{ "args": ["id"], "cwd": "/", "user": {{user}} }""");
        var result = h.Run("exec", "--process", file, id);
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains(field, result.Stderr);
        Assert.Contains("0-2147483647", result.Stderr);
        Assert.DoesNotContain("uid=", result.Stdout);
        AssertOnlyInit(h, id);
    }

    /// <summary>A started container whose process sleeps.</summary>
    static string Running(OciRunHarness h)
    {
        string id = h.Create(OciRunHarness.NewSpec("sleep", "1000"));
        var started = h.Run("start", id);
        Assert.True(started.ExitCode == 0, started.ToString());
        return id;
    }

    /// <summary>The refused exec left no process in the container: only its init remains.</summary>
    static void AssertOnlyInit(OciRunHarness h, string id)
    {
        var ps = h.Run("ps", "--format", "json", id);
        Assert.True(ps.ExitCode == 0, ps.ToString());
        Assert.Equal($"[{h.State(id).Pid}]", ps.Stdout.Trim());
    }
}
