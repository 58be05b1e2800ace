using System.Diagnostics;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Integration;

/// <summary>Where the tests find CRIU: the wrapper <c>scripts/criu-setup</c> makes (CRIU 4 from Debian trixie,
/// <c>artifacts/criu/criu</c>), or $OCI_RUN_CRIU.</summary>
public static class CriuForTests
{
    static readonly Lazy<(string? Path, string? Missing, string? NoDirtyTracking)> Found = new(Find);

    /// <summary>The CRIU program the tests pass as <c>--criu</c>.</summary>
    public static string Path => Found.Value.Path!;

    /// <summary>Why checkpoint/restore cannot be tested here, or null.</summary>
    public static string? Missing => HostRequirements.MissingForContainers() ?? Found.Value.Missing;

    /// <summary>Whether the kernel tracks dirty memory (pre-dumps need it).</summary>
    public static bool DirtyTracking => Found.Value.NoDirtyTracking is null;

    /// <summary>Without dirty-memory tracking: what <c>criu check --feature mem_dirty_track</c> answers, as it says it.</summary>
    public static string NoDirtyTracking => Found.Value.NoDirtyTracking ?? "";

    static readonly Lazy<string?> LazyPages = new(FindLazyPages);

    /// <summary>Why lazy migration cannot be tested here, or null: CRIU's answer to <c>criu check --feature
    /// uffd-noncoop</c> (userfaultfd for a restored process tree), or an fs.pipe-max-size below the 4 MiB pipe
    /// CRIU's lazy page server needs that this process may not raise for the test.</summary>
    public static string? LazyPagesMissing => Missing ?? LazyPages.Value;

    /// <summary>Why CRIU cannot dump a TCP socket on this kernel, or null. CRIU 4.1 reads SO_PASSCRED of every
    /// socket it dumps, which kernels since 6.16 refuse for TCP (EOPNOTSUPP): the dump then fails with CRIU's
    /// "sockets: Can't get 1:16 opt: Operation not supported".</summary>
    public static string? TcpDumpMissing
    {
        get
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            try
            {
                socket.GetRawSocketOption(1 /* SOL_SOCKET */, 16 /* SO_PASSCRED */, new byte[4]);
                return null;
            }
            catch (System.Net.Sockets.SocketException e)
            {
                return $"CRIU 4.1 reads SO_PASSCRED of each socket it dumps and this kernel refuses it for TCP ({e.Message}): a dump with --tcp-established fails with \"sockets: Can't get 1:16 opt: Operation not supported\"";
            }
        }
    }

    static string? FindLazyPages()
    {
        var uffd = Execute(Path, "check", "--feature", "uffd-noncoop");
        if (uffd.Exit != 0)
            return $"lazy pages need userfaultfd, and `criu check --feature uffd-noncoop` says no here (exit {uffd.Exit}: {string.Join(" / ", uffd.Output.Trim().Split('\n'))})";
        if (PipeMaxSize.Current < 4 * 1024 * 1024 && !PipeMaxSize.Writable)
            return $"CRIU's lazy page server needs a 4 MiB pipe, fs.pipe-max-size is {PipeMaxSize.Current} and /proc/sys/fs/pipe-max-size cannot be written";
        return null;
    }

    static (string?, string?, string?) Find()
    {
        string path = Environment.GetEnvironmentVariable("OCI_RUN_CRIU")
            ?? System.IO.Path.Combine(TestPaths.RepositoryRoot, "artifacts", "criu", "criu");
        if (!File.Exists(path)) return (null, $"no CRIU at {path} (run scripts/criu-setup)", null);
        var check = Execute(path, "check");
        if (check.Exit != 0 || !check.Output.Contains("Looks good"))
            return (null, $"`{path} check` fails on this host: {check.Output.Trim().Split('\n')[^1]}", null);
        var dirty = Execute(path, "check", "--feature", "mem_dirty_track");
        return (path, null, dirty.Exit == 0 ? null : $"exit {dirty.Exit}: {string.Join(" / ", dirty.Output.Trim().Split('\n'))}");
    }

    static (int Exit, string Output) Execute(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}

/// <summary>fs.pipe-max-size, which CRIU's lazy page server needs at 4 MiB (this host's root lacks
/// CAP_SYS_RESOURCE): a test sets it for its own time and puts the old value back.</summary>
public static class PipeMaxSize
{
    const string File = "/proc/sys/fs/pipe-max-size";

    public static long Current => long.Parse(System.IO.File.ReadAllText(File).Trim());

    public static bool Writable
    {
        get
        {
            try
            {
                using var stream = new FileStream(File, FileMode.Open, FileAccess.Write);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
    }

    /// <summary>Sets the limit until the result is disposed.</summary>
    public static IDisposable Set(long size)
    {
        long old = Current;
        System.IO.File.WriteAllText(File, size.ToString());
        return new Restore(old);
    }

    sealed class Restore(long old) : IDisposable
    {
        public void Dispose() => System.IO.File.WriteAllText(File, old.ToString());
    }
}

/// <summary>A checkpoint/restore test: it needs what container tests need, and a working CRIU.</summary>
public sealed class CriuFactAttribute : FactAttribute
{
    public CriuFactAttribute(bool needsDirtyTracking = false, bool needsNoDirtyTracking = false, bool needsMuslGcc = false, bool needsLazyPages = false,
        bool needsTcpDump = false)
    {
        if (CriuForTests.Missing is { } reason) Skip = reason;
        else if (needsLazyPages && CriuForTests.LazyPagesMissing is { } lazy) Skip = lazy;
        else if (needsTcpDump && CriuForTests.TcpDumpMissing is { } tcp) Skip = tcp;
        else if (needsMuslGcc && !File.Exists("/usr/bin/musl-gcc")) Skip = "musl-gcc is not installed (apt-get install musl-tools)";
        else if (needsDirtyTracking && !CriuForTests.DirtyTracking)
            Skip = $"pre-dumps need the kernel to track dirty memory, and `criu check --feature mem_dirty_track` says no here ({CriuForTests.NoDirtyTracking})";
        else if (needsNoDirtyTracking && CriuForTests.DirtyTracking)
            Skip = "the kernel tracks dirty memory: pre-dumps work here (A_pre_dump_chain_restores)";
    }
}

/// <summary>The checkpoint tests run alone. A container without a PID namespace of its own is restored with its
/// processes' host pids, and with the rest of the suite beside it the host's small pid space (pid_max 32768 here)
/// wrapped and handed those pids to other tests' processes between the checkpoint and the restore (a CI run failed
/// so: the restored counter never went on).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CheckpointCollection
{
    public const string Name = "Checkpoint";
}

/// <summary>
/// <c>checkpoint</c> and <c>restore</c> through CRIU: a busybox container counts into a file on a bind mount of the
/// host's, is checkpointed and restored (under its id, another id, with the original left running), and goes on
/// counting from where it stopped; the restored container is an ordinary container to the other commands.
/// </summary>
[Collection(CheckpointCollection.Name)]
public sealed class CheckpointTests : IDisposable
{
    readonly OciRunHarness h = new();
    readonly string data;

    public CheckpointTests()
    {
        data = Path.Combine(h.Root, "data");
        Directory.CreateDirectory(data);
    }

    public void Dispose() => h.Dispose();

    string CountFile => Path.Combine(data, "count");

    /// <summary>The counter's last value, or -1 before it wrote one.</summary>
    long Count()
    {
        // The counter replaces the file (write to a temporary, rename), so a read never sees half a number.
        try
        {
            return long.TryParse(File.ReadAllText(CountFile).Trim(), out long n) ? n : -1;
        }
        catch (FileNotFoundException)
        {
            return -1;
        }
    }

    string CounterBundle()
    {
        // The count goes to /tmp, a bind mount of the test's own directory: the busybox rootfs is shared by every
        // test and stays read-only. CRIU dumps the bind mount as external, and restore binds the source again.
        var spec = OciRunHarness.NewSpec("sh", "-c",
            "i=0; while true; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; usleep 50000; done");
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "bind", Source = data, Options = ["rbind", "rw"] });
        return h.WriteBundle(spec);
    }

