using Microsoft.Extensions.Logging;
using Oci.Cli.CommandLine;
using Oci.Runtime;
using Oci.Runtime.Lifecycle;
using Oci.Runtime.Spec;

namespace Oci.Cli.Commands;

/// <summary><c>start</c>: run the user's process of a created container.</summary>
internal sealed class StartCommand : Command
{
    public override string Name => "start";

    public override string Summary => "start the user's process of a created container";

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        runtime.Start(arguments.Positional[0]);
        return 0;
    }
}

/// <summary><c>state</c>: print a container's state as JSON.</summary>
internal sealed class StateCommand : Command
{
    public override string Name => "state";

    public override string Summary => "print the state of a container (runtime.md's state, as JSON)";

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        var state = runtime.State(arguments.Positional[0]);
        byte[] json = SpecLoader.SerializeState(state);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        StdStreams.Out(line);
        return 0;
    }
}

/// <summary><c>kill</c>: signal a container's init, or all its processes.</summary>
internal sealed class KillCommand : Command
{
    public override string Name => "kill";

    public override string Summary =>
        "send a signal (default: the container's org.opencontainers.image.stopSignal annotation, else SIGTERM) to a container's init, or to all its processes";

    protected override string ArgumentsUsage => "<container-id> [signal]";

    protected override string Description =>
        "The signal is a name (KILL, SIGKILL, RTMIN+1) or a number; 0 only checks that the container's init is alive.";

    protected override FlagSet Flags { get; } = new FlagSet()
        .Switch("all", "send the signal to every process of the container", "a");

    protected override (int Min, int Max) ArgumentCount => (1, 2);

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        string id = arguments.Positional[0];
        int signal = arguments.Positional.Count > 1 ? Signals.Parse(arguments.Positional[1]) : (int)runtime.StopSignal(id);
        runtime.Kill(id, (Signal)signal, new KillOptions { All = arguments.Has("all") });
        return 0;
    }
}

/// <summary><c>delete</c>: remove a container.</summary>
internal sealed class DeleteCommand : Command
{
    public override string Name => "delete";

    public override string Summary => "delete a container: its state, cgroups and processes";

    protected override FlagSet Flags { get; } = new FlagSet()
        .Switch("force", "delete a running or paused container too, killing its processes (SIGKILL)", "f");

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        runtime.Delete(arguments.Positional[0], new DeleteOptions { Force = arguments.Has("force") });
        return 0;
    }
}
