using Microsoft.Extensions.Logging;
using Oci.Cli.CommandLine;
using Oci.Runtime.Lifecycle;

namespace Oci.Cli.Commands;

/// <summary>Every command, by name.</summary>
internal static class CommandTable
{
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
        _ => null,
    };

    public static int Run(string name, string[] args, ContainerRuntime runtime, ILogger? logger) =>
        Find(name) is { } command
            ? command.Run(args, runtime, logger)
            : throw new UsageException($"No help topic for '{name}'");
}
