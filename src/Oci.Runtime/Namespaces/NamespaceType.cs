namespace Oci.Runtime.Namespaces;

/// <summary>The namespace types of config-linux.md, with their clone flags and /proc/PID/ns names.</summary>
internal sealed record NamespaceType(string Name, uint CloneFlag, string ProcName)
{
    /// <summary>Every type, in the order in which existing namespaces are joined: the user namespace first, since
    /// joining it grants the privileges that joining the others needs; the mount namespace late, since paths of the
    /// others may only resolve in the runtime's mount namespace.</summary>
    public static readonly IReadOnlyList<NamespaceType> All =
    [
        new("user", 0x10000000, "user"),
        new("ipc", 0x08000000, "ipc"),
        new("uts", 0x04000000, "uts"),
        new("network", 0x40000000, "net"),
        new("pid", 0x20000000, "pid"),
        new("cgroup", 0x02000000, "cgroup"),
        new("time", 0x00000080, "time"),
        new("mount", 0x00020000, "mnt"),
    ];

    /// <summary>The user namespace.</summary>
    public static NamespaceType User => All[0];

    /// <summary>The cgroup namespace.</summary>
    public static NamespaceType Cgroup => All[5];

    /// <summary>The type called <paramref name="name"/> in config.json, or null when there is none.</summary>
    public static NamespaceType? Find(string name)
    {
        foreach (var type in All)
            if (type.Name == name) return type;
        return null;
    }
}
