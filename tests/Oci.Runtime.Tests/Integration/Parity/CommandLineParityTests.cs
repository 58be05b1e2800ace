using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Oci.Runtime.Tests.Integration.ContainerEnvironment;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Parity;

/// <summary>runc's command line where scripts and people notice it: help for every command and flag, flags on either
/// side of the container id, exit statuses, one-line JSON, debug logs, kill 0, and the flags oci-run refuses.</summary>
public sealed partial class CommandLineParityTests
{
    /// <summary>runc's commands that oci-run has.</summary>
    static readonly string[] Commands =
        ["create", "start", "run", "exec", "state", "kill", "delete", "list", "ps", "pause", "resume", "update", "events",
         "checkpoint", "restore", "spec", "features"];

    static Oci.Runtime.Spec.RuntimeSpec Sleeper() => OciRunHarness.NewSpec("sleep", "1000");

    [ContainerFact]
    public void Help_lists_every_command_and_help_for_each_prints_its_usage()
    {
        using var h = new OciRunHarness();
        var help = h.Run("--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var command in Commands)
            Assert.Matches(new Regex($@"^\s+{command}\s", RegexOptions.Multiline), help.Stdout);
        foreach (var command in Commands)
        {
            foreach (var flag in new[] { "--help", "-h" })
            {
                var usage = h.Run(command, flag);
                Assert.True(usage.ExitCode == 0, $"{command} {flag}: {usage}");
                Assert.Contains($"oci-run {command} [command options]", usage.Stdout);
                Assert.Contains("OPTIONS:", usage.Stdout);
            }
            Assert.Equal(h.Run(command, "--help").Stdout, h.Run("help", command).Stdout);
        }
    }

    /// <summary>Every flag runc's help lists for a command is in oci-run's help for it (and so parsed: the help is
    /// made from the flags the command parses).</summary>
    [RuncFact]
    public void Every_flag_of_every_runc_command_is_in_oci_runs_help()
    {
        using var h = new OciRunHarness();
        var missing = new List<string>();
        foreach (var command in Commands)
        {
            string ours = h.Run(command, "--help").Stdout;
            foreach (var flag in FlagsIn(Runc(command, "--help")))
                if (!Regex.IsMatch(ours, $@"(^|\s|, ){Regex.Escape(flag)}(\s|,|$)", RegexOptions.Multiline)) missing.Add($"{command} {flag}");
        }
        string global = h.Run("--help").Stdout;
        foreach (var flag in FlagsIn(Runc("--help")))
            if (!Regex.IsMatch(global, $@"(^|\s|, ){Regex.Escape(flag)}(\s|,|$)", RegexOptions.Multiline)) missing.Add($"global {flag}");
        Assert.True(missing.Count == 0, "flags of runc missing from oci-run's help: " + string.Join("; ", missing));
    }

    static IEnumerable<string> FlagsIn(string help)
    {
        int options = help.IndexOf("OPTIONS:", StringComparison.Ordinal);
        if (options < 0) yield break;
        foreach (Match m in FlagPattern().Matches(help[options..]))
            yield return m.Groups[1].Value;
    }

    [GeneratedRegex(@"^\s+(--?[a-z0-9][a-z0-9-]*)", RegexOptions.Multiline)]
    private static partial Regex FlagPattern();

    static string Runc(params string[] args)
    {
        var start = new ProcessStartInfo("runc") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    /// <summary>runc's features name the libseccomp it compiles filters with; oci-run links libseccomp in, from the
    /// same Debian source as the libseccomp2 that runc loads.</summary>
    [RuncFact]
    public void Features_name_the_libseccomp_version_as_runc_does()
    {
        using var h = new OciRunHarness();
        var ours = h.Run("features");
        Assert.True(ours.ExitCode == 0, ours.ToString());
        const string key = "io.github.seccomp.libseccomp.version";
        string? expected = JsonNode.Parse(Runc("features"))?["annotations"]?[key]?.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(expected), "runc features names no libseccomp version");
        Assert.Equal(expected, JsonNode.Parse(ours.Stdout)?["annotations"]?[key]?.GetValue<string>());
    }

    [ContainerFact]
    public void Flags_may_follow_the_container_id()
    {
        using var h = new OciRunHarness();
        string id = Env.Create(h, Sleeper());
        var kill = h.Run("kill", id, "--all", "0");
        Assert.True(kill.ExitCode == 0, kill.ToString());
        var update = h.Run("update", id, "--pids-limit", "77");
        Assert.True(update.ExitCode == 0, update.ToString());
        var delete = h.Run("delete", id, "--force");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Empty(h.LeftoverState());
        // A flag the command lacks is named as such, also after the id.
        var unknown = h.Run("state", id, "--bogus");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("flag provided but not defined: -bogus", unknown.Stderr);
    }

    [ContainerFact]
    public void Exec_fails_with_255_and_passes_the_process_status_through()
    {
        using var h = new OciRunHarness();
        var missing = h.Run("exec", "no-such-container", "true");
        Assert.Equal(255, missing.ExitCode);
        Assert.Contains("does not exist", missing.Stderr);
        string id = Env.Create(h, Sleeper());
        Assert.Equal(0, h.Run("start", id).ExitCode);
        Assert.Equal(1, h.Run("exec", id, "false").ExitCode);
        Assert.Equal(0, h.Run("pause", id).ExitCode);
        var paused = h.Run("exec", id, "true");
        Assert.Equal(255, paused.ExitCode);
        Assert.Contains("paused", paused.Stderr);
        Assert.Equal(0, h.Run("resume", id).ExitCode);
    }

    [ContainerFact]
    public void List_prints_json_on_one_line_and_null_for_no_container()
    {
        using var h = new OciRunHarness();
        var empty = h.Run("list", "--format", "json");
        Assert.Equal(0, empty.ExitCode);
        Assert.Equal("null\n", empty.Stdout);
        string a = Env.Create(h, Sleeper()), b = Env.Create(h, Sleeper());
        var list = h.Run("list", "--format", "json");
        Assert.Equal(0, list.ExitCode);
        Assert.Single(list.Stdout.TrimEnd('\n').Split('\n'));
        var array = JsonNode.Parse(list.Stdout)!.AsArray();
        Assert.Equal(new[] { a, b }.Order(), array.Select(c => (string)c!["id"]!).Order());
    }

    [ContainerTheory]
    [InlineData("text", "level=debug")]
    [InlineData("json", "\"level\":\"debug\"")]
    public void Debug_logs_the_runtimes_steps_to_the_log_file(string format, string debugLine)
    {
        using var h = new OciRunHarness();
        string log = Path.Combine(h.Root, "debug.log");
        string id = h.NewId();
        var run = h.RunWithGlobal(["--debug", "--log", log, "--log-format", format],
            ["run", "--bundle", h.WriteBundle(OciRunHarness.NewSpec("true")), id]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = File.ReadAllLines(log);
        Assert.True(lines.Count(l => l.Contains(debugLine)) >= 3, string.Join('\n', lines));
        Assert.Contains(lines, l => l.Contains(id));
        if (format == "json") Assert.All(lines, l => JsonNode.Parse(l));
        // Without --debug, none.
        File.Delete(log);
        var quiet = h.RunWithGlobal(["--log", log, "--log-format", format], ["run", "--bundle", h.WriteBundle(OciRunHarness.NewSpec("true")), h.NewId()]);
        Assert.Equal(0, quiet.ExitCode);
        Assert.DoesNotContain(debugLine, File.Exists(log) ? File.ReadAllText(log) : "");
    }

    [ContainerFact]
    public void Debug_logs_to_stderr_without_a_log_file()
    {
        using var h = new OciRunHarness();
        var run = h.RunWithGlobal(["--debug"], ["run", "--bundle", h.WriteBundle(OciRunHarness.NewSpec("true")), h.NewId()]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("level=debug", run.Stderr);
    }

    [ContainerFact]
    public void Kill_with_signal_0_probes_the_container()
    {
        using var h = new OciRunHarness();
        string id = Env.Create(h, Sleeper());
        Assert.Equal(0, h.Run("start", id).ExitCode);
        var alive = h.Run("kill", id, "0");
        Assert.True(alive.ExitCode == 0, alive.ToString());
        Assert.Equal("running", h.State(id).Status);
        Assert.Equal(0, h.Run("kill", id, "KILL").ExitCode);
        Assert.True(OciRunHarness.Eventually(() => h.State(id).Status == "stopped"));
        var stopped = h.Run("kill", id, "0");
        Assert.NotEqual(0, stopped.ExitCode);
        Assert.Contains("container not running", stopped.Stderr);
    }

    [ContainerFact]
    public void Flags_oci_run_does_not_implement_are_refused_by_name()
    {
        using var h = new OciRunHarness();
        Assert.Equal(0, h.RunWithGlobal(["--rootless", "true"], ["list"]).ExitCode);
        Assert.Equal(0, h.RunWithGlobal(["--rootless", "false"], ["list"]).ExitCode);
        Assert.NotEqual(0, h.RunWithGlobal(["--rootless", "maybe"], ["list"]).ExitCode);
        Assert.Equal(0, h.RunWithGlobal(["--rootless=auto"], ["list"]).ExitCode);
        var noPivot = h.Run("restore", "--no-pivot", "some-id");
        Assert.NotEqual(0, noPivot.ExitCode);
        Assert.Contains("--no-pivot: not supported by restore", noPivot.Stderr);
        // As runc, create has no --no-subreaper; run has it.
        var create = h.Run("create", "--no-subreaper", "--bundle", h.WriteBundle(OciRunHarness.NewSpec("true")), h.NewId());
        Assert.NotEqual(0, create.ExitCode);
        Assert.Contains("flag provided but not defined: -no-subreaper", create.Stderr);
        var run = h.Run("run", "--no-subreaper", "--bundle", h.WriteBundle(OciRunHarness.NewSpec("sh", "-c", "exit 7")), h.NewId());
        Assert.True(run.ExitCode == 7, run.ToString());
    }
}

/// <summary>A test that compares oci-run with the runc on this host: skipped, with the reason, without runc.</summary>
public sealed class RuncFactAttribute : FactAttribute
{
    public RuncFactAttribute()
    {
        Skip = HostRequirements.MissingForContainers()
               ?? (new[] { "/usr/bin/runc", "/usr/sbin/runc", "/usr/local/bin/runc" }.Any(File.Exists) ? null : "runc is not installed (apt-get install runc)");
    }
}
