namespace Oci.Runtime.Spec;

/// <summary>The config that <c>spec</c> writes: runc's default, with this runtime's spec version.</summary>
public static class DefaultSpec
{
    const string Template = """
    {
      "ociVersion": "1.3.0",
      "process": {
        "terminal": true,
        "user": { "uid": 0, "gid": 0 },
        "args": [ "sh" ],
        "env": [ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm" ],
        "cwd": "/",
        "capabilities": {
          "bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
          "effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
          "permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
          "ambient": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
        },
        "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ],
        "noNewPrivileges": true
      },
      "root": { "path": "rootfs", "readonly": true },
      "hostname": "oci-run",
      "mounts": [
        { "destination": "/proc", "type": "proc", "source": "proc" },
        { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
        { "destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
        { "destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
        { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": [ "nosuid", "noexec", "nodev" ] },
        { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [ "nosuid", "noexec", "nodev", "ro" ] },
        { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": [ "nosuid", "noexec", "nodev", "relatime", "ro" ] }
      ],
      "linux": {
        "resources": { "devices": [ { "allow": false, "access": "rwm" } ] },
        "namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }, { "type": "cgroup" } ],
        "maskedPaths": [ "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                         "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi" ],
        "readonlyPaths": [ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" ]
      }
    }
    """;

    /// <summary>A new default config. <paramref name="rootless"/> gives runc's rootless variant: a user namespace
    /// mapping the calling user and group to root, no network namespace, the host's /sys bound in, and no cgroup
    /// resources.</summary>
    public static RuntimeSpec Create(bool rootless = false)
    {
        var spec = SpecLoader.Parse(System.Text.Encoding.UTF8.GetBytes(Template));
        if (!rootless) return spec;
        var linux = spec.Linux!;
        linux.Resources = null;
        linux.Namespaces!.RemoveAll(n => n.Type is "network" or "cgroup");
        linux.Namespaces.Add(new LinuxNamespace { Type = "user" });
        linux.UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = Interop.Sys.GetUid(), Size = 1 }];
        linux.GidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = Interop.Sys.GetGid(), Size = 1 }];
        var mounts = spec.Mounts!;
        mounts.RemoveAll(m => m.Destination is "/sys/fs/cgroup");
        var sys = mounts.First(m => m.Destination == "/sys");
        sys.Type = "none";
        sys.Source = "/sys";
        sys.Options = ["rbind", "nosuid", "noexec", "nodev", "ro"];
        mounts.First(m => m.Destination == "/dev/pts").Options!.Remove("gid=5");
        return spec;
    }
}
