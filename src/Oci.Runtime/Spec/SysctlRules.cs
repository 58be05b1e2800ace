namespace Oci.Runtime.Spec;

/// <summary>
/// Which <c>linux.sysctl</c> keys a container may set: only those of a kernel namespace the container has of its own,
/// as runc decides. IPC parameters need an IPC namespace, <c>net.*</c> a network namespace, the host and domain
/// names a UTS namespace; anything else is global to the host and refused.
/// </summary>
internal static class SysctlRules
{
    static readonly HashSet<string> Ipc = new(StringComparer.Ordinal)
    {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced",
    };

    /// <summary>A key in dotted form: runc also accepts slashes as separators ("net/ipv4/ip_forward"), in which
    /// case dots are part of a name ("net/ipv4/conf/eth0.100/forwarding").</summary>
    public static string Dotted(string key) =>
        key.Contains('/') ? string.Concat(key.Select(ch => ch switch { '/' => '.', '.' => '/', _ => ch })) : key;

    /// <summary>The file under /proc/sys that holds <paramref name="key"/>.</summary>
    public static string ProcPath(string key) =>
        "/proc/sys/" + (key.Contains('/') ? key : key.Replace('.', '/'));

    /// <summary>The namespace type ("ipc", "network", "uts") that owns <paramref name="key"/>, or null when the
    /// parameter is not namespaced.</summary>
    public static string? NamespaceOf(string key)
    {
        string name = Dotted(key);
        if (Ipc.Contains(name) || name.StartsWith("fs.mqueue.", StringComparison.Ordinal)) return "ipc";
        if (name.StartsWith("net.", StringComparison.Ordinal)) return "network";
        if (name is "kernel.hostname" or "kernel.domainname") return "uts";
        return null;
    }

    /// <summary>Why <paramref name="key"/> may not be set in a container with <paramref name="namespaces"/>, or
    /// null when it may.</summary>
    public static string? Refusal(string key, IReadOnlyList<LinuxNamespace> namespaces)
    {
        if (key.Contains("..") || key.StartsWith('/') || key.StartsWith('.') || key.EndsWith('.') || key.EndsWith('/')
            || key.Any(ch => ch is '\0' or ' ' or '\n'))
            return $"invalid sysctl name \"{key}\"";
        string? type = NamespaceOf(key);
        if (type is null) return $"sysctl \"{key}\" is not in a separate kernel namespace";
        if (!namespaces.Any(n => n.Type == type))
            return type switch
            {
                "ipc" => $"sysctl \"{key}\" is not allowed in the host's IPC namespace",
                "network" => $"sysctl \"{key}\" is not allowed in the host's network namespace",
                _ => $"sysctl \"{key}\" is not allowed in the host's UTS namespace",
            };
        return null;
    }
}
