using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;
using Oci.Runtime.Cgroups;
using Oci.Runtime.Interop;
using Oci.Runtime.Lifecycle;
using Oci.Runtime.Spec;

namespace Oci.Runtime;

/// <summary>
/// A container, driven in-process: create it from a bundle or from a <see cref="RuntimeSpec"/> built in code, start
/// it, talk to it through its stdio, wait for it, exec into it, signal, pause, update and delete it.
/// </summary>
/// <remarks>
/// <para>The container's init (and every process <see cref="ExecAsync"/> starts) is a child of the calling process.
/// This handle watches it through a pidfd and reaps it: after <see cref="WaitForExitAsync"/> or
/// <see cref="DeleteAsync"/> no zombie is left, whether or not the caller reaps children itself (a caller that does,
/// with <c>waitpid(-1)</c>, takes the exit status; the handle then reports it as unknown).</para>
/// <para>Nothing process-wide changes unless asked for: no signal handler is installed, and the calling process
/// becomes a child subreaper only with <see cref="ContainerOptions.ChildSubreaper"/>.</para>
/// <para>The container lives in <see cref="ContainerOptions.StateRoot"/> like one made by <c>oci-run create</c>:
/// other processes (and <c>oci-run</c>) see it, and commands on it are serialised by the state directory's lock.
/// Creating and deleting containers needs root (or the capabilities for namespaces, mounts and cgroups).</para>
/// </remarks>
public sealed class Container : IAsyncDisposable, IDisposable
{
    readonly ContainerRuntime runtime;
    readonly ProcessWaiter? init;
    readonly List<ProcessWaiter> execs = [];
    readonly bool deleteOnDispose;
    bool deleted;

    Container(string id, ContainerRuntime runtime, ProcessWaiter? init, bool deleteOnDispose, StdioPlumbing? stdio, Stream? terminal)
    {
        Id = id;
        this.runtime = runtime;
        this.init = init;
        this.deleteOnDispose = deleteOnDispose;
        StandardInput = stdio?.Input;
        StandardOutput = stdio?.Output;
        StandardError = stdio?.Error;
        Terminal = terminal;
    }

    /// <summary>The container's id.</summary>
    public string Id { get; }

    /// <summary>The init's pid in the caller's PID namespace; 0 when the handle was loaded after it stopped.</summary>
    public int Pid => init?.Pid ?? 0;

    /// <summary>The write end of the init's standard input when <see cref="ContainerOptions.StandardInput"/> is
    /// <see cref="Stdio.Pipe"/>; dispose it to send end-of-file.</summary>
    public Stream? StandardInput { get; }

    /// <summary>The read end of the init's standard output when <see cref="ContainerOptions.StandardOutput"/> is
    /// <see cref="Stdio.Pipe"/>. It reaches end-of-file when every process of the container has closed it.</summary>
    public Stream? StandardOutput { get; }

    /// <summary>The read end of the init's standard error when <see cref="ContainerOptions.StandardError"/> is
    /// <see cref="Stdio.Pipe"/>.</summary>
    public Stream? StandardError { get; }

    /// <summary>The pty master when the spec sets <c>process.terminal</c> and no
    /// <see cref="ContainerOptions.ConsoleSocket"/> was given: read the container's output from it and write its
    /// input to it.</summary>
    public Stream? Terminal { get; }

