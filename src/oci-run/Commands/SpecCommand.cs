using System.Text;
using Microsoft.Extensions.Logging;
using Oci.Cli.CommandLine;
using Oci.Runtime;
using Oci.Runtime.Lifecycle;
using Oci.Runtime.Spec;

namespace Oci.Cli.Commands;

/// <summary><c>spec</c>: write a default config.json into the bundle.</summary>
internal sealed class SpecCommand : Command
{
    public override string Name => "spec";

    public override string Summary => "write a default config.json into a bundle";

    protected override string ArgumentsUsage => "";

    protected override string Description =>
        "Writes config.json for the bundle: a starting point running \"sh\" with a terminal, to edit.";

    protected override FlagSet Flags { get; } = new FlagSet()
        .Value("bundle", "the bundle directory (default: the current directory)", "b")
        .Switch("rootless", "a config for a container run by an unprivileged user (user namespace, no cgroup limits)");

    protected override (int Min, int Max) ArgumentCount => (0, 0);

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        string path = Path.Combine(arguments.Value("bundle") ?? ".", "config.json");
        if (File.Exists(path)) throw new OciException($"File {path} exists. Remove it first");
        File.WriteAllBytes(path, SpecLoader.Serialize(DefaultSpec.Create(arguments.Has("rootless"))));
        return 0;
    }
}

/// <summary><c>features</c>: what this runtime supports, as features.md describes it.</summary>
internal sealed class FeaturesCommand : Command
{
    public override string Name => "features";

    public override string Summary => "print what this runtime supports (features.md), as JSON";

    protected override string ArgumentsUsage => "";

    protected override (int Min, int Max) ArgumentCount => (0, 0);

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        StdStreams.Out(Encoding.UTF8.GetString(SpecLoader.SerializeFeatures(FeaturesReport.Create())) + "\n");
        return 0;
    }
}
