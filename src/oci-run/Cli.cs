using Microsoft.Extensions.Logging;
using Oci.Cli.CommandLine;
using Oci.Cli.Commands;
using Oci.Cli.Logging;
using Oci.Runtime;
using Oci.Runtime.Lifecycle;

namespace Oci.Cli;

/// <summary>runc's command line: global flags, then a command with its own flags and arguments.</summary>
internal static partial class Cli
{
    static readonly FlagSet GlobalFlags = new FlagSet()
        .Switch("debug", "log the runtime's steps at debug level")
        .Value("log", "a file to append log lines to (default: stderr)")
        .ValueWithDefault("log-format", "\"text\"", "text, or json (one object a line, as containerd's shim reads it)")
        .ValueWithDefault("root", "\"/run/oci-run\"", "the directory for the containers' state (best on a tmpfs; $XDG_RUNTIME_DIR/oci-run for a user other than root)")
        .Value("criu", "the CRIU program for checkpoint and restore (default: criu on PATH)")
        .Switch("systemd-cgroup", "use the systemd cgroup driver: a transient scope per container (cgroupsPath slice:prefix:name)")
        .ValueWithDefault("rootless", "\"auto\"", "true, false, or auto (rootless when the caller is not root)")
        .ValueWithDefault("cgroup-manager", "\"cgroupfs\"", "cgroupfs, systemd, or disabled to make and join no cgroup (crun's flag)")
        .Switch("help", "show this help", "h")
        .Switch("version", "print the version", "v");

    public static int Run(string[] args)
    {
        ParsedArguments global;
        int commandIndex;
        try
        {
            global = GlobalFlags.Parse(args, 0, FlagPlacement.BeforeCommand, out commandIndex);
        }
        catch (UsageException e)
        {
            StdStreams.ErrorLine($"oci-run: {e.Message}");
            return 1;
        }
        if (global.Has("version"))
        {
            StdStreams.Out(VersionText());
            return 0;
        }
        if (global.Has("help") || commandIndex >= args.Length)
        {
            // As runc: no command at all prints the help too, and is no error.
            StdStreams.Out(Usage());
            return 0;
        }
        if (CommandTable.IsHelp(args[commandIndex]))
        {
            try
            {
                StdStreams.Out(CommandTable.Help(commandIndex + 1 < args.Length ? args[commandIndex + 1] : null) ?? Usage());
                return 0;
            }
            catch (UsageException e)
            {
                StdStreams.ErrorLine($"oci-run: {e.Message}");
                return 3;
            }
        }

        string logFormat = global.Value("log-format") ?? "text";
        using var logging = CreateLogging(global, logFormat, out bool logsToStderr);
        var logger = logging.CreateLogger("oci-run");
        active = new ActiveLogging(logger, logsToStderr);
        try
        {
            if (logFormat is not ("text" or "json"))
                throw new UsageException($"--log-format: invalid log format \"{logFormat}\": must be text or json");
            bool? rootless = (global.Value("rootless") ?? "auto") switch
            {
                "true" => true,
                "false" => false,
                "auto" => null,
                var other => throw new UsageException($"--rootless: invalid value \"{other}\": must be true, false or auto"),
            };
            string cgroupManager = global.Value("cgroup-manager") ?? (global.Has("systemd-cgroup") ? "systemd" : "cgroupfs");
            if (cgroupManager is not ("cgroupfs" or "systemd" or "disabled"))
                throw new UsageException($"--cgroup-manager: invalid value \"{cgroupManager}\": must be cgroupfs, systemd or disabled");
            if (global.Has("systemd-cgroup") && cgroupManager != "systemd")
                throw new UsageException($"--systemd-cgroup and --cgroup-manager={cgroupManager} contradict each other");
            var runtime = new ContainerRuntime(new RuntimeOptions
            {
                Root = global.Value("root") ?? RuntimeOptions.DefaultRoot,
                Rootless = rootless,
                CgroupsDisabled = cgroupManager == "disabled",
                CriuPath = global.Value("criu"),
                SystemdCgroup = cgroupManager == "systemd",
            }, logger);
            string command = args[commandIndex];
            var rest = args.AsSpan(commandIndex + 1).ToArray();
            return CommandTable.Run(command, rest, runtime, logger);
        }
        // Every failure of a command ends here, whatever its type: one line in the log (JSON with --log-format
        // json), never a stack trace.
        catch (Exception e)
        {
            Report(logger, logsToStderr, e);
            return CommandTable.FailureExitCode(args[commandIndex]);
        }
        finally
        {
            active = null;
        }
    }

