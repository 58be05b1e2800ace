using Oci.Runtime.Executor;
using Oci.Runtime.Init;
using Oci.Runtime.Interop;
using Oci.Runtime.Rootfs;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Executor;

/// <summary>The plans the library makes for representative configs, read as lines, without root and without running
/// anything: the seam between deciding and acting.</summary>
public sealed class PlanTests : IDisposable
{
    readonly string rootfs = Directory.CreateTempSubdirectory("oci-run-plan-").FullName;

    public void Dispose() => Directory.Delete(rootfs, recursive: true);

    SetupContext Context(Action<RuntimeSpec>? change = null)
    {
        var spec = DefaultSpec.Create();
        spec.Root!.Path = rootfs;
        change?.Invoke(spec);
        return new SetupContext
        {
            Spec = spec,
            Bundle = rootfs,
            Rootfs = rootfs,
            NewMountNamespace = true,
            NewUtsNamespace = true,
            NewCgroupNamespace = true,
            NewNetworkNamespace = true,
            NewIpcNamespace = true,
            CgroupMountPoints = new() { [""] = "/sys/fs/cgroup" },
        };
    }

    ContainerFiles Files() => new(Sys.Open(rootfs, Sys.O_PATH | Sys.O_DIRECTORY));

    static List<string> Lines(PlanBuilder b) => [.. b.Steps.Select(s => s.ToString())];

    static int IndexOf(List<string> lines, string part)
    {
        int i = lines.FindIndex(l => l.Contains(part, StringComparison.Ordinal));
        Assert.True(i >= 0, $"no step contains \"{part}\":\n{string.Join('\n', lines)}");
        return i;
    }

    [Fact]
    public void The_rootfs_is_bound_onto_itself_before_the_mounts_which_follow_the_config_order()
    {
        var c = Context();
        var b = new PlanBuilder();
        var hostFds = new List<int>();
        RootfsPlan.Mounts(b, c, hostFds);
        Assert.Empty(hostFds);
        var lines = Lines(b);
        int bind = IndexOf(lines, $"bind {rootfs} onto itself");
        int previous = bind;
        var mounts = c.Spec.Mounts!;
        for (int i = 0; i < mounts.Count; i++)
        {
            int attach = lines.FindIndex(l => l.EndsWith($"[mounts[{i}]]", StringComparison.Ordinal) && l.Contains($"on {mounts[i].Destination}", StringComparison.Ordinal));
            Assert.True(attach > previous, $"mounts[{i}] ({mounts[i].Destination}) is not attached after mounts[{i - 1}]:\n{string.Join('\n', lines)}");
            previous = attach;
        }
    }

    [Fact]
    public void Every_mount_is_attached_onto_a_descriptor_with_its_attributes_set_before()
    {
        var c = Context();
        var b = new PlanBuilder();
        RootfsPlan.Mounts(b, c, []);
        // The default /dev is a tmpfs with nosuid and strictatime: made detached with those attributes, then moved.
        var steps = b.Steps.Where(s => s.Origin == "mounts[1]").ToList();
        int make = steps.FindIndex(s => s.Op == PlanOp.FSMOUNT);
        int move = steps.FindIndex(s => s.Op == PlanOp.MOVE_MOUNT);
        Assert.True(make >= 0 && move > make, string.Join('\n', steps));
        Assert.Equal((long)(MountFlags.MOUNT_ATTR_NOSUID | MountFlags.MOUNT_ATTR_STRICTATIME), steps[make].Ints[3]);
        Assert.DoesNotContain(b.Steps, s => s.Op == PlanOp.MOUNT && (s.Ints[2] & (long)MountFlags.MS_REMOUNT) != 0);
    }

    [Fact]
    public void Rootless_bind_sources_are_cloned_by_the_executor_and_id_mapping_is_refused()
    {
        // spec --rootless binds the host's /sys: without privileges only the executor, in its own user namespace,
        // may clone it, so the runtime sends no descriptor.
        var spec = DefaultSpec.Create(rootless: true);
        var c = Context(s => { s.Mounts = spec.Mounts; s.Linux!.Namespaces = spec.Linux!.Namespaces; });
        c.Rootless = c.NewUserNamespace = true;
        c.NewNetworkNamespace = false;
        var b = new PlanBuilder();
        var hostFds = new List<int>();
        RootfsPlan.Mounts(b, c, hostFds);
        Assert.Empty(hostFds);
        int sys = c.Spec.Mounts!.FindIndex(m => m.Destination == "/sys");
        Assert.Contains(b.Steps, s => s.Op == PlanOp.OPEN_TREE && s.Origin == $"mounts[{sys}]");
        Assert.DoesNotContain(b.Steps, s => s.Op == PlanOp.FDS && s.Origin.StartsWith("mounts[", StringComparison.Ordinal));

        c.Spec.Mounts.Add(new Mount { Destination = "/mnt", Type = "bind", Source = rootfs, Options = ["bind", "idmap"] });
        var e = Assert.Throws<SpecValidationException>(() => RootfsPlan.Mounts(new PlanBuilder(), c, []));
        Assert.Contains($"mounts[{c.Spec.Mounts.Count - 1}].options", e.Message);
        Assert.Contains("not rootless", e.Message);
    }

