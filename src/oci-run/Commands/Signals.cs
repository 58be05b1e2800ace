using Oci.Cli.CommandLine;
using Oci.Runtime;

namespace Oci.Cli.Commands;

/// <summary>Signal names and numbers as <c>kill</c> takes them: KILL, SIGKILL or 9 (<see cref="SignalNames"/>).</summary>
internal static class Signals
{
    public static int Parse(string text) =>
        SignalNames.TryParse(text, out var signal) ? (int)signal : throw new UsageException($"unknown signal \"{text}\"");
}