    /// <summary>The logging of the command that runs, for <see cref="ReportUnhandled"/>.</summary>
    sealed record ActiveLogging(ILogger Logger, bool ToStderr);

    static volatile ActiveLogging? active;

    static void Report(ILogger logger, bool logsToStderr, Exception e)
    {
        string message = Describe(e);
        logger.LogError("{Message}", message);
        if (!logsToStderr) StdStreams.ErrorLine(message);
    }

    /// <summary>Reports a failure that escaped a command on a thread of its own (signal forwarding, a terminal
    /// relay) the way <see cref="Run"/> reports its own: one line, in the log when there is one.</summary>
    public static void ReportUnhandled(Exception e)
    {
        if (active is { } a) Report(a.Logger, a.ToStderr, e);
        else StdStreams.ErrorLine($"oci-run: {Describe(e)}");
    }

    /// <summary>An exception in words. The runtime's own errors and usage errors say what is wrong; anything else is
    /// a bug of oci-run, named as such, with its type (in the NativeAOT binary a .NET exception's message is only a
    /// resource key such as <c>IO_FileNotFound_FileName</c>).</summary>
    public static string Describe(Exception e) => e switch
    {
        OciException or UsageException => e.Message,
        FileNotFoundException f => $"{f.FileName ?? ArgumentsOf(f.Message)}: does not exist",
        DirectoryNotFoundException => $"{ArgumentsOf(e.Message)}: does not exist",
        UnauthorizedAccessException => $"{ArgumentsOf(e.Message)}: permission denied",
        _ => $"unexpected {e.GetType().Name}: {e.Message}",
    };

    /// <summary>The arguments of a trimmed runtime's message, "IO_PathNotFound_Path, /a/b" → "/a/b" (the path);
    /// any other message as it is.</summary>
    static string ArgumentsOf(string message) =>
        ResourceKeyMessage().Match(message) is { Success: true } m ? m.Groups[1].Value : message;

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Z][A-Za-z]*_[A-Za-z_]+, (.+)$")]
    private static partial System.Text.RegularExpressions.Regex ResourceKeyMessage();

    static RuncLogProvider CreateLogging(ParsedArguments global, string format, out bool toStderr)
    {
        string? logPath = global.Value("log");
        toStderr = logPath is null;
        Stream stream;
        try
        {
            stream = logPath is null
                ? StdStreams.OpenError()
                : new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            StdStreams.ErrorLine($"--log: {Describe(e)}");
            toStderr = true;
            stream = StdStreams.OpenError();
        }
        var level = global.Has("debug") ? LogLevel.Debug : LogLevel.Information;
        // The provider's logger itself, without a LoggerFactory: nothing but the one provider is needed, and the
        // factory's options, filters and monitors cost start-up time in every command.
        return new RuncLogProvider(stream, format == "json", level);
    }

    static string VersionText()
    {
        var informational = typeof(Cli).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0";
        int plus = informational.IndexOf('+');
        string version = plus < 0 ? informational : informational[..plus];
        string commit = plus < 0 ? "unknown" : informational[(plus + 1)..];
        return $"oci-run version {version}\ncommit: {commit}\nspec: {Oci.Runtime.Spec.SpecNames.OciVersion}\n";
    }

    static string Usage() => $"""
    NAME:
       oci-run - an OCI container runtime (runtime-spec 1.3) with runc's command line

    USAGE:
       oci-run [global options] command [command options] [arguments...]

    COMMANDS:
    {CommandTable.CommandList()}
    GLOBAL OPTIONS:
    {GlobalFlags.Describe()}
    Run 'oci-run COMMAND --help' for the usage and flags of one command.

    """;
}
