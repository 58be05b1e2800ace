using Microsoft.Extensions.Logging;
using Oci.Cli.CommandLine;
using Oci.Runtime;
using Oci.Runtime.Lifecycle;

namespace Oci.Cli.Commands;

/// <summary>Every command, by name.</summary>
internal static class CommandTable
{
    /// <summary>The commands in the order the help lists them.</summary>
    static readonly string[] Names =
        ["create", "start", "run", "exec", "state", "kill", "delete", "list", "ps", "pause", "resume", "update", "events", "checkpoint", "restore", "spec", "features"];

    // Only the command that runs is made: each builds its flag set, and every command is a process of its own.
    static Command? Find(string name) => name switch
    {
        "create" => new CreateCommand(),
        "run" => new RunCommand(),
        "start" => new StartCommand(),
        "state" => new StateCommand(),
        "kill" => new KillCommand(),
        "delete" => new DeleteCommand(),
        "exec" => new ExecCommand(),
        "list" => new ListCommand(),
        "spec" => new SpecCommand(),
        "features" => new FeaturesCommand(),
        "update" => new UpdateCommand(),
        "pause" => new PauseCommand(),
        "resume" => new ResumeCommand(),
        "ps" => new PsCommand(),
        "events" => new EventsCommand(),
        "checkpoint" => new CheckpointCommand(),
        "restore" => new RestoreCommand(),
        _ => null,
    };

    /// <summary>The exit status of a failure of command <paramref name="name"/>: 255 for exec, and 3 for a
    /// command that does not exist, as runc (urfave/cli).</summary>
    public static int FailureExitCode(string name) =>
        Find(name)?.FailureExitCode ?? 3;

    /// <summary>Whether <paramref name="name"/> is the help command (<c>oci-run help [COMMAND]</c>).</summary>
    public static bool IsHelp(string name) => name is "help" or "h";

    /// <summary><c>oci-run help [COMMAND]</c>: the command's usage, or null for the global one.</summary>
    public static string? Help(string? name) =>
        name is null ? null : (Find(name) ?? throw new UsageException($"No help topic for '{name}'")).Help();

    /// <summary>The COMMANDS section of the global help: every command with its summary.</summary>
    public static string CommandList()
    {
        var rows = Names.Select(n => (Name: n, Summary: Find(n)!.Summary))
            .Append((Name: "help, h", Summary: "show the commands, or one command's usage")).ToList();
        int width = rows.Max(r => r.Name.Length);
        return string.Concat(rows.Select(r => $"   {r.Name.PadRight(width)}  {r.Summary}\n"));
    }

    public static int Run(string name, string[] args, ContainerRuntime runtime, ILogger? logger)
    {
        return Find(name) is { } command
            ? command.Run(args, runtime, logger)
            : throw new UsageException($"No help topic for '{name}'");
    }
}
