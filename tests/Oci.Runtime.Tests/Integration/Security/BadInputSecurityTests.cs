using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Oci.Runtime.Spec;
using Oci.Runtime.Tests.Integration.ContainerEnvironment;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Security;

/// <summary>Hostile or broken input ends in one line that says what is wrong, naming the field, flag or path: never
/// a .NET stack trace, an abort, a resource key of the trimmed runtime (<c>IO_FileExists_Name</c>) or a raw control
/// character copied from the input into the terminal or the log. Nothing of the container is left behind.</summary>
public sealed partial class BadInputSecurityTests
{
    /// <summary>A .NET resource key, which is what an exception's message is in the NativeAOT binary.</summary>
    [GeneratedRegex(@"\b[A-Z][A-Za-z]*_[A-Z][a-z]+[A-Za-z_]*\b")]
    private static partial Regex ResourceKey();

    /// <summary>One line and the runtime's failure status: 1, or 255 for exec, whose own failures runc tells apart
    /// from a process that exits 1.</summary>
    static void AssertOneCleanLine(CommandResult result, string command = "")
    {
        Assert.True(result.ExitCode == (command == "exec" ? 255 : 1), result.ToString());
        Assert.DoesNotContain("Unhandled exception", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotMatch(ResourceKey(), result.Stderr);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [ContainerFact]
    public void A_huge_config_is_refused_in_one_line_without_a_stack_trace()
    {
        using var h = new OciRunHarness();
        string id = h.NewId();
        string bundle = h.WriteBundle(OciRunHarness.NewSpec("true"));
        string config = Path.Combine(bundle, "config.json");
        // 200 MB: one annotation too large for System.Text.Json's writer crashed the runtime with SIGABRT.
        var spec = OciRunHarness.NewSpec("true");
        spec.Annotations = new Dictionary<string, string> { ["big"] = "PLACEHOLDER" };
        string[] halves = Encoding.UTF8.GetString(SpecLoader.Serialize(spec)).Split("PLACEHOLDER");
        using (var file = File.Create(config))
        {
            file.Write(Encoding.UTF8.GetBytes(halves[0]));
            var chunk = Encoding.ASCII.GetBytes(new string('a', 1 << 20));
            for (int i = 0; i < 200; i++) file.Write(chunk);
            file.Write(Encoding.UTF8.GetBytes(halves[1]));
        }
        string log = Path.Combine(h.Root, "log.json");
        var result = h.Run("create", "--bundle", bundle, id);
        AssertOneCleanLine(result);
        Assert.Contains(config, result.Stderr);
        Assert.Contains("MiB", result.Stderr);

        var logged = h.RunWithGlobal(["--log", log, "--log-format", "json"], ["create", "--bundle", bundle, id]);
        AssertOneCleanLine(logged);
        var line = JsonNode.Parse(Assert.Single(File.ReadAllLines(log)))!;
        Assert.Equal("error", line["level"]!.GetValue<string>());
        Assert.Contains(config, line["msg"]!.GetValue<string>());
        Env.AssertNothingLeft(h, id);
    }

    [ContainerTheory]
    [InlineData("exec", "--process")]
    [InlineData("update", "--resources")]
    public void A_huge_process_or_resources_file_is_refused_naming_the_flag(string command, string flag)
    {
        using var h = new OciRunHarness();
        string id = h.Create(OciRunHarness.NewSpec("sleep", "1000"));
        string file = Path.Combine(h.Root, "huge.json");
        string document = command == "exec"
            ? $$"""{ "args": ["true"], "cwd": "/", "env": ["X={{new string('x', 20 << 20)}}"] }"""
            : $$"""{ "unified": { "x": "{{new string('x', 20 << 20)}}" } }""";
        File.WriteAllText(file, document);
        var result = h.Run(command, flag, file, id);
        AssertOneCleanLine(result, command);
        Assert.Contains(flag, result.Stderr);
        Assert.Contains(file, result.Stderr);
        Assert.Contains("MiB", result.Stderr);
    }

    [ContainerTheory]
    [InlineData("exec", "--process", "missing")]
    [InlineData("exec", "--process", "directory")]
    [InlineData("update", "--resources", "missing")]
    [InlineData("update", "--resources", "directory")]
    public void An_unreadable_process_or_resources_file_is_named_in_words(string command, string flag, string kind)
    {
        using var h = new OciRunHarness();
        string id = h.Create(OciRunHarness.NewSpec("sleep", "1000"));
        string file = Path.Combine(h.Root, kind == "missing" ? "no-such-file.json" : "bundles");
        var result = h.Run(command, flag, file, id);
        AssertOneCleanLine(result, command);
        Assert.Contains(flag, result.Stderr);
        Assert.Contains(file, result.Stderr);
        Assert.Contains(kind == "missing" ? "does not exist" : "is a directory", result.Stderr);
    }

    [ContainerFact]
    public void A_root_that_is_a_regular_file_is_named_by_every_command()
    {
        using var h = new OciRunHarness();
        string root = Path.Combine(h.Root, "root-file");
        File.WriteAllText(root, "");
        string bundle = h.WriteBundle(OciRunHarness.NewSpec("true"));
        string id = h.NewId();
        foreach (var args in new[] { new[] { "state", id }, ["list"], ["list", "-q"], ["create", "--bundle", bundle, id],
                     ["run", "--bundle", bundle, id], ["delete", id], ["delete", "--force", id], ["kill", id] })
        {
            var result = h.RunWithGlobal(["--root", root], args);
            AssertOneCleanLine(result);
            Assert.Contains($"--root {root}: not a directory", result.Stderr);
            Assert.Equal("", result.Stdout);
        }
        Assert.Equal("", File.ReadAllText(root));
        Env.AssertNothingLeft(h, id);
    }

    [ContainerTheory]
    [InlineData("missing", "does not exist")]
    [InlineData("file", "is not a socket")]
    [InlineData("unbound", "connection refused")]
    public void A_console_socket_that_cannot_be_used_is_named_in_words(string kind, string problem)
    {
        using var h = new OciRunHarness();
        string id = h.NewId();
        string socket = Path.Combine(h.Root, "console.sock");
        if (kind == "file") File.WriteAllText(socket, "");
        // A socket that is bound but does not listen. (.NET removes the file when the socket is disposed.)
        using var bound = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        if (kind == "unbound") bound.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socket));
        var spec = OciRunHarness.NewSpec("true");
        spec.Process!.Terminal = true;
        var result = h.Run("create", "--console-socket", socket, "--bundle", h.WriteBundle(spec), id);
        AssertOneCleanLine(result);
        Assert.Contains($"--console-socket {socket}", result.Stderr);
        Assert.Contains(problem, result.Stderr);
        Assert.DoesNotContain("Cannot assign requested address", result.Stderr);
        Env.AssertNothingLeft(h, id);
    }