    /// <summary>Creates container <paramref name="id"/> from the bundle at <paramref name="bundlePath"/> (its
    /// <c>config.json</c> and root filesystem), as <c>oci-run create</c> does: the init waits for
    /// <see cref="StartAsync"/>.</summary>
    /// <exception cref="ContainerAlreadyExistsException">The state root holds a container with this id.</exception>
    /// <exception cref="SpecValidationException">The config is invalid; <see cref="SpecValidationException.JsonPath"/>
    /// names the value, such as <c>process.args</c>.</exception>
    /// <exception cref="OciException">The container could not be created; nothing is left behind.</exception>
    public static Task<Container> CreateFromBundleAsync(string id, string bundlePath, ContainerOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundlePath);
        return CreateAsync(id, bundlePath, null, options ?? new ContainerOptions(), cancellationToken);
    }

    /// <summary>Creates container <paramref name="id"/> from a spec built in code (see <see cref="Spec.SpecBuilder"/>),
    /// without writing a config.json: the init waits for <see cref="StartAsync"/>. A relative <c>root.path</c> is
    /// relative to <see cref="ContainerOptions.Bundle"/>.</summary>
    /// <exception cref="ContainerAlreadyExistsException">The state root holds a container with this id.</exception>
    /// <exception cref="SpecValidationException">The spec is invalid; <see cref="SpecValidationException.JsonPath"/>
    /// names the value, such as <c>process.args</c>.</exception>
    /// <exception cref="OciException">The container could not be created; nothing is left behind.</exception>
    public static Task<Container> CreateAsync(string id, RuntimeSpec spec, ContainerOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        options ??= new ContainerOptions();
        return CreateAsync(id, options.Bundle ?? Directory.GetCurrentDirectory(), SpecLoader.Serialize(spec), options, cancellationToken);
    }

    static Task<Container> CreateAsync(string id, string bundle, byte[]? config, ContainerOptions options, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (options.ExtraFiles.Count > 0 && options.PreserveFds > 0)
            throw new ArgumentException("ExtraFiles and PreserveFds cannot both be given", nameof(options));
        cancel.ThrowIfCancellationRequested();
        return Task.Run(() => Create(id, bundle, config, options), cancel);
    }

    static Container Create(string id, string bundle, byte[]? config, ContainerOptions options)
    {
        var runtime = Runtime(options);
        if (options.ChildSubreaper) Sys.BecomeChildSubreaper();
        var stdio = StdioPlumbing.Open(options.StandardInput, options.StandardOutput, options.StandardError, options.ExtraFiles);
        var (ours, theirs) = options.ConsoleSocket is null ? Sys.SocketPair() : (-1, -1);
        ProcessWaiter? init = null;
        try
        {
            int pid = runtime.Create(id, bundle, new CreateOptions
            {
                PidFile = options.PidFile,
                ConsoleSocket = options.ConsoleSocket,
                ConsoleSocketFd = theirs,
                NoPivot = options.NoPivot,
                NoNewKeyring = options.NoNewKeyring,
                PreserveFds = Math.Max(options.PreserveFds, options.ExtraFiles.Count),
                Descriptors = stdio.Descriptors,
                ConfigJson = config,
            });
            // The init is this process's child: its pid stays its own until it is reaped, here.
            init = ProcessWaiter.Open(pid, child: true);
            stdio.Started();
            Stream? terminal = TakeTerminal(ours);
            return new Container(id, runtime, init, options.DeleteOnDispose, stdio, terminal);
        }
        catch
        {
            stdio.Dispose();
            init?.Dispose();
            throw;
        }
        finally
        {
            Sys.Close(ours);
            Sys.Close(theirs);
        }
    }

    /// <summary>The pty master the init sent over the console socket pair (before create returned), as a stream;
    /// null when the process has no terminal.</summary>
    static FileStream? TakeTerminal(int socket)
    {
        if (socket < 0) return null;
        int master = Sys.TryReceiveFd(socket);
        return master < 0 ? null : new FileStream(new SafeFileHandle(master, ownsHandle: true), FileAccess.ReadWrite, bufferSize: 0);
    }

    /// <summary>A handle on container <paramref name="id"/>, made by this or another process (or by
    /// <c>oci-run</c>). Its init is not this process's child: <see cref="WaitForExitAsync"/> tells when it ends but not
    /// how (<see cref="ExitStatus.IsKnown"/> is false). Disposing the handle does not delete the container.</summary>
    /// <exception cref="ContainerNotFoundException">The state root holds no container with this id.</exception>
    public static Container Load(string id, ContainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        var runtime = Runtime(options ?? new ContainerOptions());
        var before = runtime.State(id);
        ProcessWaiter? init = null;
        if (before.Pid is > 0 and var pid)
        {
            init = ProcessWaiter.Open(pid, child: false);
            // The pidfd is the container's init only if the init still is that pid now that the pidfd is open.
            if (init is not null && runtime.State(id).Pid != pid)
            {
                init.Dispose();
                init = null;
            }
        }
        return new Container(id, runtime, init, deleteOnDispose: false, null, null);
    }

    static ContainerRuntime Runtime(ContainerOptions options) =>
        new(new RuntimeOptions { Root = options.StateRoot, CgroupsDisabled = options.CgroupsDisabled }, options.Logger);

    /// <summary>Runs the user's process of the created container (runc's <c>start</c>) and its poststart
    /// hooks.</summary>
    /// <exception cref="ContainerStateException">The container is not in the created state.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default) =>
        Task.Run(() => runtime.Start(Id), cancellationToken);

    /// <summary>Waits for the container's init to end and reaps it: its exit code, or the signal that killed it.
    /// Cancelling stops the wait, not the container.</summary>
    public Task<ExitStatus> WaitForExitAsync(CancellationToken cancellationToken = default) =>
        init is null ? Task.FromResult(default(ExitStatus)) : init.WaitAsync(cancellationToken);

    /// <summary>Whether the container's init has ended.</summary>
    public bool HasExited => init is null || init.HasExited;

    /// <summary>Sends <paramref name="signal"/> to the init, or to every process of the container
    /// (<see cref="KillOptions.All"/>).</summary>
    /// <exception cref="ContainerStateException">The container is not running (<c>container not running</c>).</exception>
    public void Kill(Signal signal = Signal.Term, KillOptions? options = null) =>
        runtime.Kill(Id, signal, options);

    /// <summary>The container's state now.</summary>
    /// <exception cref="ContainerNotFoundException">The container has been deleted.</exception>
    public ContainerState GetState() => ContainerState.From(runtime.State(Id));

    /// <summary>Its cgroup statistics now (runc's <c>events --stats</c>).</summary>
    public CgroupStats GetStats() => runtime.Stats(Id);

    /// <summary>The pids (in the caller's PID namespace) of every process of the container.</summary>
    public IReadOnlyList<int> GetProcessIds() => runtime.Processes(Id);

    /// <summary>Changes the container's resources (runc's <c>update</c>): the fields set in
    /// <paramref name="resources"/> replace the current ones, the others keep their value.</summary>
    public Task UpdateAsync(LinuxResources resources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resources);
        return Task.Run(() => runtime.Update(Id, resources), cancellationToken);
    }

    /// <summary>Freezes every process of the container.</summary>
    public void Pause() => runtime.Pause(Id);

    /// <summary>Thaws a paused container.</summary>
    public void Resume() => runtime.Resume(Id);

    /// <summary>runc's <c>events</c>: a stats event every <paramref name="interval"/> and an <c>oom</c> event whenever
    /// the OOM killer kills one of its processes, until the container stops or <paramref name="cancellationToken"/>
    /// fires.</summary>
    public async IAsyncEnumerable<ContainerEvent> EventsAsync(TimeSpan interval,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<ContainerEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() =>
        {
            try
            {
                runtime.Events(Id, interval, e => channel.Writer.TryWrite(e), stop.Token);
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                while (channel.Reader.TryRead(out var e))
                    yield return e;
        }
        finally
        {
            stop.Cancel();
            await producer.ConfigureAwait(false);
        }
    }

    /// <summary>Starts another process in the running container (runc's <c>exec</c>): it joins the container's
    /// namespaces and cgroups and runs as <paramref name="process"/> says (its args, env, cwd, user, capabilities,
    /// terminal). Returns once it runs; the handle waits for it.</summary>
    /// <exception cref="ContainerStateException">The container is stopped, or paused without
    /// <see cref="ExecProcessOptions.IgnorePaused"/>.</exception>
    public Task<ContainerProcess> ExecAsync(Process process, ExecProcessOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(process);
        options ??= new ExecProcessOptions();
        return Task.Run(() => Exec(process, options), cancellationToken);
    }

    ContainerProcess Exec(Process process, ExecProcessOptions options)
    {
        var stdio = StdioPlumbing.Open(options.StandardInput, options.StandardOutput, options.StandardError, options.ExtraFiles);
        var (ours, theirs) = process.Terminal == true && options.ConsoleSocket is null ? Sys.SocketPair() : (-1, -1);
        try
        {
            int pid = runtime.StartExec(Id, _ => process, new ExecOptions
            {
                Detach = true,
                PidFile = options.PidFile,
                ConsoleSocket = options.ConsoleSocket,
                ConsoleSocketFd = theirs,
                PreserveFds = options.ExtraFiles.Count,
                Descriptors = stdio.Descriptors,
                IgnorePaused = options.IgnorePaused,
                Cgroups = options.Cgroups,
            }, out var relay);
            relay?.Dispose(); // none: a terminal without a console socket goes to this handle
            var waiter = ProcessWaiter.Open(pid, child: true) ?? throw new OciException($"exec: process {pid} vanished");
            stdio.Started();
            lock (execs) execs.Add(waiter);
            return new ContainerProcess(waiter, stdio, TakeTerminal(ours));
        }
        catch
        {
            stdio.Dispose();
            throw;
        }
        finally
        {
            Sys.Close(ours);
            Sys.Close(theirs);
        }
    }

    /// <summary>Deletes the container (runc's <c>delete</c>): a stopped or created one always, a running or paused one
    /// only with <see cref="DeleteOptions.Force"/> (it is killed first). Its cgroups and state go and its poststop
    /// hooks run. When it returns no process of the container is left, and the init and the exec'd processes this
    /// handle started have been reaped.</summary>
    /// <exception cref="ContainerStateException">The container runs and <see cref="DeleteOptions.Force"/> is not set.</exception>
    /// <exception cref="ContainerNotFoundException">No such container (and not <see cref="DeleteOptions.Force"/>).</exception>
    public Task DeleteAsync(DeleteOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Delete(options), cancellationToken);

    void Delete(DeleteOptions? options)
    {
        // The exec'd processes are reaped as they die, while the delete runs: the init of a PID namespace does not
        // end until every process of the namespace has been reaped, and those are this process's children.
        using var stop = new CancellationTokenSource();
        List<Task> reaping;
        lock (execs) reaping = [.. execs.Select(e => e.WaitAsync(stop.Token))];
        try
        {
            runtime.Delete(Id, options);
            deleted = true;
        }
        finally
        {
            stop.Cancel();
            try
            {
                Task.WaitAll(reaping);
            }
            catch (AggregateException) { } // cancelled: a process that still runs (the delete was refused)
        }
        ReapAll();
    }

    /// <summary>Reaps the init and the exec'd processes once they have ended: the delete killed them, and with the
    /// container's PID namespace gone the exec'd ones die with the init.</summary>
    void ReapAll()
    {
        init?.WaitAndReap(10_000);
        lock (execs)
            foreach (var exec in execs)
                exec.WaitAndReap(10_000);
    }

    /// <summary>Deletes the container (forcibly) when this handle created it and
    /// <see cref="ContainerOptions.DeleteOnDispose"/> is set, closes the streams and reaps what has ended.</summary>
    public async ValueTask DisposeAsync()
    {
        if (deleteOnDispose && !deleted)
        {
            try
            {
                await DeleteAsync(new DeleteOptions { Force = true }).ConfigureAwait(false);
            }
            catch (ContainerNotFoundException)
            {
            }
        }
        Close();
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose()
    {
        if (deleteOnDispose && !deleted)
        {
            try
            {
                Delete(new DeleteOptions { Force = true });
            }
            catch (ContainerNotFoundException)
            {
            }
        }
        Close();
    }

    void Close()
    {
        StandardInput?.Dispose();
        StandardOutput?.Dispose();
        StandardError?.Dispose();
        Terminal?.Dispose();
        init?.Reap();
        init?.Dispose();
        lock (execs)
        {
            foreach (var exec in execs)
            {
                exec.Reap();
                exec.Dispose();
            }
            execs.Clear();
        }
    }
}
