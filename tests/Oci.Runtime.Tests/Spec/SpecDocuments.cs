using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Oci.Runtime.Tests.Spec;

/// <summary>A valid Linux config touching every validated field, and a way to change one value in it.</summary>
internal static partial class SpecDocuments
{
    public const string ValidLinuxConfig = """
    {
        "ociVersion": "1.3.0",
        "root": { "path": "rootfs", "readonly": true },
        "hostname": "box",
        "domainname": "example.test",
        "mounts": [
            { "destination": "/proc", "type": "proc", "source": "proc" },
            { "destination": "/data", "source": "/srv/data", "options": ["rbind", "idmap"],
              "uidMappings": [{ "containerID": 0, "hostID": 100000, "size": 65536 }],
              "gidMappings": [{ "containerID": 0, "hostID": 100000, "size": 65536 }] }
        ],
        "process": {
            "terminal": false,
            "user": { "uid": 0, "gid": 0, "additionalGids": [1, 2] },
            "args": ["sh", "-c", "true"],
            "env": ["PATH=/usr/bin:/bin", "EMPTY="],
            "cwd": "/",
            "capabilities": {
                "bounding": ["CAP_CHOWN", "CAP_KILL"],
                "effective": ["CAP_CHOWN"],
                "inheritable": [],
                "permitted": ["CAP_CHOWN", "CAP_KILL"],
                "ambient": []
            },
            "rlimits": [
                { "type": "RLIMIT_NOFILE", "soft": 1024, "hard": 4096 },
                { "type": "RLIMIT_CORE", "soft": 0, "hard": 0 }
            ],
            "noNewPrivileges": true,
            "oomScoreAdj": 100,
            "ioPriority": { "class": "IOPRIO_CLASS_BE", "priority": 4 },
            "scheduler": { "policy": "SCHED_OTHER", "nice": 5, "flags": ["SCHED_FLAG_RESET_ON_FORK"] },
            "execCPUAffinity": { "initial": "0-1", "final": "0-3,7" }
        },
        "hooks": {
            "createRuntime": [{ "path": "/usr/bin/hook", "args": ["hook", "create"], "timeout": 5 }],
            "poststop": [{ "path": "/usr/bin/cleanup" }]
        },
        "annotations": { "org.example.key": "value" },
        "linux": {
            "namespaces": [
                { "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" },
                { "type": "mount" }, { "type": "user" }, { "type": "cgroup" }, { "type": "time" }
            ],
            "uidMappings": [{ "containerID": 0, "hostID": 1000, "size": 32000 }],
            "gidMappings": [{ "containerID": 0, "hostID": 1000, "size": 32000 }],
            "timeOffsets": { "monotonic": { "secs": 10, "nanosecs": 5 }, "boottime": { "secs": -3, "nanosecs": 0 } },
            "devices": [
                { "path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0 },
                { "path": "/dev/fifo", "type": "p" }
            ],
            "netDevices": { "eth1": { "name": "ctr0" }, "ens4": {} },
            "cgroupsPath": "/oci/box",
            "resources": {
                "devices": [
                    { "allow": false, "access": "rwm" },
                    { "allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw" }
                ],
                "memory": { "limit": 536870912, "reservation": -1, "swap": -1, "swappiness": 60, "disableOOMKiller": false },
                "cpu": { "shares": 1024, "quota": 100000, "burst": 50000, "period": 100000, "cpus": "0-3", "mems": "0", "idle": 0 },
                "pids": { "limit": -1 },
                "blockIO": {
                    "weight": 500,
                    "weightDevice": [{ "major": 8, "minor": 0, "weight": 300 }],
                    "throttleReadBpsDevice": [{ "major": 8, "minor": 0, "rate": 1048576 }]
                },
                "hugepageLimits": [{ "pageSize": "2MB", "limit": 1073741824 }],
                "network": { "classID": 1048577, "priorities": [{ "name": "eth0", "priority": 500 }] },
                "rdma": { "mlx5_1": { "hcaHandles": 3 } },
                "unified": { "memory.high": "max" }
            },
            "sysctl": { "net.ipv4.ip_forward": "1" },
            "seccomp": {
                "defaultAction": "SCMP_ACT_ERRNO",
                "defaultErrnoRet": 1,
                "architectures": ["SCMP_ARCH_X86_64"],
                "flags": ["SECCOMP_FILTER_FLAG_LOG"],
                "listenerPath": "/run/agent.sock",
                "listenerMetadata": "meta",
                "syscalls": [
                    { "names": ["read", "write"], "action": "SCMP_ACT_ALLOW" },
                    { "names": ["personality"], "action": "SCMP_ACT_ALLOW",
                      "args": [{ "index": 0, "value": 8, "op": "SCMP_CMP_EQ" }] },
                    { "names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 }
                ]
            },
            "rootfsPropagation": "private",
            "maskedPaths": ["/proc/kcore"],
            "readonlyPaths": ["/proc/sys"],
            "intelRdt": { "closID": "guaranteed", "schemata": ["L3:0=7f0"], "l3CacheSchema": "L3:0=ff", "memBwSchema": "MB:0=20", "enableMonitoring": true },
            "personality": { "domain": "LINUX" },
            "memoryPolicy": { "mode": "MPOL_INTERLEAVE", "nodes": "0-1", "flags": ["MPOL_F_STATIC_NODES"] }
        }
    }
    """;

    /// <summary>The valid config with the value at <paramref name="path"/> (such as <c>linux.namespaces[2].type</c>)
    /// replaced by <paramref name="valueJson"/>, or removed when <paramref name="valueJson"/> is null. Missing objects
    /// on the way are created.</summary>
    public static byte[] With(string path, string? valueJson, string baseJson = ValidLinuxConfig)
    {
        JsonNode root = JsonNode.Parse(baseJson)!;
        var steps = Step().Matches(path).Select(m => m.Groups["name"].Success ? (object)m.Groups["name"].Value : int.Parse(m.Groups["index"].Value)).ToList();
        JsonNode parent = root;
        for (int i = 0; i < steps.Count - 1; i++)
        {
            JsonNode? next = steps[i] is string name ? parent[name] : parent[(int)steps[i]];
            if (next is null)
            {
                next = steps[i + 1] is string ? new JsonObject() : new JsonArray();
                if (steps[i] is string n) parent[n] = next; else parent.AsArray().Add(next);
            }
            parent = next;
        }
        JsonNode? value = valueJson is null ? null : JsonNode.Parse(valueJson);
        switch (steps[^1])
        {
            case string name when valueJson is null: parent.AsObject().Remove(name); break;
            case string name: parent[name] = value; break;
            case int index when valueJson is null: parent.AsArray().RemoveAt(index); break;
            case int index when index == parent.AsArray().Count: parent.AsArray().Add(value); break;
            case int index: parent[index] = value; break;
        }
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    [GeneratedRegex(@"(?<name>[A-Za-z0-9_]+)|\['(?<name>[^']*)'\]|\[(?<index>[0-9]+)\]")]
    private static partial Regex Step();
}