    [ContainerTheory]
    [InlineData("run")]
    [InlineData("create")]
    [InlineData("exec")]
    public void Too_many_preserved_descriptors_are_refused_naming_the_flag(string command)
    {
        using var h = new OciRunHarness();
        string id = command == "exec" ? h.Create(OciRunHarness.NewSpec("sleep", "1000")) : h.NewId();
        if (command == "exec") Assert.Equal(0, h.Run("start", id).ExitCode);
        string[] args = command == "exec"
            ? ["exec", "--preserve-fds", "1000000", id, "true"]
            : [command, "--preserve-fds", "1000000", "--bundle", h.WriteBundle(OciRunHarness.NewSpec("true")), id];
        var result = h.Run(args);
        AssertOneCleanLine(result, command);
        Assert.Contains("--preserve-fds", result.Stderr);
        Assert.Contains("1000000", result.Stderr);
        Assert.Contains("open-file limit", result.Stderr);
        if (command != "exec") Env.AssertNothingLeft(h, id);
    }

    [ContainerFact]
    public void A_memory_limit_too_low_for_init_says_so()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("true");
        spec.Linux!.Resources = new LinuxResources { Memory = new LinuxMemory { Limit = 1 } };
        var result = Env.Fails(h, spec, "OOM killer", "linux.resources.memory.limit");
        AssertOneCleanLine(result);
        Assert.DoesNotContain("recvmsg", result.Stderr);
        Assert.DoesNotContain("Connection reset", result.Stderr);
    }

    [ContainerFact]
    public void Ids_that_start_with_a_dot_are_listed_and_work_like_any_other()
    {
        using var h = new OciRunHarness();
        string id = h.Create(OciRunHarness.NewSpec("sleep", "1000"), h.NewId(".dot"));
        Assert.StartsWith(".dot-", id);
        Assert.Equal("created", h.State(id).Status);
        Assert.Equal(id + "\n", h.Run("list", "-q").Stdout);
        Assert.Contains("\n" + id + " ", h.Run("list").Stdout);
        var listed = JsonNode.Parse(h.Run("list", "--format", "json").Stdout)!.AsArray();
        Assert.Equal(id, Assert.Single(listed)!["id"]!.GetValue<string>());
        Assert.Equal(0, h.Run("start", id).ExitCode);
        Assert.Equal("running", h.State(id).Status);
        var deleted = h.Run("delete", "--force", id);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Env.AssertNothingLeft(h, id);
    }

    [ContainerFact]
    public void Errors_never_echo_raw_control_characters_from_the_input()
    {
        using var h = new OciRunHarness();
        // An id, as a command line argument.
        var result = h.Run("state", "forged\nlevel=info msg=\"all good\"\u001b[2J");
        AssertOneCleanLine(result);
        Assert.Contains("forged\\nlevel=info", result.Stderr);
        Assert.Contains("\\x1b[2J", result.Stderr);
        Assert.DoesNotContain("\u001b", result.Stderr);

        // A value inside config.json, in the text and in the JSON log format.
        string id = h.NewId();
        var spec = OciRunHarness.NewSpec("true");
        spec.Process!.Env = ["NO_EQUALS_SIGN\r\nsecond line"];
        string bundle = h.WriteBundle(spec);
        result = h.Run("create", "--bundle", bundle, id);
        AssertOneCleanLine(result);
        Assert.Contains("process.env[0]", result.Stderr);
        Assert.Contains("NO_EQUALS_SIGN\\r\\nsecond line", result.Stderr);

        string log = Path.Combine(h.Root, "log.json");
        var logged = h.RunWithGlobal(["--log", log, "--log-format", "json"], ["create", "--bundle", bundle, id]);
        Assert.Equal(1, logged.ExitCode);
        string message = JsonNode.Parse(Assert.Single(File.ReadAllLines(log)))!["msg"]!.GetValue<string>();
        Assert.Contains("NO_EQUALS_SIGN\\r\\nsecond line", message);
        Env.AssertNothingLeft(h, id);
    }
}
