using Oci.Cli;

return Cli.Run(args);
