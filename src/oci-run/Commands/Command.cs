using System.Text;
using Microsoft.Extensions.Logging;
using Oci.Cli.CommandLine;
using Oci.Runtime.Lifecycle;

namespace Oci.Cli.Commands;

/// <summary>One command of the command line: its name, flags, usage, and what it does with the library.</summary>
internal abstract class Command
{
    /// <summary>The command's name on the command line.</summary>
    public abstract string Name { get; }

    /// <summary>One line for the list of commands.</summary>
    public abstract string Summary { get; }

    /// <summary>The positional arguments, as the usage line shows them.</summary>
    protected virtual string ArgumentsUsage => "<container-id>";

    /// <summary>More about the command, for its help; empty for none.</summary>
    protected virtual string Description => "";

    /// <summary>The flags it accepts, each with its help text (<c>--help</c> is added to every command).</summary>
    protected virtual FlagSet Flags { get; } = new();

    /// <summary>Where the flags may stand: on either side of the arguments, as for runc's commands, unless the
    /// command says otherwise.</summary>
    protected virtual FlagPlacement Placement => FlagPlacement.Anywhere;

    /// <summary>Positional arguments required and allowed.</summary>
    protected virtual (int Min, int Max) ArgumentCount => (1, 1);

    /// <summary>The exit status when the command itself fails (runc's exec uses 255, so that a process exiting 1
    /// can be told from a failure of the runtime).</summary>
    public virtual int FailureExitCode => 1;

    FlagSet? flagsWithHelp;

    FlagSet FlagsWithHelp => flagsWithHelp ??= Flags.Switch("help", "show help", "h");

    /// <summary>Runs the command; returns the process exit code.</summary>
    public int Run(string[] args, ContainerRuntime runtime, ILogger? logger)
    {
        var parsed = FlagsWithHelp.Parse(args, 0, Placement, out _);
        if (parsed.Has("help"))
        {
            StdStreams.Out(Help());
            return 0;
        }
        var (min, max) = ArgumentCount;
        if (parsed.Positional.Count < min)
            throw new UsageException(min == 1
                ? $"\"{Name}\" requires a minimum of 1 argument: {ArgumentsUsage}"
                : $"\"{Name}\" requires a minimum of {min} arguments");
        if (parsed.Positional.Count > max)
        {
            // A flag this command does not have, after the container id, reads as an extra argument: name it.
            if (parsed.Positional.Skip(1).FirstOrDefault(a => a.StartsWith('-')) is { } unknown)
                throw new UsageException($"flag provided but not defined: -{unknown.TrimStart('-').Split('=')[0]}");
            throw new UsageException($"\"{Name}\" requires a maximum of {max} argument{(max == 1 ? "" : "s")}");
        }
        return Execute(parsed, runtime, logger);
    }

    /// <summary>The command's usage, as <c>oci-run CMD --help</c> prints it.</summary>
    public string Help()
    {
        var text = new StringBuilder();
        text.Append("NAME:\n   oci-run ").Append(Name).Append(" - ").Append(Summary).Append("\n\n");
        text.Append("USAGE:\n   oci-run ").Append(Name).Append(" [command options] ").Append(ArgumentsUsage).Append('\n');
        if (Description.Length > 0) text.Append("\nDESCRIPTION:\n   ").Append(Description.Replace("\n", "\n   ")).Append('\n');
        text.Append("\nOPTIONS:\n").Append(FlagsWithHelp.Describe());
        return text.ToString();
    }

    /// <summary>The command's work, with its arguments checked.</summary>
    protected abstract int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger);
}
