using Microsoft.Extensions.Logging;
using Oci.Cli.CommandLine;
using Oci.Runtime.Lifecycle;

namespace Oci.Cli.Commands;

/// <summary><c>create</c>: create a container whose process waits for <c>start</c>.</summary>
internal class CreateCommand : Command
{
    public override string Name => "create";

    protected override FlagSet Flags { get; } = WithCreateFlags(new FlagSet());

    /// <summary>The flags create and run share.</summary>
    protected static FlagSet WithCreateFlags(FlagSet flags) => flags
        .Value("bundle", "b").Value("pid-file").Value("console-socket").Value("preserve-fds")
        .Switch("no-pivot").Switch("no-new-keyring").Switch("no-subreaper");

    protected static CreateOptions OptionsOf(ParsedArguments parsed) => new()
    {
        PidFile = parsed.Value("pid-file"),
        ConsoleSocket = parsed.Value("console-socket"),
        NoPivot = parsed.Has("no-pivot"),
        NoNewKeyring = parsed.Has("no-new-keyring"),
        PreserveFds = parsed.IntValue("preserve-fds", 0),
    };

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        runtime.Create(arguments.Positional[0], arguments.Value("bundle") ?? ".", OptionsOf(arguments));
        return 0;
    }
}

/// <summary><c>run</c>: create and start a container, then wait for it unless detached.</summary>
internal sealed class RunCommand : CreateCommand
{
    public override string Name => "run";

    protected override FlagSet Flags { get; } = WithCreateFlags(new FlagSet()).Switch("detach", "d").Switch("keep");

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger) =>
        runtime.Run(arguments.Positional[0], arguments.Value("bundle") ?? ".", OptionsOf(arguments),
            detach: arguments.Has("detach"), keep: arguments.Has("keep"));
}
