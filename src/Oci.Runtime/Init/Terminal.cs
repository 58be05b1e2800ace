using Oci.Runtime.Interop;
using Oci.Runtime.Rootfs;

namespace Oci.Runtime.Init;

/// <summary><c>process.terminal</c>: a pseudo-terminal whose slave becomes the process's stdio and controlling
/// terminal and /dev/console, and whose master goes to the caller over the console socket.</summary>
internal static class Terminal
{
    public static void SetUp(InitConfig config)
    {
        if (config.ConsoleSocketFd < 0)
            throw new OciException("process.terminal: a terminal needs --console-socket");
        int master = Sys.Open("/dev/ptmx", Sys.O_RDWR | Sys.O_NOCTTY);
        try
        {
            string slavePath = Sys.UnlockPty(master);
            if (config.Spec.Process?.ConsoleSize is { } size) Sys.SetWindowSize(master, (ushort)size.Height, (ushort)size.Width);
            if (config.NewMountNamespace && !config.IsExec) BindConsole(slavePath);
            int slave = Sys.Open(slavePath, Sys.O_RDWR | Sys.O_NOCTTY);
            Sys.SendFd(config.ConsoleSocketFd, master, slavePath);
            // This process already leads its own session (the bootstrap's setsid), with no controlling terminal.
            for (int fd = 0; fd < 3; fd++) Sys.Dup2(slave, fd);
            Sys.SetControllingTerminal(0);
            Sys.Close(slave);
        }
        finally
        {
            Sys.Close(master);
            Sys.Close(config.ConsoleSocketFd);
        }
    }

    static void BindConsole(string slavePath)
    {
        int root = Sys.Open("/", Sys.O_PATH | Sys.O_DIRECTORY);
        try
        {
            int console = PathInRoot.OpenOrCreate(root, "/dev/console", directory: false);
            try
            {
                Sys.Mount(slavePath, PathInRoot.ProcPath(console), null, MountFlags.MS_BIND, null);
            }
            finally
            {
                Sys.Close(console);
            }
        }
        finally
        {
            Sys.Close(root);
        }
    }
}
