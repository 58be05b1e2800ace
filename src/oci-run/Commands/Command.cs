using Microsoft.Extensions.Logging;
using Oci.Cli.CommandLine;
using Oci.Runtime.Lifecycle;

namespace Oci.Cli.Commands;

/// <summary>One command of the command line: its name, flags, and what it does with the library.</summary>
internal abstract class Command
{
    /// <summary>The command's name on the command line.</summary>
    public abstract string Name { get; }

    /// <summary>The flags it accepts.</summary>
    protected virtual FlagSet Flags { get; } = new();

    /// <summary>Positional arguments required and allowed.</summary>
    protected virtual (int Min, int Max) ArgumentCount => (1, 1);

    /// <summary>Runs the command; returns the process exit code.</summary>
    public int Run(string[] args, ContainerRuntime runtime, ILogger? logger)
    {
        var parsed = Flags.Parse(args, 0, stopAtPositional: false, out _);
        var (min, max) = ArgumentCount;
        if (parsed.Positional.Count < min)
            throw new UsageException(min == 1
                ? $"\"{Name}\" requires a minimum of 1 argument: the container id"
                : $"\"{Name}\" requires a minimum of {min} arguments");
        if (parsed.Positional.Count > max)
            throw new UsageException($"\"{Name}\" requires a maximum of {max} argument{(max == 1 ? "" : "s")}");
        return Execute(parsed, runtime, logger);
    }

    /// <summary>The command's work, with its arguments checked.</summary>
    protected abstract int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger);
}
