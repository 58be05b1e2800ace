using System.Text.Json;
using System.Text.Json.Nodes;

namespace Oci.Conformance.Framework;

/// <summary>
/// A bundle directory (config.json + rootfs) made for one container. The config starts as the equivalent
/// of `runc spec` (with terminal false) and checks tweak it through <see cref="Config"/> (a JsonNode tree).
/// </summary>
public sealed class Bundle
{
    /// <summary>Equivalent of `runc spec` output, with process.terminal = false.</summary>
    public const string BaseConfig = """
    {
      "ociVersion": "1.0.2-dev",
      "process": {
        "terminal": false,
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
      "hostname": "runc",
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
        "namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" } ],
        "maskedPaths": [ "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                         "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi" ],
        "readonlyPaths": [ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" ]
      }
    }
    """;

    public string Dir { get; }
    public string Rootfs => Path.Combine(Dir, "rootfs");
    public string ConfigPath => Path.Combine(Dir, "config.json");
    public JsonObject Config { get; }

    public Bundle(string dir, string baseRootfs)
    {
        Dir = dir;
        Directory.CreateDirectory(dir);
        Host.Chmod(dir, "755");
        Host.CopyTree(baseRootfs, Rootfs);
        Config = JsonNode.Parse(BaseConfig)!.AsObject();
    }

    public JsonObject Process => Obj(Config, "process");
    public JsonObject Linux => Obj(Config, "linux");
    public JsonObject Resources => Obj(Linux, "resources");
    public JsonArray Mounts => Arr(Config, "mounts");
    public JsonArray Namespaces => Arr(Linux, "namespaces");

    public static JsonObject Obj(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject o) return o;
        var n = new JsonObject();
        parent[name] = n;
        return n;
    }

    public static JsonArray Arr(JsonObject parent, string name)
    {
        if (parent[name] is JsonArray a) return a;
        var n = new JsonArray();
        parent[name] = n;
        return n;
    }

    public static JsonArray Strings(params string[] items)
    {
        var a = new JsonArray();
        foreach (var s in items) a.Add((JsonNode?)JsonValue.Create(s));
        return a;
    }

    public Bundle Args(params string[] args)
    {
        Process["args"] = Strings(args);
        return this;
    }

    /// <summary>Sets process.args to `sh -c SCRIPT` (busybox sh inside the container).</summary>
    public Bundle Sh(string script) => Args("sh", "-c", script);

    public Bundle Writable()
    {
        Obj(Config, "root")["readonly"] = false;
        return this;
    }

    public Bundle AddMount(string destination, string? type, string? source, params string[] options)
    {
        var m = new JsonObject { ["destination"] = destination };
        if (type is not null) m["type"] = type;
        if (source is not null) m["source"] = source;
        if (options.Length > 0) m["options"] = Strings(options);
        Mounts.Add((JsonNode)m);
        return this;
    }

    public Bundle RemoveMount(string destination)
    {
        var arr = Mounts;
        for (int i = arr.Count - 1; i >= 0; i--)
            if (arr[i]?["destination"]?.GetValue<string>() == destination) arr.RemoveAt(i);
        return this;
    }

    public bool HasNamespace(string type) => Namespaces.Any(n => n?["type"]?.GetValue<string>() == type);

    public Bundle RemoveNamespace(string type)
    {
        var arr = Namespaces;
        for (int i = arr.Count - 1; i >= 0; i--)
            if (arr[i]?["type"]?.GetValue<string>() == type) arr.RemoveAt(i);
        return this;
    }

    public Bundle SetNamespace(string type, string? path = null)
    {
        RemoveNamespace(type);
        var n = new JsonObject { ["type"] = type };
        if (path is not null) n["path"] = path;
        Namespaces.Add((JsonNode)n);
        return this;
    }

    /// <summary>Adds a hook entry: { path, args, env?, timeout? }.</summary>
    public Bundle AddHook(string kind, string path, string[] args, string[]? env = null, int? timeout = null)
    {
        var hooks = Obj(Config, "hooks");
        var list = Arr(hooks, kind);
        var h = new JsonObject { ["path"] = path, ["args"] = Strings(args) };
        if (env is not null) h["env"] = Strings(env);
        if (timeout is not null) h["timeout"] = timeout.Value;
        list.Add((JsonNode)h);
        return this;
    }

    /// <summary>Writes a file into the rootfs (creating directories).</summary>
    public string WriteRootfsFile(string pathInContainer, string content)
    {
        var p = Path.Combine(Rootfs, pathInContainer.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllText(p, content);
        return p;
    }

    public void Save()
    {
        File.WriteAllText(ConfigPath, Config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
