namespace Oci.Runtime.Spec;

/// <summary>
/// Containers as code: builds a <see cref="RuntimeSpec"/> from the defaults of <c>oci-run spec</c>
/// (<see cref="DefaultSpec.Create"/>) without writing a config.json. Every method changes the spec and returns the
/// builder; <see cref="Build"/> gives the spec, which can still be changed as an object.
/// </summary>
/// <example>
/// <code>
/// var spec = new SpecBuilder("/srv/rootfs").Args("sh", "-c", "echo hi").Env("A", "1").MemoryLimit(64 &lt;&lt; 20).Build();
/// await using var container = await Container.CreateAsync("demo", spec);
/// </code>
/// </example>
public sealed class SpecBuilder
{
    readonly RuntimeSpec spec;

    /// <summary>Starts from <c>oci-run spec</c>'s default (or its rootless variant) with <paramref name="rootfs"/> as
    /// the root filesystem (made absolute), read-only, and no terminal: the container's stdio is what
    /// <see cref="ContainerOptions"/> gives it.</summary>
    public SpecBuilder(string rootfs, bool rootless = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootfs);
        spec = DefaultSpec.Create(rootless);
        spec.Root!.Path = System.IO.Path.GetFullPath(rootfs);
        spec.Process!.Terminal = false;
    }

    /// <summary>The command and its arguments (<c>process.args</c>); the command is looked up on the container's
    /// PATH.</summary>
    public SpecBuilder Args(params string[] args)
    {
        spec.Process!.Args = [.. args];
        return this;
    }

    /// <summary>Sets an environment variable (<c>process.env</c>), replacing an earlier value.</summary>
    public SpecBuilder Env(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var env = spec.Process!.Env ??= [];
        env.RemoveAll(e => e.StartsWith(name + "=", StringComparison.Ordinal));
        env.Add($"{name}={value}");
        return this;
    }

    /// <summary>The working directory inside the container (<c>process.cwd</c>, absolute).</summary>
    public SpecBuilder WorkingDirectory(string cwd)
    {
        spec.Process!.Cwd = cwd;
        return this;
    }

    /// <summary>The user and group the process runs as (<c>process.user</c>).</summary>
    public SpecBuilder User(uint uid, uint gid)
    {
        spec.Process!.User.Uid = uid;
        spec.Process.User.Gid = gid;
        return this;
    }

    /// <summary>Gives the process a pseudo-terminal (<c>process.terminal</c>): see
    /// <see cref="Container.Terminal"/>.</summary>
    public SpecBuilder Terminal(bool terminal = true)
    {
        spec.Process!.Terminal = terminal;
        return this;
    }

    /// <summary>The container's hostname (in its own UTS namespace).</summary>
    public SpecBuilder Hostname(string hostname)
    {
        spec.Hostname = hostname;
        return this;
    }

    /// <summary>Whether the root filesystem is mounted read-only (the default) or writable.</summary>
    public SpecBuilder ReadOnlyRoot(bool readOnly = true)
    {
        spec.Root!.Readonly = readOnly;
        return this;
    }

    /// <summary>Binds host path <paramref name="source"/> at <paramref name="destination"/> inside the
    /// container.</summary>
    public SpecBuilder BindMount(string source, string destination, bool readOnly = false)
    {
        return Mount(new Mount
        {
            Source = System.IO.Path.GetFullPath(source),
            Destination = destination,
            Type = "bind",
            Options = readOnly ? ["rbind", "ro", "nosuid", "nodev"] : ["rbind", "nosuid", "nodev"],
        });
    }

    /// <summary>A fresh tmpfs at <paramref name="destination"/>.</summary>
    public SpecBuilder Tmpfs(string destination, long? sizeBytes = null)
    {
        var options = new List<string> { "nosuid", "nodev", "mode=1777" };
        if (sizeBytes is { } size) options.Add($"size={size}");
        return Mount(new Mount { Source = "tmpfs", Destination = destination, Type = "tmpfs", Options = options });
    }

    /// <summary>Adds a mount (<c>mounts</c>), replacing one at the same destination.</summary>
    public SpecBuilder Mount(Mount mount)
    {
        ArgumentNullException.ThrowIfNull(mount);
        var mounts = spec.Mounts ??= [];
        mounts.RemoveAll(m => m.Destination == mount.Destination);
        mounts.Add(mount);
        return this;
    }

    /// <summary>The memory limit in bytes (<c>linux.resources.memory.limit</c>).</summary>
    public SpecBuilder MemoryLimit(long bytes)
    {
        Resources().Memory ??= new LinuxMemory();
        Resources().Memory!.Limit = bytes;
        return this;
    }

    /// <summary>The most processes the container may have (<c>linux.resources.pids.limit</c>).</summary>
    public SpecBuilder PidsLimit(long limit)
    {
        Resources().Pids = new LinuxPids { Limit = limit };
        return this;
    }

    /// <summary>CPU bandwidth: <paramref name="quota"/> microseconds of CPU time every <paramref name="period"/>
    /// microseconds (<c>linux.resources.cpu</c>); 50000/100000 is half a CPU.</summary>
    public SpecBuilder CpuQuota(long quota, ulong period = 100_000)
    {
        Resources().Cpu ??= new LinuxCPU();
        Resources().Cpu!.Quota = quota;
        Resources().Cpu!.Period = period;
        return this;
    }

    /// <summary>Gives the container a new namespace of <paramref name="type"/> (<c>pid</c>, <c>network</c>,
    /// <c>mount</c>, <c>ipc</c>, <c>uts</c>, <c>user</c>, <c>cgroup</c>, <c>time</c>), or joins the one at
    /// <paramref name="path"/>, replacing the default's entry of that type.</summary>
    public SpecBuilder Namespace(string type, string? path = null)
    {
        var namespaces = Namespaces();
        namespaces.RemoveAll(n => n.Type == type);
        namespaces.Add(new LinuxNamespace { Type = type, Path = path });
        return this;
    }

    /// <summary>Removes the namespace of <paramref name="type"/>: the container shares the host's (for instance
    /// <c>network</c>, to use the host's network).</summary>
    public SpecBuilder WithoutNamespace(string type)
    {
        Namespaces().RemoveAll(n => n.Type == type);
        return this;
    }

    /// <summary>Changes anything else of the spec.</summary>
    public SpecBuilder Configure(Action<RuntimeSpec> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(spec);
        return this;
    }

    /// <summary>The spec.</summary>
    public RuntimeSpec Build() => spec;

    LinuxResources Resources() => (spec.Linux ??= new Linux()).Resources ??= new LinuxResources();

    List<LinuxNamespace> Namespaces() => (spec.Linux ??= new Linux()).Namespaces ??= [];
}
