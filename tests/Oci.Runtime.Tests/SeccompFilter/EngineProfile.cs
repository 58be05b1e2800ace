using System.Text.Json.Nodes;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Tests.SeccompFilter;

/// <summary>
/// Turns a Docker/podman seccomp profile (moby's format: archMap, rules with includes and excludes by capability,
/// architecture and kernel) into the <c>linux.seccomp</c> the engine would put in config.json for a container with
/// <paramref name="capabilities"/> on x86-64, as moby's setupSeccomp does.
/// </summary>
public static class EngineProfile
{
    /// <summary>Docker's default capabilities.</summary>
    public static readonly string[] DockerDefaultCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    public static LinuxSeccomp Convert(string json, IReadOnlyCollection<string> capabilities)
    {
        const string Arch = "amd64";
        var profile = JsonNode.Parse(json)!.AsObject();
        var seccomp = new LinuxSeccomp
        {
            DefaultAction = (string)profile["defaultAction"]!,
            DefaultErrnoRet = profile["defaultErrnoRet"] is { } e ? (uint)e : null,
            Architectures = [],
            Syscalls = [],
        };
        foreach (var entry in profile["archMap"]!.AsArray())
        {
            if ((string)entry!["architecture"]! != "SCMP_ARCH_X86_64") continue;
            seccomp.Architectures.Add("SCMP_ARCH_X86_64");
            foreach (var sub in entry["subArchitectures"]?.AsArray() ?? []) seccomp.Architectures.Add((string)sub!);
        }
        foreach (var rule in profile["syscalls"]!.AsArray())
        {
            var includes = rule!["includes"] as JsonObject;
            var excludes = rule["excludes"] as JsonObject;
            if (Strings(excludes?["arches"]).Contains(Arch)) continue;
            if (Strings(excludes?["caps"]).Any(capabilities.Contains)) continue;
            if (Strings(includes?["arches"]) is { Count: > 0 } arches && !arches.Contains(Arch)) continue;
            if (Strings(includes?["caps"]) is { Count: > 0 } caps && !caps.All(capabilities.Contains)) continue;
            // minKernel: this machine's kernel (6.x) is newer than any the profiles name.
            seccomp.Syscalls.Add(new LinuxSyscall
            {
                Names = Strings(rule["names"]),
                Action = (string)rule["action"]!,
                ErrnoRet = rule["errnoRet"] is { } r ? (uint)r : null,
                Args = rule["args"] is JsonArray { Count: > 0 } args
                    ? [.. args.Select(a => new LinuxSeccompArg
                    {
                        Index = (uint)a!["index"]!, Value = (ulong)a["value"]!, ValueTwo = a["valueTwo"] is { } v ? (ulong)v : null, Op = (string)a["op"]!,
                    })]
                    : null,
            });
        }
        return seccomp;
    }

    static List<string> Strings(JsonNode? node) => node is JsonArray array ? [.. array.Select(n => (string)n!)] : [];
}
