using Oci.Cli;
using Oci.Runtime.Init;

// A container's init is this same binary, re-executed: bootstrap.c has already put it into the container's
// namespaces before Main runs.
if (ContainerInit.IsInit && args is ["init", ..])
    return ContainerInit.Run();
return Cli.Run(args);
