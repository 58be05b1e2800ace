using System.Globalization;
using Microsoft.Extensions.Logging;
using Oci.Cli.CommandLine;
using Oci.Runtime;
using Oci.Runtime.Lifecycle;
using Oci.Runtime.Spec;

namespace Oci.Cli.Commands;

/// <summary><c>exec</c>: run a new process inside a running container, described by <c>--process</c> or by the
/// command line on top of the container's own process settings, as runc does.</summary>
internal sealed class ExecCommand : Command
{
    public override string Name => "exec";

    protected override FlagSet Flags { get; } = new FlagSet()
        .Value("console-socket").Value("cwd").Value("env", "e").Switch("tty", "t").Value("user", "u")
        .Value("additional-gids", "g").Value("process", "p").Switch("detach", "d").Value("pid-file")
        .Value("process-label").Value("apparmor").Switch("no-new-privs").Value("cap", "c").Value("preserve-fds")
        .Switch("ignore-paused").Value("cgroup");

    protected override (int Min, int Max) ArgumentCount => (1, int.MaxValue);

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        string id = arguments.Positional[0];
        var process = arguments.Value("process") is { } file ? SpecLoader.ParseProcess(FlagFile.Read("--process", file)) : null;
        if (process is null && arguments.Positional.Count < 2)
            throw new UsageException("exec: no command given: exec [options] <container-id> <command> [args...]");
        return runtime.Exec(id, template => process ?? ProcessFromCommandLine(arguments, template), new ExecOptions
        {
            Detach = arguments.Has("detach"),
            PidFile = arguments.Value("pid-file"),
            ConsoleSocket = arguments.Value("console-socket"),
            PreserveFds = arguments.IntValue("preserve-fds", 0),
            IgnorePaused = arguments.Has("ignore-paused"),
        });
    }

    static Process ProcessFromCommandLine(ParsedArguments arguments, Process process)
    {
        process.Args = [.. arguments.Positional.Skip(1)];
        process.Terminal = arguments.Has("tty");
        process.Env = [.. process.Env ?? [], .. arguments.Values("env")];
        if (arguments.Value("cwd") is { } cwd) process.Cwd = cwd;
        if (arguments.Value("user") is { } user)
        {
            var parts = user.Split(':', 2);
            process.User.Uid = ParseId(parts[0], "--user");
            if (parts.Length > 1) process.User.Gid = ParseId(parts[1], "--user");
        }
        foreach (var gid in arguments.Values("additional-gids"))
            (process.User.AdditionalGids ??= []).Add(ParseId(gid, "--additional-gids"));
        if (arguments.Has("no-new-privs")) process.NoNewPrivileges = true;
        if (arguments.Value("apparmor") is { } profile) process.ApparmorProfile = profile;
        if (arguments.Value("process-label") is { } label) process.SelinuxLabel = label;
        foreach (var capability in arguments.Values("cap"))
        {
            var caps = process.Capabilities ??= new LinuxCapabilities();
            foreach (var set in new[] { caps.Bounding ??= [], caps.Effective ??= [], caps.Permitted ??= [] })
                if (!set.Contains(capability)) set.Add(capability);
        }
        return process;
    }

    static uint ParseId(string text, string flag)
    {
        if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint id))
            throw new UsageException($"{flag}: invalid id \"{text}\": must be a number");
        if (id > Preflight.MaxId)
            throw new UsageException($"{flag}: invalid id \"{text}\": uids and gids must be in range 0-{Preflight.MaxId}");
        return id;
    }
}
