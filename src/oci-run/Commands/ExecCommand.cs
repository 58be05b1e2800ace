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

    public override string Summary => "run a new process inside a running container";

    protected override string ArgumentsUsage => "<container-id> <command> [args...]  ||  -p process.json <container-id>";

    protected override string Description =>
        "The process takes the container's process settings, with the flags' changes, or is described whole by\n" +
        "--process. Everything after the container id is the command and its arguments. oci-run exits with the\n" +
        "process's status (128+N when killed by signal N), and with 255 when it could not run it.";

    protected override FlagSet Flags { get; } = new FlagSet()
        .Value("console-socket", "an AF_UNIX socket to receive the master of the process's pseudo-terminal (--tty)")
        .Value("cwd", "the working directory in the container")
        .Value("env", "add an environment variable NAME=VALUE (repeatable)", "e")
        .Switch("tty", "give the process a pseudo-terminal", "t")
        .Value("user", "the user, as UID[:GID]", "u")
        .Value("additional-gids", "add a supplementary group id (repeatable)", "g")
        .Value("process", "a file with the whole process (config.json's process object)", "p")
        .Switch("detach", "return once the process runs instead of waiting for it", "d")
        .Value("pid-file", "a file to write the process's pid to")
        .Value("process-label", "the SELinux label of the process")
        .Value("apparmor", "the AppArmor profile of the process")
        .Switch("no-new-privs", "set no_new_privs for the process")
        .Value("cap", "add a capability to the process's bounding, effective and permitted sets (repeatable)", "c")
        .ValueWithDefault("preserve-fds", "0", "pass N more descriptors after stdio (3 to 3+N-1) to the process")
        .Value("cgroup", "run the process in an existing sub-cgroup of the container's: PATH, or CONTROLLER[,CONTROLLER]:PATH (repeatable)")
        .Switch("ignore-paused", "allow exec in a paused container");

    protected override FlagPlacement Placement => FlagPlacement.BeforeFirstArgument;

    protected override (int Min, int Max) ArgumentCount => (1, int.MaxValue);

    public override int FailureExitCode => 255;

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
            Cgroups = arguments.Values("cgroup"),
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
        // The flag's own check, so that the error names it: the library refuses the same ids in process.user (as
        // runc, ids are non-negative 32-bit signed numbers).
        if (id > int.MaxValue)
            throw new UsageException($"{flag}: invalid id \"{text}\": uids and gids must be in range 0-{int.MaxValue}");
        return id;
    }
}
