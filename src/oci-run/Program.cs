using Oci.Cli;

// A failure on a thread of the command's own (signal forwarding, a terminal relay) ends the command with one line,
// as Cli.Run does for its own: never the runtime's stack trace and abort.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    Cli.ReportUnhandled(e.ExceptionObject as Exception ?? new InvalidOperationException("unexpected failure"));
    Environment.Exit(1);
};
try
{
    return Cli.Run(args);
}
catch (Exception e)
{
    // Cli.Run handles every failure of a command; this is the last resort for one of its handler.
    StdStreams.ErrorLine($"oci-run: {Cli.Describe(e)}");
    return 1;
}