    [Fact]
    public void Proc_and_sysfs_are_mounted_only_on_a_destination_reached_without_a_symlink()
    {
        var c = Context();
        var b = new PlanBuilder();
        RootfsPlan.Mounts(b, c, []);
        var opens = b.Steps.Where(s => s.Op == PlanOp.OPEN && s.Origin.StartsWith("mounts[", StringComparison.Ordinal)).ToList();
        foreach (var open in opens)
        {
            string path = System.Text.Encoding.UTF8.GetString(open.Strings[0]);
            bool strict = (open.Ints[4] & PlanBuilder.ResolveNoSymlinks) != 0;
            Assert.Equal(path is "/proc" or "/sys", strict);
        }
    }

    [Fact]
    public void Devices_are_bound_from_the_host_in_a_user_namespace_and_made_otherwise()
    {
        var c = Context();
        using var files = Files();
        var made = new PlanBuilder();
        RootfsPlan.Devices(made, c, 0, files);
        Assert.Contains(Lines(made), l => l.StartsWith("mknod /dev/null", StringComparison.Ordinal));
        c.NewUserNamespace = true;
        var bound = new PlanBuilder();
        RootfsPlan.Devices(bound, c, 0, files);
        var lines = Lines(bound);
        Assert.DoesNotContain(lines, l => l.StartsWith("mknod", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("bind the host's /dev/null", StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_is_masked_only_with_a_verified_null_device()
    {
        Directory.CreateDirectory(Path.Combine(rootfs, "proc"));
        File.WriteAllText(Path.Combine(rootfs, "proc", "kcore"), "");
        Directory.CreateDirectory(Path.Combine(rootfs, "proc", "acpi"));
        var c = Context(spec => spec.Linux!.MaskedPaths = ["/proc/kcore", "/proc/acpi", "/proc/missing"]);
        using var files = Files();
        var b = new PlanBuilder();
        RootfsPlan.Finish(b, c, 0, files);
        var lines = Lines(b);
        int check = IndexOf(lines, "check that /dev/null is the null device (1:3)");
        int mask = IndexOf(lines, "mask /proc/kcore with /dev/null");
        Assert.True(check < mask);
        Assert.Contains(lines, l => l.StartsWith("mask /proc/acpi with an empty tmpfs", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("/proc/missing", StringComparison.Ordinal));
    }

    [Fact]
    public void A_read_only_path_is_cloned_made_read_only_and_then_attached()
    {
        Directory.CreateDirectory(Path.Combine(rootfs, "proc", "sys"));
        var c = Context(spec => spec.Linux!.ReadonlyPaths = ["/proc/sys"]);
        using var files = Files();
        var b = new PlanBuilder();
        RootfsPlan.Finish(b, c, 0, files);
        var lines = Lines(b);
        int clone = IndexOf(lines, "clone /proc/sys");
        int ro = IndexOf(lines, "make /proc/sys read-only");
        int attach = IndexOf(lines, "attach it on /proc/sys");
        Assert.True(clone < ro && ro < attach, string.Join('\n', lines));
    }

    [Fact]
    public void No_pivot_moves_the_rootfs_and_chroots_instead_of_pivot_root()
    {
        var c = Context();
        c.NoPivot = true;
        var b = new PlanBuilder();
        RootfsPlan.SwitchRoot(b, c, 0);
        var lines = Lines(b);
        IndexOf(lines, "move the rootfs to /");
        IndexOf(lines, "chroot .");
        Assert.DoesNotContain(lines, l => l.StartsWith("pivot_root", StringComparison.Ordinal));
        c.NoPivot = false;
        var pivot = new PlanBuilder();
        RootfsPlan.SwitchRoot(pivot, c, 0);
        IndexOf(Lines(pivot), "pivot_root . .");
    }

    [Fact]
    public void Propagation_of_the_root_follows_rootfsPropagation_and_recursive_forms_are_recursive()
    {
        var c = Context(spec => spec.Linux!.RootfsPropagation = "rshared");
        using var files = Files();
        var b = new PlanBuilder();
        RootfsPlan.Finish(b, c, 0, files);
        var step = b.Steps.Single(s => s.Origin == "linux.rootfsPropagation");
        Assert.Equal(PlanOp.MOUNT_SETATTR, step.Op);
        Assert.Equal(0x8000, step.Ints[1]); // AT_RECURSIVE
        Assert.Equal((long)MountFlags.MS_SHARED, step.Ints[4]);
    }

    [Fact]
    public void Bounding_set_then_user_then_capabilities_then_seccomp_last_before_the_exec()
    {
        Directory.CreateDirectory(Path.Combine(rootfs, "bin"));
        File.WriteAllText(Path.Combine(rootfs, "bin", "sh"), "");
        File.SetUnixFileMode(Path.Combine(rootfs, "bin", "sh"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var c = Context(spec =>
        {
            spec.Process!.User = new User { Uid = 1000, Gid = 100 };
            spec.Process.NoNewPrivileges = false;
        });
        c.Seccomp = new Seccomp.SeccompProgram(new byte[16], 0);
        using var files = Files();
        var b = new PlanBuilder();
        ProcessPlan.Identity(b, c, files, out var resolved);
        ProcessPlan.Exec(b, c, resolved);
        var lines = Lines(b);
        int bounding = IndexOf(lines, "from the bounding set");
        int gid = IndexOf(lines, "set the gid to 100");
        int uid = IndexOf(lines, "set the uid to 1000");
        int caps = IndexOf(lines, "set capabilities");
        int close = IndexOf(lines, "close-on-exec from");
        int seccomp = IndexOf(lines, "load the seccomp filter");
        Assert.True(bounding < gid && gid < uid && uid < caps && caps < close && close < seccomp, string.Join('\n', lines));
        // Nothing but the execve runs under the filter, which may deny everything else (its argument lists, which
        // allocate, are built before).
        Assert.Equal([PlanOp.EXEC], b.Steps.Skip(seccomp + 1).Select(s => s.Op));
        Assert.Equal("/bin/sh", resolved.Executable);
        // Without no_new_privs CAP_SYS_ADMIN stays effective until the filter is loaded (execve drops it).
        var capset = b.Steps[caps];
        Assert.NotEqual(0, capset.Ints[0] & (1L << 21));
    }

    [Fact]
    public void With_no_new_privs_the_filter_needs_no_capability_and_none_is_kept_for_it()
    {
        Directory.CreateDirectory(Path.Combine(rootfs, "bin"));
        File.WriteAllText(Path.Combine(rootfs, "bin", "sh"), "");
        File.SetUnixFileMode(Path.Combine(rootfs, "bin", "sh"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var c = Context(spec => spec.Process!.NoNewPrivileges = true);
        c.Seccomp = new Seccomp.SeccompProgram(new byte[16], 0);
        using var files = Files();
        var b = new PlanBuilder();
        ProcessPlan.Identity(b, c, files, out _);
        var capset = b.Steps.Single(s => s.Op == PlanOp.CAPSET);
        Assert.Equal(0, capset.Ints[0] & (1L << 21));
        Assert.Contains(Lines(b), l => l.StartsWith("set no_new_privs", StringComparison.Ordinal));
    }

    [Fact]
    public void Sysctls_are_written_through_the_runtimes_procfs_without_crossing_mounts_or_following_magic_links()
    {
        var c = Context(spec =>
        {
            spec.Process!.Terminal = false;
            spec.Linux!.Sysctl = new() { ["net.ipv4.ip_forward"] = "1" };
        });
        c.ProcSlot = 7;
        var b = new PlanBuilder();
        ProcessPlan.Environment(b, c, 0);
        var steps = b.Steps.Where(s => s.Origin.StartsWith("linux.sysctl", StringComparison.Ordinal)).ToList();
        var open = steps.Single(s => s.Op == PlanOp.OPEN);
        Assert.Equal(7, open.Ints[1]); // relative to the runtime's procfs, never the container's /proc
        Assert.Equal("sys/net/ipv4/ip_forward", System.Text.Encoding.UTF8.GetString(open.Strings[0]));
        Assert.Equal(PlanBuilder.ResolveNoXdev | PlanBuilder.ResolveNoMagicLinks, open.Ints[4]);
        var check = steps.Single(s => s.Op == PlanOp.CHECK);
        Assert.Equal(3, check.Ints[1]); // fstatfs f_type equals…
        Assert.Equal(0x9fa0, check.Ints[2]); // …PROC_SUPER_MAGIC
        Assert.True(steps.IndexOf(check) < steps.FindIndex(s => s.Op == PlanOp.WRITE));
    }

    [Fact]
    public void An_executable_missing_from_the_image_fails_the_plan_with_runc_s_words()
    {
        var c = Context(spec => spec.Process!.Args = ["no-such-program"]);
        using var files = Files();
        var e = Assert.Throws<OciException>(() => ProcessPlan.Identity(new PlanBuilder(), c, files, out _));
        Assert.Equal("exec: \"no-such-program\": executable file not found in $PATH", e.Message);
    }

    [Fact]
    public void Every_step_encodes_with_the_arity_plan_def_gives_it()
    {
        var c = Context();
        var b = new PlanBuilder();
        RootfsPlan.Mounts(b, c, []);
        foreach (var step in b.Steps)
        {
            var bytes = step.Encode(0);
            Assert.Equal((uint)step.Op, BitConverter.ToUInt32(bytes, 0));
            var (ints, strings) = PlanArity.Of(step.Op);
            if (ints >= 0) Assert.Equal(ints, (int)BitConverter.ToUInt32(bytes, 8));
            if (strings >= 0) Assert.Equal(strings, (int)BitConverter.ToUInt32(bytes, 12));
        }
    }
}
