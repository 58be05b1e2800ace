using System.Text;
using Microsoft.Extensions.Logging;
using Oci.Cli.CommandLine;
using Oci.Runtime.Lifecycle;
using Oci.Runtime.Spec;

namespace Oci.Cli.Commands;

/// <summary><c>list</c>: every container in the root, as a table, JSON, or ids only.</summary>
internal sealed class ListCommand : Command
{
    public override string Name => "list";

    public override string Summary => "list the containers in the --root directory";

    protected override string ArgumentsUsage => "";

    protected override FlagSet Flags { get; } = new FlagSet()
        .ValueWithDefault("format", "table", "table, or json (an array of state documents on one line)", "f")
        .Switch("quiet", "print only the containers' ids", "q");

    protected override (int Min, int Max) ArgumentCount => (0, 0);

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        string format = arguments.Value("format") ?? "table";
        if (format is not ("table" or "json"))
            throw new UsageException($"--format: invalid format \"{format}\": must be table or json");
        var containers = runtime.List();
        var output = new StringBuilder();
        if (arguments.Has("quiet"))
            foreach (var c in containers) output.Append(c.Id).Append('\n');
        else if (format == "json")
        {
            // One line, as runc prints it (scripts read the first line); no container at all is runc's "null".
            if (containers.Count == 0)
                output.Append("null\n");
            else
            {
                output.Append('[');
                output.AppendJoin(',', containers.Select(c => Encoding.UTF8.GetString(SpecLoader.SerializeState(c, indented: false))));
                output.Append("]\n");
            }
        }
        else
            output.Append(ListTable.Format(containers));
        StdStreams.Out(output.ToString());
        return 0;
    }
}
