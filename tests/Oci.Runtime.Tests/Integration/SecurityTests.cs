using Xunit;

namespace Oci.Runtime.Tests.Integration;

/// <summary>What a hostile container must not be able to reach.</summary>
public sealed class SecurityTests
{
    /// <summary>CVE-2019-5736: a container process can open /proc/PID/exe of its init and, through it, write to the
    /// file the init was executed from. That file is the library's executor in a memfd sealed against writes: no
    /// file of the host is reachable, and the memfd itself cannot be changed.</summary>
    [ContainerFact]
    public void The_init_is_executed_from_a_sealed_memfd_that_cannot_be_written()
    {
        using var h = new OciRunHarness();
        string id = h.Create(OciRunHarness.NewSpec("sleep", "1000"));
        int pid = h.State(id).Pid!.Value;
        Assert.StartsWith("/memfd:oci-run-executor", new FileInfo($"/proc/{pid}/exe").LinkTarget);
        var e = Assert.ThrowsAny<IOException>(() => File.OpenWrite($"/proc/{pid}/exe").Dispose());
        Assert.False(e is FileNotFoundException, e.ToString());
        // The seals themselves: no write, no growth, no shrinking, and no new seals.
        int fd = Interop.Sys.Open($"/proc/{pid}/exe", Interop.Sys.O_RDONLY);
        try
        {
            const int F_GET_SEALS = 1034, F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;
            int seals = Tmds.Linux.LibC.fcntl(fd, F_GET_SEALS);
            Assert.Equal(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE, seals & 0xF);
        }
        finally
        {
            Interop.Sys.Close(fd);
        }
    }

    /// <summary>The container's init is single-threaded, its own session leader and, while it waits for start,
    /// not dumpable: nothing in the container can ptrace it or read its memory (CVE-2016-9962 class).</summary>
    [ContainerFact]
    public void A_created_containers_init_has_one_thread_and_its_own_session()
    {
        using var h = new OciRunHarness();
        string id = h.Create(OciRunHarness.NewSpec("true"));
        int pid = h.State(id).Pid!.Value;
        string status = File.ReadAllText($"/proc/{pid}/status");
        Assert.Contains("Threads:\t1\n", status);
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal(pid.ToString(), fields[3]); // session id (field 6 of stat)
    }

    /// <summary>CVE-2024-21626: no descriptor of the runtime reaches the container's process.</summary>
    [ContainerFact]
    public void No_runtime_descriptor_leaks_into_the_container()
    {
        using var h = new OciRunHarness();
        var result = h.RunContainer(OciRunHarness.NewSpec("ls", "/proc/self/fd"));
        Assert.True(result.ExitCode == 0, result.ToString());
        // 0-2 are stdio; 3 is ls's own handle on the directory it lists.
        Assert.Equal(["0", "1", "2", "3"], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }

    [ContainerTheory]
    [InlineData("run")]
    [InlineData("exec")]
    public void Preserved_descriptors_reach_the_process_and_nothing_else_does(string command)
    {
        // --preserve-fds 2 with only fd 3 open: fd 3 reaches the process at the same number, and fd 4, the hole, must
        // not be filled by one of the runtime's own descriptors (its socket to init, the exec fifo).
        using var h = new OciRunHarness();
        string file = Path.Combine(h.Root, "preserved.txt");
        File.WriteAllText(file, "preserved content\n");
        string[] wrapper = ["sh", "-c", $"exec 3<'{file}'; exec \"$@\"", "sh"];
        string[] show = ["sh", "-c", "cat /proc/self/fd/3; ls /proc/self/fd"];
        CommandResult result;
        if (command == "run")
            result = h.RunThrough(wrapper, [], ["run", "--preserve-fds", "2", "--bundle", h.WriteBundle(OciRunHarness.NewSpec(show)), h.NewId()]);
        else
        {
            string id = h.NewId();
            var created = h.Run("run", "-d", "--bundle", h.WriteBundle(OciRunHarness.NewSpec("sleep", "100")), id);
            Assert.True(created.ExitCode == 0, created.ToString());
            try
            {
                result = h.RunThrough(wrapper, [], ["exec", "--preserve-fds", "2", id, .. show]);
            }
            finally
            {
                h.Run("delete", "--force", id);
            }
        }
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("preserved content", lines[0]);
        // 0-2 are stdio, 3 the preserved file; ls's own handle on the directory takes the next free number, 4.
        Assert.Equal(["0", "1", "2", "3", "4"], lines.Skip(1).Order());
    }

    [ContainerFact]
    public void A_symlink_in_the_rootfs_cannot_take_a_mount_out_of_it()
    {
        using var h = new OciRunHarness();
        // A private copy of the rootfs holding a symlink that points at the host's /tmp.
        string rootfs = Path.Combine(h.Root, "evil-rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "bin"));
        foreach (var dir in new[] { "proc", "dev", "sys", "tmp" }) Directory.CreateDirectory(Path.Combine(rootfs, dir));
        File.Copy(Path.Combine(BusyboxRootfs.Path, "bin", "busybox"), Path.Combine(rootfs, "bin", "busybox"));
        File.CreateSymbolicLink(Path.Combine(rootfs, "bin", "sh"), "busybox");
        File.CreateSymbolicLink(Path.Combine(rootfs, "escape"), "/tmp");
        string canary = Path.Combine("/tmp", $"oci-run-escape-{Guid.NewGuid():N}");
        var spec = OciRunHarness.NewSpec("/bin/sh", "-c", "true");
        spec.Root!.Path = rootfs;
        spec.Mounts!.Add(new Oci.Runtime.Spec.Mount { Destination = $"/escape/{Path.GetFileName(canary)}", Type = "tmpfs", Source = "tmpfs" });
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        // The mount point was made inside the rootfs (the symlink resolved as if the rootfs were "/").
        Assert.False(Directory.Exists(canary), "a directory was created on the host through the symlink");
        Assert.True(Directory.Exists(Path.Combine(rootfs, "tmp", Path.GetFileName(canary))));
    }
}
