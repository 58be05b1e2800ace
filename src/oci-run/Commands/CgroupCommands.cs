using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Oci.Cli.CommandLine;
using Oci.Runtime;
using Oci.Runtime.Cgroups;
using Oci.Runtime.Lifecycle;

namespace Oci.Cli.Commands;

/// <summary><c>update</c>: change a container's resource limits, from <c>--resources FILE|-</c> or runc's flags.</summary>
internal sealed class UpdateCommand : Command
{
    public override string Name => "update";

    public override string Summary => "update a container's resource limits";

    protected override string Description =>
        "The resources come from --resources (a linux.resources object of config.json, from a file or \"-\" for\n" +
        "standard input; with it the other flags are not read) or from the flags below. Fields not given keep\n" +
        "their value.";

    protected override FlagSet Flags { get; } = MakeFlags();

    // Every flag of UpdateFlags.FlagNames, with its help.
    static readonly Dictionary<string, string> FlagUsage = new()
    {
        ["memory"] = "memory limit in bytes (linux.resources.memory.limit)",
        ["memory-reservation"] = "memory soft limit in bytes (memory.reservation)",
        ["memory-swap"] = "memory plus swap limit in bytes; -1 for unlimited swap (memory.swap)",
        ["kernel-memory"] = "kernel memory limit (memory.kernel): not set, with a warning, as runc 1.1 does",
        ["kernel-memory-tcp"] = "kernel TCP buffer limit (memory.kernelTCP): not set, with a warning, as runc 1.1 does",
        ["cpu-share"] = "CPU shares, a relative weight (cpu.shares)",
        ["cpu-quota"] = "CPU time in microseconds allowed in each period (cpu.quota)",
        ["cpu-period"] = "CPU CFS period in microseconds (cpu.period)",
        ["cpu-rt-runtime"] = "real-time CPU time in microseconds allowed in each period (cpu.realtimeRuntime)",
        ["cpu-rt-period"] = "real-time CPU period in microseconds (cpu.realtimePeriod)",
        ["cpuset-cpus"] = "the CPUs to run on, such as 0-2,4 (cpu.cpus)",
        ["cpuset-mems"] = "the memory nodes to use, such as 0 (cpu.mems)",
        ["pids-limit"] = "the maximum number of processes (pids.limit)",
        ["blkio-weight"] = "block I/O weight, 10 to 1000 (blockIO.weight)",
        ["l3-cache-schema"] = "refused: Intel RDT is not supported",
        ["mem-bw-schema"] = "refused: Intel RDT is not supported",
    };

    static FlagSet MakeFlags()
    {
        var flags = new FlagSet()
            .Value("resources", "a file with a linux.resources object, or \"-\" for standard input", "r");
        foreach (var name in UpdateFlags.FlagNames) flags.Value(name, FlagUsage[name]);
        return flags;
    }

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        Oci.Runtime.Spec.LinuxResources update;
        if (arguments.Value("resources") is { } source)
        {
            // As runc: with a resources document the other flags are ignored.
            byte[] json = FlagFile.Read("--resources", source);
            update = UpdateFlags.Parse(json);
        }
        else
        {
            var values = new Dictionary<string, string>();
            foreach (var name in UpdateFlags.FlagNames)
                if (arguments.Value(name) is { } value) values[name] = value;
            try
            {
                update = UpdateFlags.FromFlags(values);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
        }
        runtime.Update(arguments.Positional[0], update);
        return 0;
    }
}

/// <summary><c>pause</c>: freeze every process of a container.</summary>
internal sealed class PauseCommand : Command
{
    public override string Name => "pause";

    public override string Summary => "pause (freeze) every process of a container";

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        runtime.Pause(arguments.Positional[0]);
        return 0;
    }
}

/// <summary><c>resume</c>: thaw a paused container.</summary>
internal sealed class ResumeCommand : Command
{
    public override string Name => "resume";

    public override string Summary => "resume (thaw) a paused container";

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        runtime.Resume(arguments.Positional[0]);
        return 0;
    }
}

/// <summary><c>ps</c>: the container's processes, as a <c>ps</c> table or a JSON array of pids.</summary>
internal sealed class PsCommand : Command
{
    public override string Name => "ps";

    public override string Summary => "list the processes of a container";

    protected override string ArgumentsUsage => "<container-id> [ps options]";

    protected override string Description =>
        "Runs the host's ps with the options given (default: -ef) and keeps the lines of the container's\n" +
        "processes; with --format json, prints their pids as a JSON array.";