    CommandResult Criu(params string[] args) => h.RunWithGlobal(["--criu", CriuForTests.Path], args);

    string StartCounter(string bundle)
    {
        string id = h.NewId("cr");
        var run = h.Run("run", "--detach", "--bundle", bundle, id);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(OciRunHarness.Eventually(() => Count() >= 3), "the counter never counted");
        return id;
    }

    void AssertCountsOnFrom(long stoppedAt)
    {
        // A counter started afresh would count from 1: past the value it was checkpointed at, it went on.
        Assert.True(OciRunHarness.Eventually(() => Count() > stoppedAt + 2), $"the restored counter did not go on from {stoppedAt}: {Count()}");
    }

    string Images(string name = "images") => Path.Combine(h.Root, name);

    [CriuFact]
    public void A_checkpointed_container_is_gone_and_goes_on_counting_once_restored()
    {
        string bundle = CounterBundle();
        string id = StartCounter(bundle);

        var checkpoint = Criu("checkpoint", "--image-path", Images(), id);
        Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
        Assert.NotEqual(0, h.Run("state", id).ExitCode);
        Assert.Contains("does not exist", h.Run("state", id).Stderr);
        long stoppedAt = Count();

        var restore = Criu("restore", "--detach", "--image-path", Images(), "--bundle", bundle, id);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal("running", h.State(id).Status);
        AssertCountsOnFrom(stoppedAt);
    }

    [CriuFact]
    public void A_container_whose_stdio_is_the_hosts_dev_null_checkpoints_and_restores()
    {
        // A detached run with </dev/null (podman's and containerd's stdin too): init's stdio is reopened on the
        // container's own /dev/null, as runc does, or CRIU finds a descriptor on a mount outside the container.
        string[] devNull = ["/bin/sh", "-c", "exec \"$@\" </dev/null >/dev/null 2>&1", "sh"];
        string bundle = CounterBundle();
        string id = h.NewId("null");
        Assert.Equal(0, h.RunThrough(devNull, [], ["run", "-d", "--bundle", bundle, id]).ExitCode);
        Assert.True(OciRunHarness.Eventually(() => Count() >= 3), "the counter never counted");
        var checkpoint = Criu("checkpoint", "--image-path", Images(), id);
        Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
        long stoppedAt = Count();
        Assert.Equal(0, h.RunThrough(devNull, ["--criu", CriuForTests.Path], ["restore", "-d", "--image-path", Images(), "--bundle", bundle, id]).ExitCode);
        Assert.Equal("running", h.State(id).Status);
        AssertCountsOnFrom(stoppedAt);
    }

    [CriuFact]
    public void A_restored_container_is_an_ordinary_container_to_every_other_command()
    {
        string bundle = CounterBundle();
        string first = StartCounter(bundle);
        Assert.True(Criu("checkpoint", "--image-path", Images(), first).ExitCode == 0);
        string id = h.NewId("restored");
        string pidFile = Path.Combine(h.Root, "restored.pid");
        var restore = Criu("restore", "-d", "--image-path", Images(), "--bundle", bundle, "--pid-file", pidFile, id);
        Assert.True(restore.ExitCode == 0, restore.ToString());

        var state = h.State(id);
        Assert.Equal("running", state.Status);
        Assert.Equal(state.Pid.ToString(), File.ReadAllText(pidFile));
        var exec = h.Run("exec", id, "cat", "/tmp/count");
        Assert.True(exec.ExitCode == 0, exec.ToString());
        Assert.True(long.Parse(exec.Stdout.Trim()) > 0, exec.Stdout);
        var ps = h.Run("ps", id);
        Assert.True(ps.ExitCode == 0 && ps.Stdout.Contains("sh -c"), ps.ToString());
        var stats = h.Run("events", "--stats", id);
        Assert.True(stats.ExitCode == 0 && stats.Stdout.Contains("\"type\":\"stats\""), stats.ToString());
        Assert.True(h.Run("pause", id).ExitCode == 0);
        Assert.Equal("paused", h.State(id).Status);
        Assert.True(h.Run("resume", id).ExitCode == 0);
        Assert.Equal("running", h.State(id).Status);
        Assert.True(h.Run("kill", id, "KILL").ExitCode == 0);
        Assert.True(OciRunHarness.Eventually(() => h.State(id).Status == "stopped"));
        var delete = h.Run("delete", id);
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Empty(h.LeftoverState());
        AssertNoCgroup(id);
    }

    [CriuFact]
    public void Leave_running_keeps_the_original_running_and_its_image_restores_under_another_id()
    {
        string bundle = CounterBundle();
        string id = StartCounter(bundle);
        var checkpoint = Criu("checkpoint", "--leave-running", "--image-path", Images(), id);
        Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
        Assert.Equal("running", h.State(id).Status);
        long atCheckpoint = Count();
        Assert.True(OciRunHarness.Eventually(() => Count() > atCheckpoint + 2), "the original stopped counting");

        // The same id is busy while the original runs: one line, and nothing of the restore left.
        var busy = Criu("restore", "-d", "--image-path", Images(), "--bundle", bundle, id);
        Assert.NotEqual(0, busy.ExitCode);
        Assert.Contains($"container with id exists: {id}", busy.Stderr);
        Assert.Single(busy.Stderr.Trim().Split('\n'));
        Assert.Equal("running", h.State(id).Status);

        // Stop the original, then restore its image as another container: it counts on from its own file.
        Assert.True(h.Run("delete", "--force", id).ExitCode == 0);
        long stoppedAt = Count();
        string copy = h.NewId("copy");
        var restore = Criu("restore", "-d", "--image-path", Images(), "--bundle", bundle, copy);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal("running", h.State(copy).Status);
        AssertCountsOnFrom(stoppedAt);
    }

    [CriuFact]
    public void A_restore_in_the_foreground_waits_for_the_container_and_deletes_it()
    {
        string bundle = CounterBundle();
        string id = StartCounter(bundle);
        Assert.True(Criu("checkpoint", "--image-path", Images(), id).ExitCode == 0);
        long stoppedAt = Count();
        using var restore = h.Start("--criu", CriuForTests.Path, "restore", "--image-path", Images(), "--bundle", bundle, id);
        AssertCountsOnFrom(stoppedAt);
        Assert.Equal("running", h.State(id).Status);
        Assert.True(h.Run("kill", id, "KILL").ExitCode == 0);
        restore.WaitForExit();
        Assert.Equal(137, restore.ExitCode);
        Assert.Empty(h.LeftoverState());
        AssertNoCgroup(id);
    }

