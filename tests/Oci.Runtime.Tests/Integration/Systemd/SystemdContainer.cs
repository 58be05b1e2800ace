using System.Text.Json.Nodes;

namespace Oci.Runtime.Tests.Integration.Systemd;

/// <summary>
/// A container whose process is the host's systemd, as PID 1: a rootfs made in seconds from the host's own packages
/// (the host's /usr bound read-only, the merged-/usr symlinks, and a small writable /etc written here) rather than
/// with debootstrap, and the config an engine gives a systemd container (podman's <c>--systemd=always</c>): tmpfs
/// on /run, /run/lock, /tmp and /var/log/journal, <c>container=oci-run</c> in the environment, its own cgroup
/// namespace with the cgroup hierarchies mounted read-write, no seccomp and no masked paths. The runtime adds
/// nothing of its own for systemd, as runc and crun add nothing: all of it is the config's.
/// <para>CAP_SYS_BOOT is left out as Docker and podman leave it out: with it, systemd's halt on SIGRTMIN+3 ends in
/// reboot(2), which in a PID namespace kills the container's init with SIGINT (exit 130); without it systemd, in a
/// container, exits 0 instead.</para>
/// </summary>
internal static class SystemdContainer
{
    /// <summary>Why a systemd container cannot run here, or null.</summary>
    public static string? Missing()
    {
        if (HostRequirements.MissingForContainers() is { } reason) return reason;
        if (!File.Exists("/usr/lib/systemd/systemd")) return "systemd is not installed (apt-get install systemd)";
        if (!File.Exists("/usr/bin/dbus-daemon")) return "dbus is not installed (apt-get install dbus)";
        if (!Directory.Exists("/usr/lib64") || !IsLink("/bin") || !IsLink("/lib"))
            return "the host's root is not merged-/usr (/bin and /lib links into /usr): the test rootfs binds the host's /usr alone";
        return null;
    }

    static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    /// <summary>All capabilities but CAP_SYS_BOOT.</summary>
    static readonly string[] Capabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>Writes the rootfs under <paramref name="root"/> and returns its path.</summary>
    public static string MakeRootfs(string root)
    {
        string rootfs = Path.Combine(root, "systemd-rootfs");
        foreach (var dir in new[] { "usr", "etc", "var/log", "var/lib", "proc", "sys", "dev", "run", "tmp", "root" })
            Directory.CreateDirectory(Path.Combine(rootfs, dir));
        foreach (var link in new[] { "bin", "sbin", "lib", "lib64" })
            File.CreateSymbolicLink(Path.Combine(rootfs, link), "usr/" + link);
        string etc = Path.Combine(rootfs, "etc");
        File.WriteAllText(Path.Combine(etc, "passwd"),
            "root:x:0:0:root:/root:/bin/sh\nmessagebus:x:100:101::/nonexistent:/usr/sbin/nologin\n" +
            "systemd-journal:x:101:102::/nonexistent:/usr/sbin/nologin\n");
        File.WriteAllText(Path.Combine(etc, "group"), "root:x:0:\nmessagebus:x:101:\nsystemd-journal:x:102:\n");
        // Empty: systemd makes a transient machine id for this boot.
        File.WriteAllText(Path.Combine(etc, "machine-id"), "");
        File.WriteAllText(Path.Combine(etc, "hostname"), "systemd-test\n");
        return rootfs;
    }

    /// <summary>The config of a systemd container on <paramref name="rootfs"/>, with <paramref name="extraMounts"/>
    /// (bind mounts the test adds) after the engine's.</summary>
    public static JsonObject Config(string rootfs, string cgroupsPath, params JsonObject[] extraMounts)
    {
        var mounts = new JsonArray
        {
            Mount("/proc", "proc", "proc"),
            Mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
            Mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"),
            Mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
            Mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
            Mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
            Mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "rw"),
            Mount("/usr", "bind", "/usr", "rbind", "ro"),
            Mount("/run", "tmpfs", "tmpfs", "nosuid", "nodev", "mode=755"),
            Mount("/run/lock", "tmpfs", "tmpfs", "nosuid", "nodev", "noexec"),
            Mount("/tmp", "tmpfs", "tmpfs", "nosuid", "nodev", "mode=1777"),
            Mount("/var/log/journal", "tmpfs", "tmpfs", "nosuid", "nodev"),
        };
        foreach (var extra in extraMounts) mounts.Add(extra);
        var caps = new JsonArray([.. Capabilities.Select(c => (JsonNode)c)]);
        return new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["process"] = new JsonObject
            {
                ["terminal"] = false,
                ["user"] = new JsonObject { ["uid"] = 0, ["gid"] = 0 },
                ["args"] = new JsonArray("/sbin/init"),
                ["env"] = new JsonArray("PATH=/usr/sbin:/usr/bin", "container=oci-run"),
                ["cwd"] = "/",
                ["capabilities"] = new JsonObject
                {
                    ["bounding"] = caps.DeepClone(), ["effective"] = caps.DeepClone(), ["permitted"] = caps.DeepClone(),
                },
            },
            ["root"] = new JsonObject { ["path"] = rootfs, ["readonly"] = false },
            ["hostname"] = "systemd-test",
            ["mounts"] = mounts,
            ["linux"] = new JsonObject
            {
                ["namespaces"] = new JsonArray(
                    new JsonObject { ["type"] = "pid" }, new JsonObject { ["type"] = "ipc" }, new JsonObject { ["type"] = "uts" },
                    new JsonObject { ["type"] = "mount" }, new JsonObject { ["type"] = "cgroup" }, new JsonObject { ["type"] = "network" }),
                ["cgroupsPath"] = cgroupsPath,
            },
        };
    }

    /// <summary>One mount entry.</summary>
    public static JsonObject Mount(string destination, string type, string source, params string[] options) => new()
    {
        ["destination"] = destination,
        ["type"] = type,
        ["source"] = source,
        ["options"] = new JsonArray([.. options.Select(o => (JsonNode)o)]),
    };

    /// <summary>Waits for systemd in container <paramref name="id"/> to finish booting
    /// (<c>systemctl is-system-running --wait</c>) and returns what it reports.</summary>
    public static CommandResult WaitForBoot(OciRunHarness h, string id)
    {
        // exec can race the very first moments of boot (before systemd listens); is-system-running --wait then
        // says "offline" or fails to connect: ask again until it answers with a state.
        CommandResult result = h.Run("exec", id, "systemctl", "is-system-running", "--wait");
        for (int i = 0; i < 50 && result.Stdout.Trim() is "" or "offline" or "initializing" or "starting"; i++)
        {
            Thread.Sleep(100);
            result = h.Run("exec", id, "systemctl", "is-system-running", "--wait");
        }
        return result;
    }
}
