using System.Runtime.ExceptionServices;
using Oci.Cli;

// A failure on a thread of the command's own (signal forwarding, a terminal relay) ends the command with one line,
// as Cli.Run does for its own: never the runtime's stack trace and abort.
// Not AppDomain.UnhandledException: subscribing to it builds AppContext's data store, half a percent of a run's CPU.
ExceptionHandling.SetUnhandledExceptionHandler(e =>
{
    Cli.ReportUnhandled(e);
    Environment.Exit(1);
    return true;
});
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