    [CriuFact]
    public void Restore_makes_the_mount_points_the_rootfs_lacks()
    {
        // A restore onto a fresh copy of the rootfs (another host's, say) finds none of the mount points the
        // container's create made: restore makes them, as runc does, in the rootfs and, for a mount inside a bind
        // mount, in the bind's source (/tmp/nested is a directory of the data directory).
        string rootfs = ContainerEnvironment.Env.PrivateRootfs(h);
        string nested = Path.Combine(h.Root, "nested");
        Directory.CreateDirectory(nested);
        string file = Path.Combine(h.Root, "a-file");
        File.WriteAllText(file, "bound file\n");
        var spec = OciRunHarness.NewSpec("sh", "-c",
            "i=0; while true; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; usleep 50000; done");
        spec.Root!.Path = rootfs;
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "bind", Source = data, Options = ["rbind", "rw"] });
        spec.Mounts.Add(new Mount { Destination = "/tmp/nested", Type = "bind", Source = nested, Options = ["rbind", "rw"] });
        spec.Mounts.Add(new Mount { Destination = "/srv/deep/dir", Type = "bind", Source = nested, Options = ["rbind", "ro"] });
        spec.Mounts.Add(new Mount { Destination = "/etc/bound/file", Type = "bind", Source = file, Options = ["bind", "ro"] });
        string bundle = h.WriteBundle(spec);
        string id = StartCounter(bundle);
        var checkpoint = Criu("checkpoint", "--image-path", Images(), id);
        Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
        long stoppedAt = Count();
        Directory.Delete(Path.Combine(rootfs, "srv"), recursive: true);
        Directory.Delete(Path.Combine(rootfs, "etc", "bound"), recursive: true);
        Directory.Delete(Path.Combine(data, "nested"));
        Directory.Delete(Path.Combine(rootfs, "tmp"));

        var restore = Criu("restore", "-d", "--image-path", Images(), "--bundle", bundle, id);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal("running", h.State(id).Status);
        AssertCountsOnFrom(stoppedAt);
        Assert.True(Directory.Exists(Path.Combine(rootfs, "srv", "deep", "dir")));
        Assert.True(File.Exists(Path.Combine(rootfs, "etc", "bound", "file")));
        Assert.True(Directory.Exists(Path.Combine(data, "nested")));
        var exec = h.Run("exec", id, "cat", "/etc/bound/file");
        Assert.True(exec.ExitCode == 0 && exec.Stdout == "bound file\n", exec.ToString());
        // The binds that made the nested mount points are gone with the namespace they were made in.
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(rootfs + "/tmp", StringComparison.Ordinal));
    }

    [CriuFact]
    public void A_symlink_out_of_the_rootfs_on_a_mount_points_path_makes_nothing_outside_it()
    {
        string rootfs = ContainerEnvironment.Env.PrivateRootfs(h);
        string nested = Path.Combine(h.Root, "nested");
        Directory.CreateDirectory(nested);
        var spec = OciRunHarness.NewSpec("sh", "-c",
            "i=0; while true; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; usleep 50000; done");
        spec.Root!.Path = rootfs;
        // /srv's mount first: its mount point is made before /tmp (where the host path below lies) is bound.
        spec.Mounts!.Add(new Mount { Destination = "/srv/deep/dir", Type = "bind", Source = nested, Options = ["rbind", "ro"] });
        spec.Mounts.Add(new Mount { Destination = "/tmp", Type = "bind", Source = data, Options = ["rbind", "rw"] });
        string bundle = h.WriteBundle(spec);
        string id = StartCounter(bundle);
        Assert.True(Criu("checkpoint", "--image-path", Images(), id).ExitCode == 0);
        // /srv becomes a symlink naming a host directory: the mount point is made in the rootfs's own directory of
        // that name, never in the host's. (CRIU itself then follows the symlink from outside the root and finds no
        // mount point: the restore fails, in one line, and leaves nothing behind.)
        Directory.Delete(Path.Combine(rootfs, "srv"), recursive: true);
        string outside = Path.Combine(h.Root, "outside");
        Directory.CreateDirectory(outside);
        File.CreateSymbolicLink(Path.Combine(rootfs, "srv"), outside);
        var restore = Criu("restore", "-d", "--image-path", Images(), "--bundle", bundle, id);
        Assert.Empty(Directory.GetFileSystemEntries(outside));
        Assert.True(Directory.Exists(rootfs + outside + "/deep/dir"));
        if (restore.ExitCode != 0)
        {
            Assert.Single(restore.Stderr.Trim().Split('\n'));
            Assert.Empty(h.LeftoverState());
            AssertNoCgroup(id);
        }
    }

    [CriuFact(needsDirtyTracking: true)]
    public void A_pre_dump_chain_restores()
    {
        string bundle = CounterBundle();
        string id = StartCounter(bundle);
        var preDump = Criu("checkpoint", "--pre-dump", "--image-path", Images("pre"), id);
        Assert.True(preDump.ExitCode == 0, preDump.ToString());
        Assert.Equal("running", h.State(id).Status);
        var dump = Criu("checkpoint", "--parent-path", "../pre", "--image-path", Images(), id);
        Assert.True(dump.ExitCode == 0, dump.ToString());
        long stoppedAt = Count();
        var restore = Criu("restore", "-d", "--image-path", Images(), "--bundle", bundle, id);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        AssertCountsOnFrom(stoppedAt);
    }

    [CriuFact(needsNoDirtyTracking: true)]
    public void A_pre_dump_the_host_cannot_do_is_one_line_and_leaves_the_container_running()
    {
        string id = StartCounter(CounterBundle());
        var preDump = Criu("checkpoint", "--pre-dump", "--image-path", Images("pre"), id);
        Assert.NotEqual(0, preDump.ExitCode);
        Assert.Contains("criu is missing features: MemTrack", preDump.Stderr);
        Assert.Single(preDump.Stderr.Trim().Split('\n'));
        Assert.Equal("running", h.State(id).Status);
    }

    [CriuFact]
    public void Without_criu_checkpoint_and_restore_fail_in_one_line_and_change_nothing()
    {
        string bundle = CounterBundle();
        string id = StartCounter(bundle);
        string missing = Path.Combine(h.Root, "no-criu");
        var checkpoint = h.RunWithGlobal(["--criu", missing], ["checkpoint", "--image-path", Images(), id]);
        Assert.NotEqual(0, checkpoint.ExitCode);
        Assert.Contains($"--criu {missing}: does not exist", checkpoint.Stderr);
        Assert.Single(checkpoint.Stderr.Trim().Split('\n'));
        Assert.Equal("running", h.State(id).Status);
        Assert.False(Directory.Exists(Images()));

        string other = h.NewId("none");
        var restore = h.RunWithGlobal(["--criu", missing], ["restore", "-d", "--image-path", Images(), "--bundle", bundle, other]);
        Assert.NotEqual(0, restore.ExitCode);
        Assert.Single(restore.Stderr.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(h.StateRoot, other)));
    }

    [CriuFact]
    public void An_image_that_does_not_match_fails_in_one_line_and_leaves_nothing_behind()
    {
        string bundle = CounterBundle();
        // Not a checkpoint at all.
        Directory.CreateDirectory(Images("empty"));
        string id = h.NewId("bad");
        var empty = Criu("restore", "-d", "--image-path", Images("empty"), "--bundle", bundle, id);
        Assert.NotEqual(0, empty.ExitCode);
        Assert.Contains("not the checkpoint of a container", empty.Stderr);
        Assert.Single(empty.Stderr.Trim().Split('\n'));
        Assert.Empty(h.LeftoverState());

        // A checkpoint whose images CRIU cannot restore: the process images are gone. CRIU fails after the
        // container's cgroups were made: they go again.
        string first = StartCounter(bundle);
        Assert.True(Criu("checkpoint", "--image-path", Images(), first).ExitCode == 0);
        foreach (var file in Directory.GetFiles(Images(), "core-*.img")) File.Delete(file);
        var broken = Criu("restore", "-d", "--image-path", Images(), "--bundle", bundle, id);
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("criu failed", broken.Stderr);
        Assert.Contains("restore.log", broken.Stderr);
        Assert.Single(broken.Stderr.Trim().Split('\n'));
        Assert.Empty(h.LeftoverState());
        AssertNoCgroup(id);
    }

    [CriuFact]
    public void Work_path_gets_crius_logs_and_the_image_path_none()
    {
        string bundle = CounterBundle();
        string id = StartCounter(bundle);
        string dumpWork = Images("dump-work"), restoreWork = Images("restore-work");
        var checkpoint = Criu("checkpoint", "--work-path", dumpWork, "--image-path", Images(), id);
        Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
        Assert.True(File.Exists(Path.Combine(dumpWork, "dump.log")));
        Assert.False(File.Exists(Path.Combine(Images(), "dump.log")));
        long stoppedAt = Count();
        var restore = Criu("restore", "-d", "--work-path", restoreWork, "--image-path", Images(), "--bundle", bundle, id);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains("Restore finished successfully", File.ReadAllText(Path.Combine(restoreWork, "restore.log")));
        Assert.False(File.Exists(Path.Combine(Images(), "restore.log")));
        AssertCountsOnFrom(stoppedAt);
    }

    [CriuFact]
    public void Manage_cgroups_mode_ignore_dumps_no_cgroup_properties()
    {
        string bundle = CounterBundle();
        string id = StartCounter(bundle);
        Assert.True(Criu("checkpoint", "--leave-running", "--image-path", Images("soft"), id).ExitCode == 0);
        var ignore = Criu("checkpoint", "--manage-cgroups-mode", "ignore", "--image-path", Images(), id);
        Assert.True(ignore.ExitCode == 0, ignore.ToString());
        // CRIU writes the container's cgroups either way; their properties (limits, ...) only when it manages them.
        long soft = new FileInfo(Path.Combine(Images("soft"), "cgroup.img")).Length;
        long ignored = new FileInfo(Path.Combine(Images(), "cgroup.img")).Length;
        Assert.True(ignored < soft, $"cgroup.img: {ignored} bytes with ignore, {soft} without");
        long stoppedAt = Count();
        foreach (var mode in new[] { "soft", "full" })
        {
            string copy = h.NewId(mode);
            var restore = Criu("restore", "-d", "--manage-cgroups-mode", mode, "--image-path", Images("soft"), "--bundle", bundle, copy);
            Assert.True(restore.ExitCode == 0, restore.ToString());
            Assert.Equal("running", h.State(copy).Status);
            Assert.True(h.Run("delete", "--force", copy).ExitCode == 0);
        }
        // strict restores into cgroups of CRIU's own making only, and the container's exist already (made as for
        // create, as runc does): CRIU refuses, in one line, and nothing of the restore is left.
        string strict = h.NewId("strict");
        var refused = Criu("restore", "-d", "--manage-cgroups-mode", "strict", "--image-path", Images("soft"), "--bundle", bundle, strict);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Abort restore of existing cgroups", refused.Stderr);
        Assert.Single(refused.Stderr.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(h.StateRoot, strict)));
        AssertNoCgroup(strict);
        var restoreIgnore = Criu("restore", "-d", "--manage-cgroups-mode", "ignore", "--image-path", Images(), "--bundle", bundle, id);
        Assert.True(restoreIgnore.ExitCode == 0, restoreIgnore.ToString());
        AssertCountsOnFrom(stoppedAt);
    }

    [CriuFact]
    public void Auto_dedup_on_restore_frees_the_pages_it_restored_from_the_images()
    {
        string bundle = CounterBundle();
        string id = StartCounter(bundle);
        Assert.True(Criu("checkpoint", "--auto-dedup", "--image-path", Images(), id).ExitCode == 0);
        long stoppedAt = Count();
        long Allocated() => Directory.GetFiles(Images(), "pages-*.img").Sum(f => long.Parse(ContainerEnvironment.Env.Shell($"stat -c %b {f}").Trim()));
        Assert.True(Allocated() > 0);
        var restore = Criu("restore", "-d", "--auto-dedup", "--image-path", Images(), "--bundle", bundle, id);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(0, Allocated());
        AssertCountsOnFrom(stoppedAt);
    }

    [CriuFact]
    public void Empty_ns_network_leaves_the_network_namespace_out_of_the_images()
    {
        string bundle = CounterBundle();
        string id = StartCounter(bundle);
        Assert.True(Criu("checkpoint", "--leave-running", "--image-path", Images("full"), id).ExitCode == 0);
        Assert.NotEmpty(Directory.GetFiles(Images("full"), "netns-*.img"));
        var checkpoint = Criu("checkpoint", "--empty-ns", "network", "--image-path", Images(), id);
        Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
        Assert.Empty(Directory.GetFiles(Images(), "netns-*.img"));
        Assert.Empty(Directory.GetFiles(Images(), "netdev-*.img"));
        long stoppedAt = Count();
        var restore = Criu("restore", "-d", "--empty-ns", "network", "--image-path", Images(), "--bundle", bundle, id);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        AssertCountsOnFrom(stoppedAt);
        var other = Criu("checkpoint", "--empty-ns", "pid", "--image-path", Images("pid"), id);
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("--empty-ns: namespace", other.Stderr);
        Assert.Contains("is not supported: only network", other.Stderr);
        Assert.Equal("running", h.State(id).Status);
    }

    [CriuFact]
    public void Bad_page_server_lazy_pages_and_status_fd_values_are_refused_by_name_and_change_nothing()
    {
        string bundle = CounterBundle();
        string id = StartCounter(bundle);
        string port = "0.0.0.0:27277";
        foreach (var (args, error) in new (string[], string)[]
                 {
                     (["--page-server", "127.0.0.1"], "--page-server 127.0.0.1: must be ADDRESS:PORT"),
                     (["--page-server", ":27277"], "--page-server :27277: must be ADDRESS:PORT"),
                     (["--page-server", "127.0.0.1:99999"], "--page-server 127.0.0.1:99999: must be ADDRESS:PORT"),
                     (["--lazy-pages"], "--lazy-pages: needs --page-server ADDRESS:PORT"),
                     (["--lazy-pages", "--page-server", "127.0.0.1", "--status-fd", "2"], "--page-server 127.0.0.1: must be ADDRESS:PORT"),
                     (["--page-server", port, "--status-fd", "2"], "--status-fd: only with --lazy-pages"),
                     (["--lazy-pages", "--page-server", port, "--status-fd", "987"], "--status-fd 987: not an open descriptor"),
                     // The harness's stdin is the read end of a pipe.
                     (["--lazy-pages", "--page-server", port, "--status-fd", "0"], "--status-fd 0: not open for writing"),
                     (["--lazy-pages", "--page-server", port, "--status-fd", "x"], "--status-fd: invalid value"),
                 })
        {
            var refused = Criu(["checkpoint", .. args, "--image-path", Images(), id]);
            Assert.True(refused.ExitCode != 0, $"{string.Join(' ', args)}: {refused}");
            Assert.Contains(error, refused.Stderr);
            Assert.Single(refused.Stderr.Trim().Split('\n'));
        }
        // CRIU's lazy page server needs a 4 MiB pipe: without CAP_SYS_RESOURCE (this host's root has none), a lower
        // fs.pipe-max-size is refused before the container is frozen, naming the limit.
        if (!File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("CapEff:") && (Convert.ToUInt64(l[7..].Trim(), 16) & (1UL << 24)) != 0)
            && PipeMaxSize.Writable)
        {
            using (PipeMaxSize.Set(1024 * 1024))
            {
                var small = Criu("checkpoint", "--lazy-pages", "--page-server", port, "--image-path", Images(), id);
                Assert.NotEqual(0, small.ExitCode);
                Assert.Contains("--lazy-pages: CRIU's lazy page server needs a pipe of 4194304 bytes, above fs.pipe-max-size (1048576)", small.Stderr);
                Assert.Single(small.Stderr.Trim().Split('\n'));
            }
        }
        Assert.Equal("running", h.State(id).Status);
        Assert.False(Directory.Exists(Images()));
        Assert.Single(h.Run("list", "-q").Stdout.Trim().Split('\n'));

        // A restore --lazy-pages asks CRIU for lazy pages: with no criu lazy-pages daemon on the work directory's
        // socket, CRIU says so, in one line, and nothing of the restore is left.
        Assert.True(Criu("checkpoint", "--leave-running", "--image-path", Images(), id).ExitCode == 0);
        string copy = h.NewId("lazy");
        var restore = Criu("restore", "-d", "--lazy-pages", "--image-path", Images(), "--bundle", bundle, copy);
        Assert.NotEqual(0, restore.ExitCode);
        Assert.Contains("connect to lazy-pages.socket failed", restore.Stderr);
        Assert.Single(restore.Stderr.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(h.StateRoot, copy)));
        AssertNoCgroup(copy);
        Assert.Equal("running", h.State(id).Status);
    }

    [CriuFact]
    public void Page_server_sends_the_memory_to_a_criu_page_server()
    {
        // Without --lazy-pages, the pages go to `criu page-server` (another host's, in a migration), not to the
        // image directory; its images joined with the checkpoint's restore the container.
        string bundle = CounterBundle();
        string id = StartCounter(bundle);
        string pages = Images("pages");
        Directory.CreateDirectory(pages);
        int port = FreePort();
        using var server = System.Diagnostics.Process.Start(new ProcessStartInfo(CriuForTests.Path,
            ["page-server", "--address", "127.0.0.1", "--port", port.ToString(), "-D", pages, "-o", "page-server.log", "-v4"]) { UseShellExecute = false })!;
        try
        {
            string listening = $"0100007F:{port:X4} 00000000:0000 0A";
            Assert.True(OciRunHarness.Eventually(() => File.ReadAllText("/proc/net/tcp").Contains(listening)), "criu page-server does not listen");
            var checkpoint = Criu("checkpoint", "--page-server", $"127.0.0.1:{port}", "--image-path", Images(), id);
            Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
            long stoppedAt = Count();
            server.WaitForExit();
            Assert.Equal(0, server.ExitCode);
            Assert.Empty(Directory.GetFiles(Images(), "pages-*.img"));
            Assert.NotEmpty(Directory.GetFiles(pages, "pages-*.img"));
            foreach (var file in Directory.GetFiles(pages, "*.img")) File.Copy(file, Path.Combine(Images(), Path.GetFileName(file)), overwrite: true);
            var restore = Criu("restore", "-d", "--image-path", Images(), "--bundle", bundle, id);
            Assert.True(restore.ExitCode == 0, restore.ToString());
            AssertCountsOnFrom(stoppedAt);
        }
        finally
        {
            if (!server.HasExited) server.Kill();
        }
    }

    [CriuFact(needsLazyPages: true)]
    public void Lazy_migration_moves_a_counting_container_page_by_page_and_it_goes_on_counting()
    {
        // runc's "checkpoint --lazy-pages and restore": the checkpoint freezes the container and serves its memory
        // on a port, says so on --status-fd, criu lazy-pages takes the pages from that port for the restore (under
        // another id: the original exists until its last page went), and the checkpoint then ends, deleting it.
        using var pipeSize = PipeMaxSize.Current < 4 * 1024 * 1024 ? PipeMaxSize.Set(4 * 1024 * 1024) : null;
        string bundle = CounterBundle();
        string id = StartCounter(bundle);
        string images = Images();
        int port = FreePort();
        string fifo = Path.Combine(h.Root, "status.fifo");
        Interop.Sys.Mkfifo(fifo, 0x180);
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // The FIFO's write end is the checkpoint's descriptor 9.
        foreach (var arg in new[] { "-c", "exec \"$@\" 9>\"$0\"", fifo, TestPaths.OciRunBinary, "--root", h.StateRoot, "--criu", CriuForTests.Path,
                     "checkpoint", "--lazy-pages", "--page-server", $"0.0.0.0:{port}", "--status-fd", "9", "--image-path", images, id })
            start.ArgumentList.Add(arg);
        using var checkpoint = System.Diagnostics.Process.Start(start)!;
        var checkpointStderr = checkpoint.StandardError.ReadToEndAsync();
        System.Diagnostics.Process? lazyPages = null;
        try
        {
            using (var status = new FileStream(fifo, FileMode.Open, FileAccess.Read))
            {
                // One zero byte, then the descriptor is closed (only the checkpoint held it).
                int first = status.ReadByte();
                if (first != 0) Assert.Fail($"{first} on --status-fd instead of a zero byte: {checkpointStderr.Result}");
                Assert.Equal(-1, status.ReadByte());
            }
            // The container is frozen now, its memory in the checkpoint's hands.
            long stoppedAt = Count();
            Thread.Sleep(200);
            Assert.Equal(stoppedAt, Count());
            Assert.Equal("running", h.State(id).Status);
            Assert.True(File.Exists(Path.Combine(images, "inventory.img")));

            lazyPages = System.Diagnostics.Process.Start(new ProcessStartInfo(CriuForTests.Path,
                ["lazy-pages", "--page-server", "--address", "127.0.0.1", "--port", port.ToString(), "-D", images, "-o", "lazy-pages.log", "-v4"])
                { UseShellExecute = false })!;
            Assert.True(OciRunHarness.Eventually(() => File.Exists(Path.Combine(images, "lazy-pages.socket"))), "criu lazy-pages made no socket");
            string copy = h.NewId("lazy");
            var restore = Criu("restore", "-d", "--lazy-pages", "--image-path", images, "--bundle", bundle, copy);
            Assert.True(restore.ExitCode == 0, restore.ToString());
            Assert.Contains("uffd", File.ReadAllText(Path.Combine(images, "restore.log")));

            checkpoint.WaitForExit();
            Assert.True(checkpoint.ExitCode == 0, $"checkpoint: exit {checkpoint.ExitCode}: {checkpointStderr.Result}");
            lazyPages.WaitForExit();
            Assert.True(lazyPages.ExitCode == 0, $"criu lazy-pages: exit {lazyPages.ExitCode}: {Oci.Runtime.Checkpoint.CriuService.FirstError(Path.Combine(images, "lazy-pages.log"))}");
            Assert.Contains("does not exist", h.Run("state", id).Stderr);
            Assert.Equal("running", h.State(copy).Status);
            AssertCountsOnFrom(stoppedAt);
        }
        finally
        {
            if (!checkpoint.HasExited) checkpoint.Kill();
            if (lazyPages is { HasExited: false }) lazyPages.Kill();
            lazyPages?.Dispose();
        }
    }

    [CriuFact]
    public void An_established_tcp_connection_is_refused_without_tcp_established()
    {
        // Two busybox nc in the container's own network namespace, connected over its loopback; the client's input
        // is the counter (silent), the server's stdin a sleep that never ends (busybox nc hangs up at end of input).
        var spec = OciRunHarness.NewSpec("sh", "-c",
            "ip link set lo up; sleep 1000000 | nc -l -p 5000 > /tmp/received & sleep 0.3; " +
            "(i=0; while true; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; usleep 50000; done) | nc 127.0.0.1 5000");
        foreach (var set in new[] { spec.Process!.Capabilities!.Bounding, spec.Process.Capabilities.Effective, spec.Process.Capabilities.Permitted })
            set!.Add("CAP_NET_ADMIN");
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "bind", Source = data, Options = ["rbind", "rw"] });
        string id = StartCounter(h.WriteBundle(spec));
        // The connection is established (state 01 in the namespace's /proc/net/tcp).
        Assert.True(OciRunHarness.Eventually(() => h.Run("exec", id, "cat", "/proc/net/tcp").Stdout.Split('\n').Skip(1)
            .Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 3 } f && f[3] == "01")), "no established connection");
        var refused = Criu("checkpoint", "--image-path", Images(), id);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Connected TCP socket, consider using --tcp-established option", refused.Stderr);
        Assert.Single(refused.Stderr.Trim().Split('\n'));
        Assert.Equal("running", h.State(id).Status);
        long at = Count();
        Assert.True(OciRunHarness.Eventually(() => Count() > at + 2), "the container stopped counting after the refusal");
    }

    [CriuFact(needsTcpDump: true)]
    public void An_established_tcp_connection_survives_checkpoint_and_restore_with_tcp_established()
    {
        // The client sends what the host leaves in /tmp/say: after the restore, it still reaches the server.
        var spec = OciRunHarness.NewSpec("sh", "-c",
            "ip link set lo up; sleep 1000000 | nc -l -p 5000 > /tmp/received & sleep 0.3; " +
            "(i=0; while true; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; " +
            "if [ -f /tmp/say ]; then cat /tmp/say; rm /tmp/say; fi; usleep 50000; done) | nc 127.0.0.1 5000");
        foreach (var set in new[] { spec.Process!.Capabilities!.Bounding, spec.Process.Capabilities.Effective, spec.Process.Capabilities.Permitted })
            set!.Add("CAP_NET_ADMIN");
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "bind", Source = data, Options = ["rbind", "rw"] });
        string bundle = h.WriteBundle(spec);
        string id = StartCounter(bundle);
        string received = Path.Combine(data, "received");
        File.WriteAllText(Path.Combine(data, "say"), "before\n");
        Assert.True(OciRunHarness.Eventually(() => File.Exists(received) && File.ReadAllText(received).Contains("before")), "the connection carried nothing");
        var checkpoint = Criu("checkpoint", "--tcp-established", "--image-path", Images(), id);
        Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
        long stoppedAt = Count();
        var refused = Criu("restore", "-d", "--image-path", Images(), "--bundle", bundle, id);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Empty(h.LeftoverState());
        var restore = Criu("restore", "-d", "--tcp-established", "--image-path", Images(), "--bundle", bundle, id);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        AssertCountsOnFrom(stoppedAt);
        File.WriteAllText(Path.Combine(data, "say"), "after\n");
        Assert.True(OciRunHarness.Eventually(() => File.ReadAllText(received).Contains("after")), "the restored connection carried nothing");
    }

    [CriuFact(needsMuslGcc: true)]
    public void A_datagram_socket_connected_outside_needs_ext_unix_sk_and_is_connected_again_on_restore()
    {
        // A small static program connects a datagram socket to a socket the test binds on the host and leaves it at
        // descriptor 3 to the counter, which sends each count. CRIU finds a unix socket's peer only in the dumped
        // network namespace (else "Unix socket ... without peer"), so the container shares the host's; and it
        // connects the restored socket to the peer's name as the host bound it, so the data directory is also
        // mounted at its host path.
        string rootfs = ContainerEnvironment.Env.PrivateRootfs(h);
        string source = Path.Combine(h.Root, "dgram.c");
        File.WriteAllText(source, """
            #include <string.h>
            #include <sys/socket.h>
            #include <sys/un.h>
            #include <unistd.h>
            int main(int argc, char **argv)
            {
                struct sockaddr_un addr = { .sun_family = AF_UNIX };
                int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
                if (argc < 3 || fd < 0)
                    return 1;
                strncpy(addr.sun_path, argv[1], sizeof(addr.sun_path) - 1);
                if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || dup2(fd, 3) < 0)
                    return 1;
                if (fd != 3)
                    close(fd);
                execv(argv[2], argv + 2);
                return 127;
            }
            """);
        ContainerEnvironment.Env.Shell($"musl-gcc -static -Os -o {rootfs}/bin/dgram {source}");
        using var host = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Unspecified);
        host.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(data, "log.sock")));
        long lastReceived = -1;
        var reader = new Thread(() =>
        {
            var buffer = new byte[64];
            try
            {
                while (true)
                {
                    int n = host.Receive(buffer);
                    if (long.TryParse(System.Text.Encoding.ASCII.GetString(buffer, 0, n).Trim(), out long value))
                        Interlocked.Exchange(ref lastReceived, value);
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException) { }
        }) { IsBackground = true };
        reader.Start();
        var spec = OciRunHarness.NewSpec("/bin/dgram", Path.Combine(data, "log.sock"), "/bin/sh", "-c",
            "i=0; while true; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; echo $i >&3; usleep 50000; done");
        spec.Root!.Path = rootfs;
        spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "network");
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "bind", Source = data, Options = ["rbind", "rw"] });
        spec.Mounts.Add(new Mount { Destination = data, Type = "bind", Source = data, Options = ["rbind", "rw"] });
        string bundle = h.WriteBundle(spec);
        string id = StartCounter(bundle);
        Assert.True(OciRunHarness.Eventually(() => Interlocked.Read(ref lastReceived) > 0), "the host socket received nothing");

        var refused = Criu("checkpoint", "--image-path", Images(), id);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("External socket is used. Consider using --ext-unix-sk option", refused.Stderr);
        Assert.Single(refused.Stderr.Trim().Split('\n'));
        Assert.Equal("running", h.State(id).Status);

        var checkpoint = Criu("checkpoint", "--ext-unix-sk", "--image-path", Images(), id);
        Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
        long stoppedAt = Count();
        var restore = Criu("restore", "-d", "--ext-unix-sk", "--image-path", Images(), "--bundle", bundle, id);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        AssertCountsOnFrom(stoppedAt);
        Assert.True(OciRunHarness.Eventually(() => Interlocked.Read(ref lastReceived) > stoppedAt),
            $"the restored socket sent nothing past {stoppedAt} to the host's: {Interlocked.Read(ref lastReceived)}");
    }

    [CriuFact]
    public void A_shell_job_on_the_callers_terminal_needs_shell_job_and_is_restored_onto_the_restores_terminal()
    {
        // `script` runs oci-run on a terminal whose master it holds while it lives: the container, without a terminal
        // of its own, is a job of that terminal. It writes to it what the host leaves in /tmp/say.
        var spec = OciRunHarness.NewSpec("sh", "-c",
            "i=0; while true; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; " +
            "if [ -f /tmp/say ]; then cat /tmp/say; rm /tmp/say; fi; usleep 50000; done");
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "bind", Source = data, Options = ["rbind", "rw"] });
        string bundle = h.WriteBundle(spec);
        string id = h.NewId("job");
        string runtime = $"{TestPaths.OciRunBinary} --root {h.StateRoot} --criu {CriuForTests.Path}";
        string say = Path.Combine(data, "say");
        System.Diagnostics.Process Session(string command)
        {
            var start = new ProcessStartInfo("script", ["-qfec", command + "; sleep 1000000", "/dev/null"])
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false,
            };
            return System.Diagnostics.Process.Start(start)!;
        }
        using var first = Session($"{runtime} run -d --bundle {bundle} {id}");
        System.Diagnostics.Process? second = null;
        try
        {
            Assert.True(OciRunHarness.Eventually(() => Count() >= 3), "the counter never counted");
            File.WriteAllText(say, "on-the-first-terminal\n");
            Assert.Contains("on-the-first-terminal", OciRunHarness.ReadUntil(first.StandardOutput.BaseStream, "on-the-first-terminal"));

            // Its terminal is outside the container: CRIU refuses it unless it is a shell job.
            var refused = Criu("checkpoint", "--image-path", Images(), id);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("path=/dev/pts/", refused.Stderr);
            Assert.Single(refused.Stderr.Trim().Split('\n'));
            Assert.Equal("running", h.State(id).Status);

            var checkpoint = Criu("checkpoint", "--shell-job", "--image-path", Images(), id);
            Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
            long stoppedAt = Count();
            // Restored as a shell job, it inherits the terminal the restore runs on (CRIU's stdin), not a new one
            // for --console-socket.
            second = Session($"{runtime} restore -d --shell-job --image-path {Images()} --bundle {bundle} {id} 2>&1; echo restored-$?-end");
            Assert.Contains("restored-0-end", OciRunHarness.ReadUntil(second.StandardOutput.BaseStream, "-end"));
            Assert.Equal("running", h.State(id).Status);
            AssertCountsOnFrom(stoppedAt);
            File.WriteAllText(say, "on-the-second-terminal\n");
            Assert.Contains("on-the-second-terminal", OciRunHarness.ReadUntil(second.StandardOutput.BaseStream, "on-the-second-terminal"));
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            second?.Kill(entireProcessTree: true);
            second?.Dispose();
        }
    }

    [CriuFact]
    public void A_foreground_restore_adopts_the_containers_orphans_unless_no_subreaper()
    {
        // Without a PID namespace of its own, a process of the container whose parent dies goes to the nearest
        // subreaper: the foreground restore, unless --no-subreaper. The counter (a grandchild of init) writes its
        // parent's pid; its parent writes its own, for the test to kill it.
        File.WriteAllText(Path.Combine(data, "middle.sh"), "echo $$ > /tmp/middle\nsh /tmp/counter.sh &\nwait\n");
        File.WriteAllText(Path.Combine(data, "counter.sh"), """
            echo $$ > /tmp/counter
            i=0
            while true; do
                i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count
                read -r a b c ppid rest < /proc/$$/stat; echo $ppid > /tmp/ppid.new; mv /tmp/ppid.new /tmp/ppid
                usleep 50000
            done
            """);
        var spec = OciRunHarness.NewSpec("sh", "-c", "sh /tmp/middle.sh & while true; do sleep 1; done");
        spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "pid");
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "bind", Source = data, Options = ["rbind", "rw"] });
        string bundle = h.WriteBundle(spec);
        int Pid(string name) => int.Parse(File.ReadAllText(Path.Combine(data, name)).Trim());
        foreach (bool noSubreaper in new[] { false, true })
        {
            foreach (var name in new[] { "count", "middle", "counter", "ppid" }) File.Delete(Path.Combine(data, name));
            string id = StartCounter(bundle);
            Assert.True(OciRunHarness.Eventually(() => File.Exists(Path.Combine(data, "ppid"))));
            int[] pids = [h.State(id).Pid ?? 0, Pid("middle"), Pid("counter")];
            string images = Images(noSubreaper ? "no-subreaper" : "subreaper");
            var checkpoint = Criu("checkpoint", "--image-path", images, id);
            Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
            long stoppedAt = Count();
            // CRIU gives the processes their pids again, in the host's PID namespace: once the killed ones are
            // reaped (else "Can't fork for PID: File exists").
            Assert.True(OciRunHarness.Eventually(() => pids.All(p => !Directory.Exists($"/proc/{p}"))), "the checkpointed processes were not reaped");
            string[] flags = noSubreaper ? ["--no-subreaper"] : [];
            using var restore = h.Start(["--criu", CriuForTests.Path, "restore", .. flags, "--image-path", images, "--bundle", bundle, id]);
            try
            {
                AssertCountsOnFrom(stoppedAt);
                int middle = Pid("middle");
                Assert.Equal(middle.ToString(), File.ReadAllText(Path.Combine(data, "ppid")).Trim());
                Assert.Equal(0, Interop.Sys.Kill(middle, 9));
                string Parent() => File.ReadAllText(Path.Combine(data, "ppid")).Trim();
                Assert.True(OciRunHarness.Eventually(() => Parent() != middle.ToString()), "the counter's parent did not die");
                if (noSubreaper) Assert.NotEqual(restore.Id.ToString(), Parent());
                else Assert.Equal(restore.Id.ToString(), Parent());
            }
            finally
            {
                // Without a PID namespace, the orphan outlives init: it goes first.
                Interop.Sys.Kill(Pid("counter"), 9);
                h.Run("kill", id, "KILL");
                restore.WaitForExit();
                h.Run("delete", "--force", id);
            }
        }
    }

    /// <summary>A TCP port nobody listens on now.</summary>
    static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [CriuFact]
    public void Features_says_checkpoint_and_restore_work()
    {
        var features = h.Run("features");
        Assert.True(features.ExitCode == 0, features.ToString());
        Assert.Matches("\"org\\.opencontainers\\.runc\\.checkpoint\\.enabled\":\\s*\"true\"", features.Stdout);
    }

    [CriuFact]
    public void Status_fd_without_lazy_pages_is_refused()
    {
        string id = StartCounter(CounterBundle());
        var checkpoint = Criu("checkpoint", "--status-fd", "1", "--image-path", Images(), id);
        Assert.NotEqual(0, checkpoint.ExitCode);
        Assert.Contains("--status-fd: only with --lazy-pages", checkpoint.Stderr);
        Assert.Single(checkpoint.Stderr.Trim().Split('\n'));
        Assert.Equal("running", h.State(id).Status);
    }

    [CriuFact(needsMuslGcc: true)]
    public void A_held_file_lock_is_refused_without_file_locks_and_held_again_after_restore_with_it()
    {
        // busybox has no flock: a small static program takes the lock on a file of the bind-mounted data directory
        // and becomes the counter, which so holds it.
        string rootfs = ContainerEnvironment.Env.PrivateRootfs(h);
        string source = Path.Combine(h.Root, "locker.c");
        File.WriteAllText(source, """
            #include <fcntl.h>
            #include <sys/file.h>
            #include <unistd.h>
            int main(int argc, char **argv)
            {
                int fd = open(argv[1], O_CREAT | O_RDWR, 0644);
                if (argc < 3 || fd < 0 || flock(fd, LOCK_EX) < 0)
                    return 1;
                execv(argv[2], argv + 2);
                return 127;
            }
            """);
        ContainerEnvironment.Env.Shell($"musl-gcc -static -Os -o {rootfs}/bin/locker {source}");
        var spec = OciRunHarness.NewSpec("/bin/locker", "/tmp/lock", "/bin/sh", "-c",
            "i=0; while true; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; usleep 50000; done");
        spec.Root!.Path = rootfs;
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "bind", Source = data, Options = ["rbind", "rw"] });
        string bundle = h.WriteBundle(spec);
        string id = StartCounter(bundle);
        string lockFile = Path.Combine(data, "lock");
        bool Held() => System.Diagnostics.Process.Start("flock", ["-n", lockFile, "true"]) is { } p && p.WaitForExit(int.MaxValue) && p.ExitCode != 0;
        Assert.True(Held(), "the container does not hold the lock");

        var refused = Criu("checkpoint", "--image-path", Images(), id);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("criu failed", refused.Stderr);
        Assert.Single(refused.Stderr.Trim().Split('\n'));
        Assert.Equal("running", h.State(id).Status);

        var checkpoint = Criu("checkpoint", "--file-locks", "--image-path", Images(), id);
        Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
        Assert.False(Held(), "the lock outlived the checkpointed container");
        long stoppedAt = Count();
        var restore = Criu("restore", "-d", "--file-locks", "--image-path", Images(), "--bundle", bundle, id);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.True(Held(), "the restored container does not hold the lock");
        AssertCountsOnFrom(stoppedAt);
    }

    [CriuFact]
    public void A_terminal_container_is_restored_onto_a_new_terminal_sent_to_the_console_socket()
    {
        // The counter runs in the background; init answers each line its terminal reads.
        var spec = OciRunHarness.NewSpec("sh", "-c",
            "(i=0; while true; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; usleep 50000; done) & " +
            "while read line; do echo \"got-$line\"; done");
        spec.Process!.Terminal = true;
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "bind", Source = data, Options = ["rbind", "rw"] });
        string bundle = h.WriteBundle(spec);
        string id = h.NewId("tty");
        int Receive(string socketPath, Func<CommandResult> command)
        {
            using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
            listener.Listen(1);
            var accepted = listener.AcceptAsync();
            var result = command();
            Assert.True(result.ExitCode == 0, result.ToString());
            using var connection = accepted.Result;
            int fd = Interop.Sys.TryReceiveFd((int)connection.Handle);
            Assert.True(fd >= 0, "no descriptor arrived on the console socket");
            return fd;
        }
        int first = Receive(Path.Combine(h.Root, "console1.sock"),
            () => h.Run("run", "-d", "--console-socket", Path.Combine(h.Root, "console1.sock"), "--bundle", bundle, id));
        int second = -1;
        try
        {
            Assert.True(OciRunHarness.Eventually(() => Count() >= 3), "the counter never counted");
            var checkpoint = Criu("checkpoint", "--image-path", Images(), id);
            Assert.True(checkpoint.ExitCode == 0, checkpoint.ToString());
            long stoppedAt = Count();
            second = Receive(Path.Combine(h.Root, "console2.sock"),
                () => Criu("restore", "-d", "--console-socket", Path.Combine(h.Root, "console2.sock"), "--image-path", Images(), "--bundle", bundle, id));
            Assert.Equal("running", h.State(id).Status);
            AssertCountsOnFrom(stoppedAt);
            using var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(second, ownsHandle: false), FileAccess.ReadWrite);
            stream.Write("ping\n"u8);
            stream.Flush();
            Assert.Contains("got-ping", OciRunHarness.ReadUntil(stream, "got-ping"));
        }
        finally
        {
            Interop.Sys.Close(first);
            Interop.Sys.Close(second);
        }
    }

    [CriuFact]
    public void Restore_flags_it_cannot_honour_are_refused_by_name()
    {
        var noPivot = Criu("restore", "--no-pivot", "--image-path", Images(), "--bundle", CounterBundle(), h.NewId("np"));
        Assert.NotEqual(0, noPivot.ExitCode);
        Assert.Contains("--no-pivot", noPivot.Stderr);
        var mode = Criu("restore", "--manage-cgroups-mode", "loose", "--image-path", Images(), h.NewId("m"));
        Assert.Contains("--manage-cgroups-mode: invalid value", mode.Stderr);
        var lsm = Criu("restore", "--lsm-profile", "apparmor:x", "--image-path", Images(), h.NewId("l"));
        Assert.Contains("--lsm-profile: not supported", lsm.Stderr);
        Assert.Empty(h.LeftoverState());
    }

    /// <summary>No cgroup of the container is left in any hierarchy (the default cgroupsPath is /ID).</summary>
    static void AssertNoCgroup(string id)
    {
        foreach (var hierarchy in Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup"))
            Assert.False(Directory.Exists(Path.Combine(hierarchy, id)), $"{hierarchy}/{id} is left behind");
    }
}
