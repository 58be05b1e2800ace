using Oci.Runtime.Interop;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Init;

/// <summary>Linux capabilities by name (capabilities(7)) and setting a process's five sets.</summary>
public static class Capabilities
{
    /// <summary>Every capability the runtime knows, indexed by number.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>The number of capability <paramref name="name"/>, or -1.</summary>
    public static int Number(string name)
    {
        for (int i = 0; i < Names.Count; i++)
            if (Names[i] == name) return i;
        return -1;
    }

    /// <summary>The highest capability this kernel knows.</summary>
    public static int LastCapability()
    {
        try
        {
            return int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return Names.Count - 1;
        }
    }

    static ulong Mask(List<string>? names, string jsonPath, int lastCap)
    {
        ulong mask = 0;
        for (int i = 0; i < (names?.Count ?? 0); i++)
        {
            int number = Number(names![i]);
            if (number < 0) throw new SpecValidationException($"{jsonPath}[{i}]", $"unknown capability \"{names[i]}\"");
            // A capability this kernel does not know is dropped with a warning by runc; ignore it likewise.
            if (number <= lastCap) mask |= 1UL << number;
        }
        return mask;
    }

    /// <summary>Drops every capability outside the bounding set. Must run while the process still has
    /// CAP_SETPCAP, that is before the user changes.</summary>
    internal static void ApplyBounding(LinuxCapabilities? capabilities)
    {
        int lastCap = LastCapability();
        ulong bounding = capabilities is null ? 0 : Mask(capabilities.Bounding, "process.capabilities.bounding", lastCap);
        for (int cap = 0; cap <= lastCap; cap++)
            if ((bounding & (1UL << cap)) == 0)
                Sys.Prctl(Native.PR_CAPBSET_DROP, (ulong)cap);
    }

    /// <summary>Sets the effective, permitted and inheritable sets, then the ambient set.</summary>
    internal static void Apply(LinuxCapabilities? capabilities)
    {
        int lastCap = LastCapability();
        ulong effective = Mask(capabilities?.Effective, "process.capabilities.effective", lastCap);
        ulong permitted = Mask(capabilities?.Permitted, "process.capabilities.permitted", lastCap);
        ulong inheritable = Mask(capabilities?.Inheritable, "process.capabilities.inheritable", lastCap);
        ulong ambient = Mask(capabilities?.Ambient, "process.capabilities.ambient", lastCap);
        Sys.CapSet((uint)effective, (uint)(effective >> 32), (uint)permitted, (uint)(permitted >> 32),
            (uint)inheritable, (uint)(inheritable >> 32));
        Sys.Prctl(Native.PR_CAP_AMBIENT, Native.PR_CAP_AMBIENT_CLEAR_ALL);
        for (int cap = 0; cap <= lastCap; cap++)
        {
            if ((ambient & (1UL << cap)) == 0) continue;
            // The kernel refuses an ambient capability that is not both permitted and inheritable; runc warns.
            if ((permitted & inheritable & (1UL << cap)) == 0) continue;
            Sys.Prctl(Native.PR_CAP_AMBIENT, Native.PR_CAP_AMBIENT_RAISE, (ulong)cap);
        }
    }

    /// <summary>Validates every capability name of <paramref name="capabilities"/>.</summary>
    internal static void Validate(LinuxCapabilities? capabilities)
    {
        int lastCap = int.MaxValue;
        Mask(capabilities?.Bounding, "process.capabilities.bounding", lastCap);
        Mask(capabilities?.Effective, "process.capabilities.effective", lastCap);
        Mask(capabilities?.Permitted, "process.capabilities.permitted", lastCap);
        Mask(capabilities?.Inheritable, "process.capabilities.inheritable", lastCap);
        Mask(capabilities?.Ambient, "process.capabilities.ambient", lastCap);
    }
}
