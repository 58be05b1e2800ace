using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Integration.ContainerEnvironment;

/// <summary>The environment tests run one at a time: they look for leftovers by container id and some change the
/// host (a dummy network device, a mount on a host directory).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "Environment";
}

/// <summary>Helpers shared by the environment tests.</summary>
internal static class Env
{
    /// <summary>A default spec running <paramref name="script"/> with busybox sh.</summary>
    public static RuntimeSpec Sh(string script) => OciRunHarness.NewSpec("sh", "-c", script);

    /// <summary>Runs the container to completion, asserts it exited 0 and returns its stdout.</summary>
    public static string Output(OciRunHarness h, RuntimeSpec spec)
    {
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout;
    }

    /// <summary>Runs a container that must fail to be made: the error names every one of
    /// <paramref name="expected"/> and nothing of the container is left.</summary>
    public static CommandResult Fails(OciRunHarness h, RuntimeSpec spec, params string[] expected)
    {
        string id = h.NewId("bad");
        var result = h.Run("run", "--bundle", h.WriteBundle(spec), id);
        Assert.True(result.ExitCode != 0, result.ToString());
        foreach (var text in expected) Assert.Contains(text, result.Stderr);
        AssertNothingLeft(h, id);
        return result;
    }

    /// <summary>No state directory, cgroup directory, process or mount of container <paramref name="id"/>.</summary>
    public static void AssertNothingLeft(OciRunHarness h, string id)
    {
        Assert.Empty(h.LeftoverState());
        foreach (var hierarchy in Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup"))
            Assert.False(Directory.Exists(Path.Combine(hierarchy, id)), $"cgroup {hierarchy}/{id} is left");
        foreach (var proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out _)) continue;
            string cgroups, stat;
            try
            {
                cgroups = File.ReadAllText(Path.Combine(proc, "cgroup"));
                stat = File.ReadAllText(Path.Combine(proc, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            // A zombie holds nothing; the init of a container made by a command that has exited waits to be reaped
            // by whichever ancestor adopted it (pid 1 here, containerd's shim in production).
            if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) continue;
            Assert.False(cgroups.Contains("/" + id, StringComparison.Ordinal), $"process {proc} of {id} is left");
        }
        string mounts = File.ReadAllText("/proc/self/mountinfo");
        Assert.DoesNotContain(h.Root, mounts);
        Assert.DoesNotContain(id, mounts);
    }

    /// <summary>The line of /proc/self/mountinfo (as the container printed it) whose mount point is
    /// <paramref name="mountPoint"/>: (mount options, optional fields, filesystem type, super options).</summary>
    public static (string[] Options, string Optional, string Type, string[] Super) MountInfo(string mountinfo, string mountPoint)
    {
        var line = mountinfo.Split('\n').LastOrDefault(l => l.Split(' ') is { Length: > 6 } f && f[4] == mountPoint)
                   ?? throw new Xunit.Sdk.XunitException($"no mount at {mountPoint} in\n{mountinfo}");
        var fields = line.Split(' ');
        int dash = Array.IndexOf(fields, "-");
        return (fields[5].Split(','), string.Join(' ', fields[6..dash]), fields[dash + 1], fields[dash + 3].Split(','));
    }

    /// <summary>Creates a container with its stdio on files, not on pipes to this process: the harness's
    /// <c>Create</c> reads the command's output to its end, which a created container's init (holding the same
    /// pipes while it waits for <c>start</c>) never gives.</summary>
    public static string Create(OciRunHarness h, RuntimeSpec spec)
    {
        string id = h.NewId();
        string bundle = h.WriteBundle(spec);
        string state = Path.Combine(h.Root, "state");
        Shell($"{TestPaths.OciRunBinary} --root {state} create --bundle {bundle} {id} </dev/null >{bundle}/create.out 2>&1 || " +
              $"{{ cat {bundle}/create.out >&2; exit 1; }}");
        return id;
    }

    /// <summary>A writable copy of the busybox rootfs for a test that changes it.</summary>
    public static string PrivateRootfs(OciRunHarness h)
    {
        string root = Path.Combine(h.Root, "rootfs-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(root);
        Shell($"cp -a {BusyboxRootfs.Path}/. {root}/");
        return root;
    }

    /// <summary>Runs a host shell command and returns its stdout; asserts success.</summary>
    public static string Shell(string command)
    {
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", command])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command}: exit {process.ExitCode}: {stderr}");
        return stdout;
    }

    /// <summary>A host directory for a test, under the harness root (removed with it).</summary>
    public static string HostDirectory(OciRunHarness h, string name)
    {
        string path = Path.Combine(h.Root, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public static Mount Tmpfs(string destination, params string[] options) =>
        new() { Destination = destination, Type = "tmpfs", Source = "tmpfs", Options = [.. options] };

    public static Mount Bind(string source, string destination, params string[] options) =>
        new() { Destination = destination, Type = "bind", Source = source, Options = ["bind", .. options] };
}
