using Microsoft.Extensions.Logging;
using Oci.Cli.CommandLine;
using Oci.Runtime.Lifecycle;

namespace Oci.Cli.Commands;

/// <summary><c>create</c>: create a container whose process waits for <c>start</c>.</summary>
internal class CreateCommand : Command
{
    public override string Name => "create";

    public override string Summary => "create a container";

    protected override string Description =>
        "Creates a container from a bundle (a directory with config.json and a root filesystem): its init waits\n" +
        "for `oci-run start` to execute the process of config.json.";

    protected override FlagSet Flags { get; } = WithCreateFlags(new FlagSet());

    /// <summary>The flags create and run share.</summary>
    protected static FlagSet WithCreateFlags(FlagSet flags) => flags
        .Value("bundle", "the bundle directory (default: the current directory)", "b")
        .Value("console-socket", "an AF_UNIX socket to receive the master of the container's pseudo-terminal (process.terminal)")
        .Value("pid-file", "a file to write the container's init pid to")
        .Switch("no-pivot", "enter the root with MS_MOVE and chroot instead of pivot_root (a rootfs on a ramdisk)")
        .Switch("no-new-keyring", "keep the caller's session keyring instead of a new one for the container")
        .ValueWithDefault("preserve-fds", "0", "pass N more descriptors after stdio (3 to 3+N-1) to the container");

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        runtime.Create(arguments.Positional[0], arguments.Value("bundle") ?? ".", new CreateOptions
        {
            PidFile = arguments.Value("pid-file"),
            ConsoleSocket = arguments.Value("console-socket"),
            NoPivot = arguments.Has("no-pivot"),
            NoNewKeyring = arguments.Has("no-new-keyring"),
            PreserveFds = arguments.IntValue("preserve-fds", 0),
        });
        return 0;
    }
}

/// <summary><c>run</c>: create and start a container, then wait for it unless detached.</summary>
internal sealed class RunCommand : CreateCommand
{
    public override string Name => "run";

    public override string Summary => "create and start a container, and wait for it";

    protected override string Description =>
        "Creates a container from a bundle, starts it and, unless --detach, waits for it, forwarding signals,\n" +
        "and exits with its status (128+N when killed by signal N). A process.terminal without --console-socket\n" +
        "is relayed to oci-run's own stdio.";

    protected override FlagSet Flags { get; } = WithCreateFlags(new FlagSet())
        .Switch("detach", "return once the container runs instead of waiting for it", "d")
        .Switch("keep", "do not delete the container after it exits")
        .Switch("no-subreaper", "do not adopt the container's orphaned processes while waiting for it");

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        return runtime.Run(arguments.Positional[0], arguments.Value("bundle") ?? ".", new RunOptions
        {
            PidFile = arguments.Value("pid-file"),
            ConsoleSocket = arguments.Value("console-socket"),
            NoPivot = arguments.Has("no-pivot"),
            NoNewKeyring = arguments.Has("no-new-keyring"),
            PreserveFds = arguments.IntValue("preserve-fds", 0),
            Detach = arguments.Has("detach"),
            Keep = arguments.Has("keep"),
            NoSubreaper = arguments.Has("no-subreaper"),
        });
    }
}
