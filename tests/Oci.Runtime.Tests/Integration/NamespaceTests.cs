using Xunit;

namespace Oci.Runtime.Tests.Integration;

/// <summary>Namespaces created and joined, seen from inside the container.</summary>
public sealed class NamespaceTests
{
    [ContainerFact]
    public void Process_is_pid_1_of_a_new_pid_namespace()
    {
        using var h = new OciRunHarness();
        var result = h.RunContainer(OciRunHarness.NewSpec("sh", "-c", "echo $$; grep NSpid /proc/1/status"));
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n');
        Assert.Equal("1", lines[0].Trim());
        // NSpid counts from the namespace of the container's /proc: its pid 1 is init, with no other pid there.
        Assert.Equal("NSpid:\t1", lines[1].Trim());
    }

    [ContainerFact]
    public void A_new_network_namespace_has_only_loopback()
    {
        using var h = new OciRunHarness();
        var result = h.RunContainer(OciRunHarness.NewSpec("ls", "/sys/class/net"));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("lo", result.Stdout.Trim());
    }

    [ContainerFact]
    public void Every_created_namespace_differs_from_the_hosts()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("sh", "-c", "for n in pid net ipc uts mnt cgroup; do readlink /proc/self/ns/$n; done");
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        var inside = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var names = new[] { "pid", "net", "ipc", "uts", "mnt", "cgroup" };
        Assert.Equal(names.Length, inside.Length);
        for (int i = 0; i < names.Length; i++)
            Assert.NotEqual(new FileInfo($"/proc/self/ns/{names[i]}").LinkTarget, inside[i]);
    }

    [ContainerFact]
    public void A_user_namespace_applies_the_id_mappings()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u");
        spec.Linux!.Namespaces!.Add(new Oci.Runtime.Spec.LinuxNamespace { Type = "user" });
        spec.Linux.UidMappings = [new Oci.Runtime.Spec.LinuxIdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }];
        spec.Linux.GidMappings = [new Oci.Runtime.Spec.LinuxIdMapping { ContainerId = 0, HostId = 200000, Size = 65536 }];
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
        Assert.Equal(["0 100000 65536", "0 200000 65536", "0"], lines);
    }

    [ContainerFact]
    public void Joining_another_containers_namespaces_by_path()
    {
        using var h = new OciRunHarness();
        var firstSpec = OciRunHarness.NewSpec("sleep", "1000");
        firstSpec.Hostname = "first-container";
        string first = h.Create(firstSpec);
        int pid = h.State(first).Pid!.Value;

        var second = OciRunHarness.NewSpec("sh", "-c", "hostname; readlink /proc/self/ns/net; readlink /proc/self/ns/uts");
        second.Hostname = null;
        foreach (var ns in second.Linux!.Namespaces!)
        {
            if (ns.Type == "network") ns.Path = $"/proc/{pid}/ns/net";
            if (ns.Type == "uts") ns.Path = $"/proc/{pid}/ns/uts";
        }
        var result = h.RunContainer(second);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("first-container", lines[0]);
        Assert.Equal(new FileInfo($"/proc/{pid}/ns/net").LinkTarget, lines[1]);
        Assert.Equal(new FileInfo($"/proc/{pid}/ns/uts").LinkTarget, lines[2]);
    }

    [ContainerFact]
    public void Mountinfo_shows_the_configured_mounts_and_a_read_only_root()
    {
        using var h = new OciRunHarness();
        var result = h.RunContainer(OciRunHarness.NewSpec("cat", "/proc/self/mountinfo"));
        Assert.True(result.ExitCode == 0, result.ToString());
        var mounts = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(f => f[4], f => (Options: f[5], Type: f[Array.IndexOf(f, "-") + 1]), StringComparer.Ordinal);
        Assert.StartsWith("ro", mounts["/"].Options);
        Assert.Equal("proc", mounts["/proc"].Type);
        Assert.Equal("tmpfs", mounts["/dev"].Type);
        Assert.Equal("devpts", mounts["/dev/pts"].Type);
        Assert.Equal("tmpfs", mounts["/dev/shm"].Type);
        Assert.Equal("mqueue", mounts["/dev/mqueue"].Type);
        Assert.Equal("sysfs", mounts["/sys"].Type);
        Assert.StartsWith("ro", mounts["/sys"].Options);
        // Nothing of the host's mount table but what the config asked for.
        Assert.DoesNotContain(mounts.Keys, k => k.StartsWith("/work", StringComparison.Ordinal) || k.StartsWith("/mnt", StringComparison.Ordinal));
    }
}
