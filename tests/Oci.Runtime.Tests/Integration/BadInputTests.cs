using System.Text.Json.Nodes;
using Oci.Runtime.Tests.Integration.ContainerEnvironment;
using Xunit;

namespace Oci.Runtime.Tests.Integration;

/// <summary>Bad input gets a clear error naming what is wrong, a non-zero exit, a JSON log line when asked, and
/// leaves nothing behind: no state directory, cgroup, process or fifo.</summary>
public sealed class BadInputTests
{
    [ContainerFact]
    public void Invalid_json_is_rejected_and_logged_as_json()
    {
        using var h = new OciRunHarness();
        string id = h.NewId();
        string log = Path.Combine(h.Root, "log.json");
        var result = h.RunWithGlobal(["--log", log, "--log-format", "json"], ["create", "--bundle", h.WriteBundle("{\"ociVersion\": "u8.ToArray()), id]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("malformed JSON", result.Stderr);
        var line = JsonNode.Parse(File.ReadAllLines(log).Last())!;
        Assert.Equal("error", line["level"]!.GetValue<string>());
        Assert.Contains("malformed JSON", line["msg"]!.GetValue<string>());
        Assert.True(DateTimeOffset.TryParse(line["time"]!.GetValue<string>(), out _));
        Env.AssertNothingLeft(h, id);
    }

    [ContainerFact]
    public void An_unknown_namespace_type_is_named_by_its_path()
    {
        using var h = new OciRunHarness();
        string id = h.NewId();
        var spec = OciRunHarness.NewSpec("true");
        spec.Linux!.Namespaces!.Add(new Oci.Runtime.Spec.LinuxNamespace { Type = "bogus" });
        var result = h.Run("create", "--bundle", h.WriteBundle(spec), id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"linux.namespaces[{spec.Linux.Namespaces.Count - 1}].type", result.Stderr);
        Assert.Contains("bogus", result.Stderr);
        Env.AssertNothingLeft(h, id);
    }

    [ContainerFact]
    public void A_failure_inside_init_leaves_nothing_behind()
    {
        using var h = new OciRunHarness();
        string id = h.NewId();
        var spec = OciRunHarness.NewSpec("true");
        spec.Mounts!.Add(new Oci.Runtime.Spec.Mount { Destination = "/mnt", Type = "bind", Source = "/does/not/exist", Options = ["bind"] });
        var result = h.Run("create", "--bundle", h.WriteBundle(spec), id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("mounts[", result.Stderr);
        Assert.Contains("/does/not/exist", result.Stderr);
        Env.AssertNothingLeft(h, id);
    }

    [ContainerFact]
    public void A_duplicate_id_is_refused_and_the_first_container_is_untouched()
    {
        using var h = new OciRunHarness();
        string id = h.Create(OciRunHarness.NewSpec("sleep", "1000"));
        var result = h.Run("create", "--bundle", h.WriteBundle(OciRunHarness.NewSpec("true")), id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"container with id exists: {id}", result.Stderr);
        Assert.Equal("created", h.State(id).Status);
    }

    [ContainerFact]
    public void Commands_on_an_unknown_container_say_it_does_not_exist()
    {
        using var h = new OciRunHarness();
        foreach (var command in new[] { new[] { "state", "nope" }, ["start", "nope"], ["kill", "nope", "KILL"], ["delete", "nope"] })
        {
            var result = h.Run(command);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("container does not exist", result.Stderr);
        }
        Assert.Equal(0, h.Run("delete", "--force", "nope").ExitCode);
    }

    [ContainerFact]
    public void An_unknown_signal_is_refused_and_the_container_keeps_running()
    {
        using var h = new OciRunHarness();
        string id = h.Create(OciRunHarness.NewSpec("sleep", "1000"));
        var result = h.Run("kill", id, "SIGBOGUS");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unknown signal", result.Stderr);
        Assert.Contains("SIGBOGUS", result.Stderr);
        Assert.Equal("created", h.State(id).Status);
    }

    [ContainerFact]
    public void A_missing_bundle_names_the_config_file()
    {
        using var h = new OciRunHarness();
        string id = h.NewId();
        var result = h.Run("create", "--bundle", "/nonexistent-bundle", id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("/nonexistent-bundle/config.json", result.Stderr);
        Env.AssertNothingLeft(h, id);
    }

    [ContainerFact]
    public void A_command_that_fails_before_creating_leaves_no_init_behind()
    {
        // oci-run starts the container's init before .NET starts for create, run and exec (Native/prestart.c); a
        // command that fails before it uses that init must end it and reap it. Run in a PID namespace whose first
        // process waits for oci-run alone (python's subprocess), whatever oci-run leaves behind stays there to be
        // listed, running or not yet reaped.
        using var h = new OciRunHarness();
        string[] wrapper =
        [
            "unshare", "--pid", "--fork", "--mount-proc", "python3", "-c",
            "import glob, subprocess, sys, time\n" +
            "code = subprocess.run(sys.argv[1:]).returncode\n" +
            "time.sleep(0.3)\n" +
            "for stat in glob.glob('/proc/[0-9]*/stat'):\n" +
            "    if stat != '/proc/1/stat': print(open(stat).read().strip())\n" +
            "sys.exit(code)\n",
        ];
        string[][] failures =
        [
            ["run", "--bundle", "/does/not/exist", h.NewId()],
            ["create", "--bundle", "/does/not/exist", h.NewId()],
            ["run", "--bundle", "/does/not/exist", "not/an/id"],
            ["exec", "--no-such-flag", h.NewId(), "true"],
        ];
        foreach (var args in failures)
        {
            var result = h.RunThrough(wrapper, [], args);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Equal("", result.Stdout.Trim());
        }
    }
}
