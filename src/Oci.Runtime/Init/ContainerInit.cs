using Oci.Runtime.Bootstrap;
using Oci.Runtime.Lifecycle;
using Oci.Runtime.Interop;
using Oci.Runtime.Rootfs;

namespace Oci.Runtime.Init;

/// <summary>
/// The managed half of the container's init. bootstrap.c has already put this process into the container's
/// namespaces; this sets up the filesystem and the process, reports back, waits for <c>start</c> on the exec fifo
/// and executes the user's process.
/// </summary>
public static class ContainerInit
{
    /// <summary>Whether this process was started as a container init (the bootstrap socket is named).</summary>
    public static bool IsInit => Environment.GetEnvironmentVariable(InitLauncher.BootstrapFdVariable) is not null;

    /// <summary>Runs the init; returns only on failure, with the exit code to use.</summary>
    public static int Run()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(InitLauncher.BootstrapFdVariable), out int fd))
        {
            Console.Error.WriteLine("init: not started by the runtime");
            return 1;
        }
        using var channel = new BootstrapChannel(fd);
        InitConfig config;
        try
        {
            config = channel.ReceiveConfig();
        }
        catch (Exception e) when (e is OciException or EndOfStreamException)
        {
            return 1;
        }
        bool reported = false;
        try
        {
            var (executable, environment) = Prepare(config, channel);
            channel.Send(new InitMessage { Type = InitMessage.Ready });
            reported = true;
            channel.Dispose();
            if (config.IsExec) return Execute(config, executable, environment);
            int startFifo = AwaitStart(config.ExecFifoFd);
            try
            {
                config.HookState.Status = ContainerStatus.Created.ToSpecString();
                // In the process's working directory, where init already is: as runc.
                HookRunner.Run(config.Spec.Hooks?.StartContainer, "startContainer", config.HookState, workingDirectory: ".");
            }
            catch (OciException e)
            {
                // start is reading the fifo: it reports the failure and the container stops.
                Sys.WriteAll(startFifo, System.Text.Encoding.UTF8.GetBytes("1" + e.Message));
                return 1;
            }
            // The descriptor is close-on-exec: start sees end-of-file once the user's process has been executed.
            Sys.WriteAll(startFifo, "0"u8);
            return Execute(config, executable, environment);
        }
        catch (Exception e)
        {
            string message = e is OciException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            if (!reported)
            {
                try
                {
                    channel.Send(new InitMessage { Type = InitMessage.Error, Message = message });
                }
                catch (Exception) { }
            }
            else
                Console.Error.WriteLine($"oci-run init: {message}");
            return 1;
        }
    }

    /// <summary>Everything up to the point where the container is created; returns the resolved executable and the
    /// process's environment.</summary>
    static (string Executable, List<string> Environment) Prepare(InitConfig config, BootstrapChannel channel)
    {
        var spec = config.Spec;
        var process = spec.Process ?? throw new SpecValidationException("process", "is required to start a container");
        using var rootfs = new RootfsBuilder(config);
        if (!config.IsExec)
        {
            if (config.NewMountNamespace) rootfs.Prepare();
            if (spec.Hooks?.Prestart is { Count: > 0 } || spec.Hooks?.CreateRuntime is { Count: > 0 })
            {
                channel.Send(new InitMessage { Type = InitMessage.Hooks });
                var reply = channel.ReceiveMessage();
                if (reply.Type != InitMessage.Resume) throw new OciException($"init protocol: expected resume, got {reply.Type}");
            }
            // In the container's root (its path before the switch), as runc.
            HookRunner.Run(spec.Hooks?.CreateContainer, "createContainer", config.HookState, workingDirectory: config.Rootfs);
            if (config.NewMountNamespace) rootfs.SwitchRoot();
        }
        if (!config.NoNewKeyring) JoinSessionKeyring(config);
        if (process.Terminal == true) Terminal.SetUp(config);
        if (!config.IsExec)
        {
            if (config.NewUtsNamespace)
            {
                if (!string.IsNullOrEmpty(spec.Hostname)) Sys.SetHostname(spec.Hostname);
                if (!string.IsNullOrEmpty(spec.Domainname)) Sys.SetDomainname(spec.Domainname);
            }
            Sysctls.Apply(spec.Linux?.Sysctl);
            if (config.NewMountNamespace) rootfs.Finish();
        }
        ProcessAttributes.Apply(config);
        Rlimits.Apply(process.Rlimits);
        var environment = UserProcess.Environment(process);
        string executable = UserProcess.ResolveExecutable(process, environment);
        // Without no_new_privs a filter can only be loaded while init still has CAP_SYS_ADMIN, so before the user
        // changes (as runc does); with it, as late as possible, so that it filters the user's process and not
        // the runtime's own remaining work.
        bool lateSeccomp = process.NoNewPrivileges == true;
        if (config.Seccomp is { } early && !lateSeccomp) Sys.LoadSeccompFilter(early.Filter, early.Flags);
        foreach (var warning in UserProcess.SwitchUser(process))
            channel.Send(new InitMessage { Type = InitMessage.Warning, Message = warning });
        if (process.User.Umask is { } umask) Sys.Umask(umask);
        if (process.NoNewPrivileges == true) Sys.Prctl(Native.PR_SET_NO_NEW_PRIVS, 1);
        return (executable, environment);
    }

    /// <summary>As runc: the container's processes share a session keyring of their own, "_ses.ID", instead of the
    /// caller's (the keys of a containerd shim or of a login session). create makes it searchable by the container's
    /// user (by others, in a user namespace); exec joins it. A kernel without keyrings (ENOSYS) has nothing to
    /// share.</summary>
    static void JoinSessionKeyring(InitConfig config)
    {
        const int ENOSYS = 38;
        const uint KEY_USR_SEARCH = 0x80000, KEY_OTH_SEARCH = 0x8;
        int serial = Sys.TryJoinSessionKeyring("_ses." + config.ContainerId);
        if (serial == -ENOSYS) return;
        if (serial < 0) throw new SyscallException("joining the container's session keyring", -serial);
        if (!config.IsExec) Sys.AddKeyPermissions(serial, config.NewUserNamespace ? KEY_OTH_SEARCH : KEY_USR_SEARCH);
    }

    /// <summary>Blocks until <c>start</c> opens the exec fifo for reading; returns the fifo opened for writing.
    /// Init then writes "0" before it executes the user's process, or "1" and a message when a startContainer hook
    /// failed.</summary>
    static int AwaitStart(int fifoFd)
    {
        // The fifo lives in the runtime's state directory, out of reach after pivot_root; the O_PATH descriptor
        // opened before still reaches it through /proc/self/fd.
        try
        {
            return Sys.Open(PathInRoot.ProcPath(fifoFd), Sys.O_WRONLY);
        }
        finally
        {
            Sys.Close(fifoFd);
        }
    }

    static int Execute(InitConfig config, string executable, List<string> environment)
    {
        var process = config.Spec.Process!;
        Sys.CloseOnExecFrom(config.FirstRuntimeFd);
        Sys.ResetSignals();
        if (config.Seccomp is { } late && process.NoNewPrivileges == true) Sys.LoadSeccompFilter(late.Filter, late.Flags);
        int errno = Sys.Execve(executable, process.Args!, environment);
        Console.Error.WriteLine($"oci-run init: exec {executable}: {new SyscallException("", errno).Message.TrimStart(':', ' ')}");
        return 127;
    }
}
