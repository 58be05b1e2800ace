using Oci.Cli;
using Oci.Runtime.Bootstrap;
using Oci.Runtime.Init;

// A container's init is this same binary, re-executed: bootstrap.c has already put it into the container's
// namespaces before Main runs.
if (ContainerInit.IsInit && args is ["init", ..])
    return ContainerInit.Run();
try
{
    return Cli.Run(args);
}
finally
{
    // Native/prestart.c started an init for create, run or exec before .NET started; end it if none was used.
    InitLauncher.EndPrestarted();
}
