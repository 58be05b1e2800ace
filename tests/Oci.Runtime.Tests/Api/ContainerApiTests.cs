using System.Text;
using Oci.Runtime.Lifecycle;
using Oci.Runtime.Spec;
using Oci.Runtime.Tests.Integration;
using Xunit;

namespace Oci.Runtime.Tests.Api;

/// <summary>The library driven in-process, as a consumer of the package drives it: <see cref="Container"/> from a
/// spec built in code, its stdio, waits, exec, kill and delete (with no process or zombie left), and the typed
/// errors. Each test has its own state root and ids, and deletes in finally.</summary>
public sealed class ContainerApiTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("oci-run-api-").FullName;

    public void Dispose()
    {
        foreach (var dir in Directory.EnumerateDirectories(root))
            try
            {
                Container.Load(Path.GetFileName(dir), Options()).DeleteAsync(new DeleteOptions { Force = true }).GetAwaiter().GetResult();
            }
            catch (OciException) { }
        Directory.Delete(root, recursive: true);
    }

    ContainerOptions Options(Stdio? stdin = null, Stdio? stdout = null, Stdio? stderr = null) => new()
    {
        StateRoot = root,
        StandardInput = stdin ?? Stdio.Null,
        StandardOutput = stdout ?? Stdio.Pipe,
        StandardError = stderr ?? Stdio.Pipe,
    };

    static string NewId() => "api-" + Guid.NewGuid().ToString("N")[..10];

    static SpecBuilder Busybox(params string[] args) => new SpecBuilder(BusyboxRootfs.Path).Args(args);

    static async Task<string> ReadAll(Stream? stream)
    {
        Assert.NotNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    /// <summary>Whether <paramref name="pid"/> exists at all, a zombie included.</summary>
    static bool ProcessExists(int pid) => Directory.Exists($"/proc/{pid}");

    [ContainerFact]
    public async Task A_container_built_in_code_runs_and_its_output_and_exit_code_come_back()
    {
        var spec = Busybox("sh", "-c", "echo out:$GREETING; echo err >&2; hostname; exit 7").Env("GREETING", "hi").Hostname("api").Build();
        await using var container = await Container.CreateAsync(NewId(), spec, Options());
        Assert.Equal(ContainerStatus.Created, container.GetState().Status);
        var stdout = ReadAll(container.StandardOutput);
        var stderr = ReadAll(container.StandardError);
        await container.StartAsync();
        var exit = await container.WaitForExitAsync();
        Assert.Equal(7, exit.ExitCode);
        Assert.Null(exit.Signal);
        Assert.Equal("out:hi\napi\n", await stdout);
        Assert.Equal("err\n", await stderr);
        Assert.Equal(ContainerStatus.Stopped, container.GetState().Status);
    }

    [ContainerFact]
    public async Task Stdin_is_a_stream_the_caller_writes()
    {
        await using var container = await Container.CreateAsync(NewId(), Busybox("tr", "a-z", "A-Z").Build(), Options(stdin: Stdio.Pipe));
        var stdout = ReadAll(container.StandardOutput);
        await container.StartAsync();
        await container.StandardInput!.WriteAsync(Encoding.UTF8.GetBytes("shout\n"));
        await container.StandardInput.DisposeAsync();
        Assert.Equal(0, (await container.WaitForExitAsync()).ExitCode);
        Assert.Equal("SHOUT\n", await stdout);
    }

    [ContainerFact]
    public async Task Kill_ends_the_container_and_the_wait_reports_the_signal()
    {
        await using var container = await Container.CreateAsync(NewId(), Busybox("sleep", "1000").Build(), Options());
        await container.StartAsync();
        Assert.Equal(ContainerStatus.Running, container.GetState().Status);
        container.Kill(Signal.Kill);
        var exit = await container.WaitForExitAsync();
        Assert.Equal(Signal.Kill, exit.Signal);
        Assert.Equal(137, exit.ShellCode);
        Assert.Throws<ContainerStateException>(() => container.Kill(Signal.Term));
    }

    [ContainerFact]
    public async Task A_cancelled_wait_leaves_the_container_running()
    {
        await using var container = await Container.CreateAsync(NewId(), Busybox("sleep", "1000").Build(), Options());
        await container.StartAsync();
        using var cancel = new CancellationTokenSource();
        var wait = container.WaitForExitAsync(cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.Equal(ContainerStatus.Running, container.GetState().Status);
    }

    [ContainerFact]
    public async Task Exec_runs_a_process_with_its_own_stdio_and_wait()
    {
        await using var container = await Container.CreateAsync(NewId(), Busybox("sleep", "1000").Build(), Options());
        await container.StartAsync();
        var process = new Process { Args = ["sh", "-c", "echo exec:$(hostname); read line; echo got:$line >&2; exit 3"], Cwd = "/",
            Env = ["PATH=/bin"] };
        await using var exec = await container.ExecAsync(process,
            new ExecProcessOptions { StandardInput = Stdio.Pipe, StandardOutput = Stdio.Pipe, StandardError = Stdio.Pipe });
        var stdout = ReadAll(exec.StandardOutput);
        var stderr = ReadAll(exec.StandardError);
        await exec.StandardInput!.WriteAsync(Encoding.UTF8.GetBytes("line\n"));
        await exec.StandardInput.DisposeAsync();
        Assert.Equal(3, (await exec.WaitForExitAsync()).ExitCode);
        Assert.Equal("exec:oci-run\n", await stdout);
        Assert.Equal("got:line\n", await stderr);
        Assert.False(ProcessExists(exec.Pid));
        Assert.Equal(ContainerStatus.Running, container.GetState().Status);
    }

    [ContainerFact]
    public async Task Delete_leaves_no_process_and_no_zombie_of_the_init_or_of_an_exec_nobody_waited_for()
    {
        string id = NewId();
        var container = await Container.CreateAsync(id, Busybox("sleep", "1000").Build(), Options());
        int init = container.Pid, exec;
        try
        {
            await container.StartAsync();
            var process = await container.ExecAsync(new Process { Args = ["sleep", "1000"], Cwd = "/", Env = ["PATH=/bin"] },
                new ExecProcessOptions { StandardInput = Stdio.Null, StandardOutput = Stdio.Null, StandardError = Stdio.Null });
            exec = process.Pid;
            Assert.True(ProcessExists(init));
            Assert.True(ProcessExists(exec));
            await Assert.ThrowsAsync<ContainerStateException>(() => container.DeleteAsync());
            await container.DeleteAsync(new DeleteOptions { Force = true });
        }
        finally
        {
            await container.DisposeAsync();
        }
        Assert.False(ProcessExists(init), $"init {init} is left (a zombie?)");
        Assert.False(ProcessExists(exec), $"exec'd process {exec} is left (a zombie?)");
        Assert.Throws<ContainerNotFoundException>(() => Container.Load(id, Options()));
    }

    [ContainerFact]
    public async Task Disposing_a_stopped_container_nobody_waited_for_reaps_its_init()
    {
        var container = await Container.CreateAsync(NewId(), Busybox("true").Build(), Options());
        int init = container.Pid;
        await container.StartAsync();
        while (!container.HasExited) await Task.Delay(10);
        Assert.True(ProcessExists(init)); // a zombie until reaped
        await container.DisposeAsync();
        Assert.False(ProcessExists(init));
    }

    [ContainerFact]
    public async Task A_loaded_container_is_driven_and_its_end_is_seen_without_its_status()
    {
        string id = NewId();
        await using var created = await Container.CreateAsync(id, Busybox("sleep", "1000").Build(), Options());
        using (var loaded = Container.Load(id, Options()))
        {
            Assert.Equal(created.Pid, loaded.Pid);
            await loaded.StartAsync();
            Assert.Equal(ContainerStatus.Running, loaded.GetState().Status);
            loaded.Pause();
            Assert.Equal(ContainerStatus.Paused, loaded.GetState().Status);
            loaded.Resume();
            loaded.Kill(Signal.Kill);
            Assert.False((await loaded.WaitForExitAsync()).IsKnown);
        }
        Assert.Equal(Signal.Kill, (await created.WaitForExitAsync()).Signal);
    }

    [ContainerFact]
    public async Task Errors_are_typed()
    {
        string id = NewId();
        Assert.Throws<ContainerNotFoundException>(() => Container.Load(id, Options()));
        await using var container = await Container.CreateAsync(id, Busybox("sleep", "1000").Build(), Options());
        var exists = await Assert.ThrowsAsync<ContainerAlreadyExistsException>(() => Container.CreateAsync(id, Busybox("true").Build(), Options()));
        Assert.Equal(id, exists.Id);
        await container.StartAsync();
        var state = await Assert.ThrowsAsync<ContainerStateException>(() => container.StartAsync());
        Assert.Equal(ContainerStatus.Running, state.Status);
        Assert.Contains("already running", state.Message);

        var bad = Busybox().Configure(s => s.Process!.Args = []).Build();
        var invalid = await Assert.ThrowsAsync<SpecValidationException>(() => Container.CreateAsync(NewId(), bad, Options()));
        Assert.Equal("process.args", invalid.JsonPath);
        Assert.Single(Directory.EnumerateDirectories(root)); // nothing left of the failed create
    }

    [ContainerFact]
    public async Task A_terminal_is_a_stream_the_caller_drives()
    {
        var spec = Busybox("sh", "-c", "tty; read line; echo got:$line").Terminal().Build();
        await using var container = await Container.CreateAsync(NewId(), spec, Options());
        Assert.NotNull(container.Terminal);
        await container.StartAsync();
        await container.Terminal!.WriteAsync(Encoding.UTF8.GetBytes("typed\n"));
        var output = new StringBuilder();
        var buffer = new byte[1024];
        while (!output.ToString().Contains("got:typed"))
        {
            int n;
            try
            {
                n = await container.Terminal.ReadAsync(buffer);
            }
            catch (IOException)
            {
                break; // EIO: the container's side is gone
            }
            if (n == 0) break;
            output.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        Assert.Contains("/dev/pts/", output.ToString());
        Assert.Contains("got:typed", output.ToString());
        Assert.Equal(0, (await container.WaitForExitAsync()).ExitCode);
    }

    [ContainerFact]
    public async Task Stats_and_events_come_as_objects()
    {
        await using var container = await Container.CreateAsync(NewId(), Busybox("sleep", "1000").Build(), Options());
        await container.StartAsync();
        Assert.True(container.GetStats().Pids.Current >= 1);
        using var cancel = new CancellationTokenSource();
        await foreach (var e in container.EventsAsync(TimeSpan.FromMilliseconds(50), cancel.Token))
        {
            Assert.Equal("stats", e.Type);
            Assert.Equal(container.Id, e.Id);
            break;
        }
        await container.UpdateAsync(new LinuxResources { Pids = new LinuxPids { Limit = 50 } });
        Assert.Contains(container.Pid, container.GetProcessIds());
    }
}
