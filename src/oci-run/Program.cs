using Oci.Cli;
using Oci.Runtime.Bootstrap;
using Oci.Runtime.Init;

// A container's init is this same binary, re-executed: bootstrap.c has already put it into the container's
// namespaces before Main runs.
if (ContainerInit.IsInit && args is ["init", ..])
    return ContainerInit.Run();
// A failure on a thread of the command's own (signal forwarding, a terminal relay) ends the command with one line,
// as Cli.Run does for its own: never the runtime's stack trace and abort.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    Cli.ReportUnhandled(e.ExceptionObject as Exception ?? new InvalidOperationException("unexpected failure"));
    InitLauncher.EndPrestarted();
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
finally
{
    // Native/prestart.c started an init for create, run or exec before .NET started; end it if none was used.
    InitLauncher.EndPrestarted();
}
