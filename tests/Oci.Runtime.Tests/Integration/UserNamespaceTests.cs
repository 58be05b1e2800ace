using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Integration;

/// <summary>User namespaces all the way (issue 13): id-mapped mounts, bind sources the container's user cannot
/// reach, session keyrings.</summary>
public sealed class UserNamespaceTests
{
    static List<LinuxIdMapping> Map(uint container, uint host, uint size) => [new LinuxIdMapping { ContainerId = container, HostId = host, Size = size }];

    /// <summary>A directory of the harness with files owned 0:0 and 5:7.</summary>
    static string OwnedFiles(OciRunHarness h)
    {
        string dir = Path.Combine(h.Root, "idmapped-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "root-file"), "x");
        File.WriteAllText(Path.Combine(dir, "other-file"), "y");
        ContainerEnvironment.Env.Shell($"chown 5:7 {dir}/other-file");
        return dir;
    }

    static RuntimeSpec WithUserNamespace(RuntimeSpec spec)
    {
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        spec.Linux.UidMappings = Map(0, 100000, 65536);
        spec.Linux.GidMappings = Map(0, 100000, 65536);
        return spec;
    }

    [ContainerFact]
    public void An_id_mapped_bind_mount_shows_the_mapped_owner_without_a_user_namespace()
    {
        using var h = new OciRunHarness();
        string source = OwnedFiles(h);
        var spec = OciRunHarness.NewSpec("stat", "-c", "%n=%u:%g", "/mnt/root-file", "/mnt/other-file");
        spec.Mounts!.Add(new Mount
        {
            Destination = "/mnt", Type = "bind", Source = source, Options = ["bind", "idmap"],
            UidMappings = Map(0, 200000, 1000), GidMappings = Map(0, 300000, 1000),
        });
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("/mnt/root-file=200000:300000\n/mnt/other-file=200005:300007", result.Stdout.Trim());
    }

    [ContainerFact]
    public void An_id_mapped_bind_mount_shows_the_mapped_owner_in_a_user_namespace()
    {
        using var h = new OciRunHarness();
        string source = OwnedFiles(h);
        // Without the mapping the files (host ids 0, 5 and 7) would be the overflow id 65534 inside. On directories
        // of the shared rootfs, which the container's root may not create.
        var spec = WithUserNamespace(OciRunHarness.NewSpec("stat", "-c", "%n=%u:%g", "/root/root-file", "/root/other-file", "/var/root-file", "/var/other-file"));
        spec.Mounts!.Add(new Mount
        {
            Destination = "/root", Type = "bind", Source = source, Options = ["rbind", "ridmap"],
            UidMappings = Map(0, 100000, 65536), GidMappings = Map(0, 100000, 65536),
        });
        // idmap without mappings of its own: the container's.
        spec.Mounts.Add(new Mount { Destination = "/var", Type = "bind", Source = source, Options = ["bind", "idmap"] });
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("/root/root-file=0:0\n/root/other-file=5:7\n/var/root-file=0:0\n/var/other-file=5:7", result.Stdout.Trim());
    }

    [ContainerFact]
    public void Id_mapping_a_mount_that_is_no_bind_is_refused_naming_the_field()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("true");
        spec.Mounts!.Add(new Mount
        {
            Destination = "/mnt", Type = "tmpfs", Source = "tmpfs", Options = ["idmap"],
            UidMappings = Map(0, 200000, 1000), GidMappings = Map(0, 200000, 1000),
        });
        var result = h.RunContainer(spec);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"mounts[{spec.Mounts.Count - 1}].uidMappings", result.Stderr);
        Assert.Contains("only supported for bind mounts", result.Stderr);
        Assert.Empty(h.LeftoverState());
    }

    [ContainerFact]
    public void Features_report_id_mapped_mounts()
    {
        using var h = new OciRunHarness();
        var result = h.Run("features");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(result.Stdout);
        var options = doc.RootElement.GetProperty("mountOptions").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("idmap", options);
        Assert.Contains("ridmap", options);
        Assert.True(doc.RootElement.GetProperty("linux").GetProperty("mountExtensions").GetProperty("idmap").GetProperty("enabled").GetBoolean());
        Assert.Equal("per-container", doc.RootElement.GetProperty("annotations").GetProperty("io.github.oci-run.keyring.session").GetString());
    }

    [ContainerFact]
    public void Bind_sources_in_a_root_only_directory_reach_a_container_in_a_user_namespace()
    {
        using var h = new OciRunHarness();
        // As podman keeps them: userdata/{hosts,resolv.conf,hostname} in a root-owned 0700 directory, which the
        // container's root (host uid 100000) cannot search.
        string userdata = Path.Combine(h.Root, "userdata");
        Directory.CreateDirectory(userdata);
        File.WriteAllText(Path.Combine(userdata, "hosts"), "127.0.0.1 podman-style\n");
        File.WriteAllText(Path.Combine(userdata, "resolv.conf"), "nameserver 192.0.2.53\n");
        File.WriteAllText(Path.Combine(userdata, "hostname"), "userdata-host\n");
        File.SetUnixFileMode(userdata, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string rootfs = ContainerEnvironment.Env.PrivateRootfs(h);
        foreach (var name in new[] { "hosts", "resolv.conf", "hostname" }) File.WriteAllText(Path.Combine(rootfs, "etc", name), "");
        // The image as podman gives it to a user namespace: owned by the mapped root.
        ContainerEnvironment.Env.Shell($"chown -R 100000:100000 {rootfs}");
        var spec = WithUserNamespace(OciRunHarness.NewSpec("cat", "/etc/hosts", "/etc/resolv.conf", "/etc/hostname"));
        spec.Root!.Path = rootfs;
        foreach (var name in new[] { "hosts", "resolv.conf", "hostname" })
            spec.Mounts!.Add(new Mount { Destination = "/etc/" + name, Type = "bind", Source = Path.Combine(userdata, name), Options = ["rbind", "rprivate"] });
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("127.0.0.1 podman-style\nnameserver 192.0.2.53\nuserdata-host", result.Stdout.Trim());
    }

    /// <summary>The serial and name of each session keyring in a container's /proc/keys.</summary>
    static string SessionKeyring(OciRunHarness h, string id)
    {
        var keys = h.Run("exec", id, "grep", $"keyring *_ses.{id}:", "/proc/keys");
        Assert.True(keys.ExitCode == 0, keys.ToString());
        var lines = keys.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        return lines[0].Split(' ')[0];
    }

    [ContainerFact]
    public void Two_containers_have_different_session_keyrings()
    {
        using var h = new OciRunHarness();
        string[] ids = [h.NewId("key"), h.NewId("key")];
        foreach (var id in ids)
        {
            var spec = OciRunHarness.NewSpec("sleep", "1000");
            spec.Linux!.MaskedPaths!.Remove("/proc/keys");
            h.Create(spec, id);
            Assert.Equal(0, h.Run("start", id).ExitCode);
        }
        string first = SessionKeyring(h, ids[0]), second = SessionKeyring(h, ids[1]);
        Assert.NotEqual(first, second);
    }

    /// <summary>A container of uid 1000 in a user namespace whose working directory /tmp is a bind mount of a new
    /// directory owned by host uid <paramref name="hostOwner"/>, mode 0700, with a group (host gid 300000) outside
    /// the namespace's gid mapping: root's capabilities do not reach a file whose ids the namespace does not both map.</summary>
    static RuntimeSpec WithPrivateWorkingDirectory(OciRunHarness h, uint hostOwner)
    {
        string dir = Path.Combine(h.Root, "cwd-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        ContainerEnvironment.Env.Shell($"chown {hostOwner}:300000 {dir} && chmod 0700 {dir}");
        var spec = OciRunHarness.NewSpec("pwd");
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        spec.Linux.UidMappings = Map(0, 100000, 65536);
        spec.Linux.GidMappings = Map(0, 100000, 1000);
        spec.Process!.User = new User { Uid = 1000, Gid = 0 };
        spec.Process.Cwd = "/tmp";
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "bind", Source = dir, Options = ["bind"] });
        return spec;
    }

    /// <summary>runc's two tries of process.cwd: a working directory that the container's root may not enter but its
    /// user may (root squash on NFS; here the user's own directory) is entered once the user's ids are set.</summary>
    [ContainerFact]
    public void A_working_directory_only_the_user_may_enter_is_entered_as_the_user()
    {
        using var h = new OciRunHarness();
        // Host uid 101000 is the container's uid 1000.
        var result = h.RunContainer(WithPrivateWorkingDirectory(h, 101000));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("/tmp", result.Stdout.Trim());
    }

    /// <summary>A working directory nobody may enter still fails the create, in one line naming process.cwd.</summary>
    [ContainerFact]
    public void A_working_directory_neither_root_nor_the_user_may_enter_fails_naming_process_cwd()
    {
        using var h = new OciRunHarness();
        var result = h.RunContainer(WithPrivateWorkingDirectory(h, 102000));
        Assert.NotEqual(0, result.ExitCode);
        // One line: the runtime's, naming the field (the executor, whose report the runtime read, adds none).
        Assert.Contains("process.cwd", result.Stderr);
        Assert.Contains("/tmp", result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }
}