    protected override FlagSet Flags { get; } = new FlagSet()
        .ValueWithDefault("format", "table", "table, or json", "f");

    protected override (int Min, int Max) ArgumentCount => (1, int.MaxValue);

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        string id = arguments.Positional[0];
        switch (arguments.Value("format") ?? "table")
        {
            case "json":
                StdStreams.Out(EventJson.Pids(runtime.Processes(id)) + "\n");
                return 0;
            case "table":
                StdStreams.Out(ProcessTable(runtime.Processes(id), arguments.Positional.Skip(1).ToList()));
                return 0;
            default:
                throw new UsageException("invalid format option");
        }
    }

    /// <summary>runc's <c>ps</c> table: the host's <c>ps</c> run with <paramref name="psArguments"/> (default
    /// <c>-ef</c>), keeping the header and the lines of the processes in <paramref name="containerPids"/>.</summary>
    static string ProcessTable(IReadOnlyList<int> containerPids, IReadOnlyList<string> psArguments)
    {
        var pids = containerPids.ToHashSet();
        var start = new ProcessStartInfo("ps") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in psArguments.Count == 0 ? ["-ef"] : psArguments) start.ArgumentList.Add(arg);
        string output, errors;
        int exitCode;
        try
        {
            using var ps = Process.Start(start) ?? throw new OciException("ps: could not start");
            var stderr = ps.StandardError.ReadToEndAsync();
            output = ps.StandardOutput.ReadToEnd();
            ps.WaitForExit();
            errors = stderr.Result;
            exitCode = ps.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new OciException($"ps: {e.Message}", e);
        }
        if (exitCode != 0) throw new OciException($"ps: exit status {exitCode}: {errors.Trim()}");
        var lines = output.Split('\n');
        int pidColumn = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
        if (pidColumn < 0) throw new OciException("couldn't find PID field in ps output");
        var table = new StringBuilder(lines[0]).Append('\n');
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length <= pidColumn || !int.TryParse(fields[pidColumn], CultureInfo.InvariantCulture, out int pid)) continue;
            if (pids.Contains(pid)) table.Append(line).Append('\n');
        }
        return table.ToString();
    }
}

/// <summary><c>events</c>: stats every <c>--interval</c> and OOM events as JSON lines, or one stats event
/// with <c>--stats</c>.</summary>
internal sealed class EventsCommand : Command
{
    public override string Name => "events";

    public override string Summary => "print a container's resource usage and OOM events as JSON lines";

    protected override FlagSet Flags { get; } = new FlagSet()
        .ValueWithDefault("interval", "5s", "how often to print the stats (a Go duration: 500ms, 5s, 1m)")
        .Switch("stats", "print the stats once and exit");

    protected override int Execute(ParsedArguments arguments, ContainerRuntime runtime, ILogger? logger)
    {
        string id = arguments.Positional[0];
        if (arguments.Has("stats"))
        {
            StdStreams.Out(EventJson.Event(new ContainerEvent { Type = "stats", Id = id, Data = runtime.Stats(id) }) + "\n");
            return 0;
        }
        var interval = Durations.Parse(arguments.Value("interval") ?? "5s", "interval");
        using var cancel = new CancellationTokenSource();
        using var registration = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, context => { context.Cancel = true; cancel.Cancel(); });
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        runtime.Events(id, interval, e =>
        {
            Console.Out.Write(EventJson.Event(e) + "\n");
            Console.Out.Flush();
        }, cancel.Token);
        return 0;
    }
}

/// <summary>Go's duration syntax as runc's flags take it: "5s", "100ms", "1m30s", "1.5h".</summary>
internal static class Durations
{
    public static TimeSpan Parse(string text, string flag)
    {
        var match = System.Text.RegularExpressions.Regex.Matches(text, @"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)");
        if (match.Count == 0 || string.Concat(match.Select(m => m.Value)) != text)
            throw new UsageException($"invalid value \"{text}\" for flag -{flag}: parse error");
        double ms = 0;
        foreach (System.Text.RegularExpressions.Match m in match)
        {
            double v = double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            ms += m.Groups[2].Value switch
            {
                "ns" => v / 1e6,
                "us" or "µs" => v / 1e3,
                "ms" => v,
                "s" => v * 1e3,
                "m" => v * 60e3,
                _ => v * 3600e3,
            };
        }
        return TimeSpan.FromMilliseconds(ms);
    }
}
