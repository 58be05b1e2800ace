using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Integration.ContainerEnvironment;

/// <summary><c>hooks</c>: each kind runs at its moment in the lifecycle, in its namespace, with the state on stdin
/// and its args and env; a failing hook is an error that destroys the container, except poststop (a warning).</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class HookTests
{
    /// <summary>A hook that records its stdin, $0 and an env variable, its mount namespace and its turn.</summary>
    static Hook Recorder(string dir, string name, string shell = "/bin/sh") => new()
    {
        Path = shell,
        Args = ["sh", "-c", $"cat > {dir}/{name}.json; echo \"$0 $HOOK_VAR\" > {dir}/{name}.args; " +
                            $"readlink /proc/self/ns/mnt > {dir}/{name}.mnt; echo {name} >> {dir}/order", name],
        Env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", $"HOOK_VAR=env-of-{name}"],
        Timeout = 60,
    };

    static Hook Failing(string text) => new()
    {
        Path = "/bin/sh", Args = ["sh", "-c", $"echo {text}; exit 3"], Env = ["PATH=/usr/bin:/bin"],
    };

    static ContainerStateDocument StateOf(string dir, string name) =>
        SpecLoader.ParseState(File.ReadAllBytes(Path.Combine(dir, name + ".json")));

    static string Read(string dir, string name) => File.ReadAllText(Path.Combine(dir, name)).Trim();

    [ContainerFact]
    public void EveryHookRunsAtItsMomentInItsNamespaceWithTheState()
    {
        using var h = new OciRunHarness();
        string dir = Env.HostDirectory(h, "hooks");
        var spec = Env.Sh("echo process >> /out/order");
        spec.Mounts!.Add(Env.Bind(dir, "/out"));
        spec.Hooks = new Hooks
        {
            Prestart = [Recorder(dir, "prestart")],
            CreateRuntime = [Recorder(dir, "createRuntime")],
            CreateContainer = [Recorder(dir, "createContainer")],
            // startContainer's path resolves in the container, after pivot_root: the container's busybox and /out.
            StartContainer = [Recorder("/out", "startContainer")],
            Poststart = [Recorder(dir, "poststart")],
            Poststop = [Recorder(dir, "poststop")],
        };
        string id = Env.Create(h, spec);
        var created = h.State(id);
        Assert.Equal("created", created.Status);
        int pid = created.Pid!.Value;
        string hostMnt = Env.Shell("readlink /proc/self/ns/mnt").Trim();
        string containerMnt = Env.Shell($"readlink /proc/{pid}/ns/mnt").Trim();
        Assert.NotEqual(hostMnt, containerMnt);

        // create ran prestart, createRuntime (runtime namespace) and createContainer (container namespace).
        Assert.Equal(["prestart", "createRuntime", "createContainer"], File.ReadAllLines(Path.Combine(dir, "order")));
        foreach (var name in new[] { "prestart", "createRuntime", "createContainer" })
        {
            var state = StateOf(dir, name);
            Assert.Equal("creating", state.Status);
            Assert.Equal(id, state.Id);
            Assert.Equal(pid, state.Pid);
            Assert.Equal(created.Bundle, state.Bundle);
            Assert.Equal($"{name} env-of-{name}", Read(dir, name + ".args"));
        }
        Assert.Equal(hostMnt, Read(dir, "prestart.mnt"));
        Assert.Equal(hostMnt, Read(dir, "createRuntime.mnt"));
        Assert.Equal(containerMnt, Read(dir, "createContainer.mnt"));

        var start = h.Run("start", id);
        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.True(OciRunHarness.Eventually(() => h.State(id).Status == "stopped"));
        var startContainer = StateOf(dir, "startContainer");
        Assert.Equal("created", startContainer.Status);
        Assert.Equal(pid, startContainer.Pid);
        Assert.Equal(containerMnt, Read(dir, "startContainer.mnt"));
        Assert.Equal("startContainer env-of-startContainer", Read(dir, "startContainer.args"));
        var poststart = StateOf(dir, "poststart");
        Assert.Equal("running", poststart.Status);
        Assert.Equal(pid, poststart.Pid);
        Assert.Equal(hostMnt, Read(dir, "poststart.mnt"));
        Assert.False(File.Exists(Path.Combine(dir, "poststop.json")));

        var delete = h.Run("delete", id);
        Assert.True(delete.ExitCode == 0, delete.ToString());
        var poststop = StateOf(dir, "poststop");
        Assert.Equal("stopped", poststop.Status);
        Assert.Equal(id, poststop.Id);
        Assert.Equal(hostMnt, Read(dir, "poststop.mnt"));
        var order = File.ReadAllLines(Path.Combine(dir, "order")).ToList();
        Assert.Equal(["prestart", "createRuntime", "createContainer", "startContainer"], order.Take(4));
        Assert.Equal("poststop", order[^1]);
        Assert.Contains("process", order);
        Assert.Contains("poststart", order);
        Env.AssertNothingLeft(h, id);
    }

    [ContainerTheory]
    [InlineData("prestart")]
    [InlineData("createRuntime")]
    [InlineData("createContainer")]
    [InlineData("startContainer")]
    [InlineData("poststart")]
    public void AFailingHookIsAnErrorThatDestroysTheContainerAndRunsPoststop(string kind)
    {
        using var h = new OciRunHarness();
        string dir = Env.HostDirectory(h, "hooks");
        var spec = Env.Sh("true");
        var failing = Failing("the-hook-said-no");
        if (kind == "startContainer") failing.Path = "/bin/sh"; // busybox sh inside the container
        var later = Recorder(dir, "later");
        spec.Hooks = new Hooks { Poststop = [Recorder(dir, "poststop")] };
        switch (kind)
        {
            case "prestart": spec.Hooks.Prestart = [failing, later]; break;
            case "createRuntime": spec.Hooks.CreateRuntime = [failing, later]; break;
            case "createContainer": spec.Hooks.CreateContainer = [failing, later]; break;
            case "startContainer": spec.Hooks.StartContainer = [failing]; break;
            case "poststart": spec.Hooks.Poststart = [failing, later]; break;
        }
        Env.Fails(h, spec, $"hooks.{kind}[0]", "the-hook-said-no");
        Assert.False(File.Exists(Path.Combine(dir, "later.json")), "a hook after the failing one ran");
        Assert.Equal("stopped", StateOf(dir, "poststop").Status);
    }

    [ContainerFact]
    public void AFailingPoststopHookIsAWarningAndTheOthersStillRun()
    {
        using var h = new OciRunHarness();
        string dir = Env.HostDirectory(h, "hooks");
        var spec = Env.Sh("true");
        spec.Hooks = new Hooks { Poststop = [Failing("poststop-complains"), Recorder(dir, "poststop")] };
        string id = h.NewId();
        var result = h.RunContainer(spec, id);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("hooks.poststop[0]", result.Stderr);
        Assert.Contains("warn", result.Stderr);
        Assert.Equal("stopped", StateOf(dir, "poststop").Status);
        Env.AssertNothingLeft(h, id);
    }

    [ContainerFact]
    public void AHookThatOutlivesItsTimeoutIsKilledAndFailsCreate()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Hooks = new Hooks { CreateRuntime = [new Hook { Path = "/bin/sleep", Args = ["sleep", "600"], Timeout = 1 }] };
        Env.Fails(h, spec, "hooks.createRuntime[0]", "timeout");
    }

    [ContainerFact]
    public void InvalidHooksFailNamingThem()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Hooks = new Hooks { Prestart = [new Hook { Path = "/no/such/hook" }] };
        Env.Fails(h, spec, "hooks.prestart[0]", "/no/such/hook");
        spec.Hooks = new Hooks { Poststart = [new Hook { Path = "relative/hook" }] };
        Env.Fails(h, spec, "hooks.poststart[0].path");
        spec.Hooks = new Hooks { CreateRuntime = [new Hook { Path = "/bin/true", Timeout = 0 }] };
        Env.Fails(h, spec, "hooks.createRuntime[0].timeout");
    }
}
