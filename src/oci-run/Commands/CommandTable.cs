using Microsoft.Extensions.Logging;
using Oci.Cli.CommandLine;
using Oci.Runtime.Lifecycle;

namespace Oci.Cli.Commands;

/// <summary>Every command, by name.</summary>
internal static class CommandTable
{
    static readonly Command[] Commands =
    [
        new CreateCommand(), new RunCommand(), new StartCommand(), new StateCommand(), new KillCommand(),
        new DeleteCommand(), new ExecCommand(), new ListCommand(), new SpecCommand(), new FeaturesCommand(),
        new UpdateCommand(), new PauseCommand(), new ResumeCommand(), new PsCommand(), new EventsCommand(),
    ];

    public static int Run(string name, string[] args, ContainerRuntime runtime, ILogger? logger)
    {
        foreach (var command in Commands)
            if (command.Name == name) return command.Run(args, runtime, logger);
        throw new UsageException($"No help topic for '{name}'");
    }
}
