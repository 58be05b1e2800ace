using Oci.Runtime.Interop;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Init;

/// <summary>Linux capabilities by name (capabilities(7)) and setting a process's five sets.</summary>
public static class Capabilities
{
    /// <summary>The number of capability <paramref name="name"/>, or -1.</summary>
    public static int Number(string name)
    {
        for (int i = 0; i < SpecNames.CapabilitiesByNumber.Count; i++)
            if (SpecNames.CapabilitiesByNumber[i] == name) return i;
        return -1;
    }

    /// <summary>The highest capability this kernel knows (read once).</summary>
    public static int LastCapability() => lastCapability ??= ReadLastCapability();

    static int? lastCapability;

    static int ReadLastCapability()
    {
        string? text = Sys.TryReadText("/proc/sys/kernel/cap_last_cap");
        return int.TryParse(text, System.Globalization.NumberStyles.AllowTrailingWhite, System.Globalization.CultureInfo.InvariantCulture, out int last)
            ? last
            : SpecNames.CapabilitiesByNumber.Count - 1;
    }

    /// <summary>The set of <paramref name="names"/> (<c>process.capabilities.<paramref name="set"/></c>). A
    /// capability this runtime or this kernel does not know is an error that names it: the container would
    /// otherwise run with less than its config asks for.</summary>
    internal static ulong Mask(List<string>? names, string set, int lastCap)
    {
        ulong mask = 0;
        for (int i = 0; i < (names?.Count ?? 0); i++)
        {
            string name = names![i];
            int number = Number(name);
            if (number < 0)
                throw new SpecValidationException($"process.capabilities.{set}[{i}]", $"unknown capability \"{name}\"");
            if (number > lastCap)
                throw new SpecValidationException($"process.capabilities.{set}[{i}]",
                    $"capability \"{name}\" is not supported by this kernel (its last capability is {SpecNames.CapabilitiesByNumber[lastCap]})");
            mask |= 1UL << number;
        }
        return mask;
    }

    /// <summary>Drops every capability outside the bounding set. Must run while the process still has
    /// CAP_SETPCAP, that is before the user changes.</summary>
    internal static void ApplyBounding(LinuxCapabilities? capabilities)
    {
        int lastCap = LastCapability();
        ulong bounding = capabilities is null ? 0 : Mask(capabilities.Bounding, "bounding", lastCap);
        for (int cap = 0; cap <= lastCap; cap++)
            if ((bounding & (1UL << cap)) == 0)
                Sys.Prctl(Native.PR_CAPBSET_DROP, (ulong)cap);
    }

    /// <summary>Sets the effective, permitted and inheritable sets, then the ambient set. A capability this
    /// process does not hold itself cannot be granted: it is left out and reported in the returned warnings
    /// (config.md: runtimes SHOULD NOT fail for capabilities that cannot be granted, and MUST log a warning).</summary>
    internal static IReadOnlyList<string> Apply(LinuxCapabilities? capabilities)
    {
        int lastCap = LastCapability();
        ulong effective = Mask(capabilities?.Effective, "effective", lastCap);
        ulong permitted = Mask(capabilities?.Permitted, "permitted", lastCap);
        ulong inheritable = Mask(capabilities?.Inheritable, "inheritable", lastCap);
        ulong ambient = Mask(capabilities?.Ambient, "ambient", lastCap);
        ulong held = Sys.CapGetPermitted();
        var warnings = new List<string>();
        ulong ungrantable = (effective | permitted | inheritable) & ~held;
        for (int cap = 0; cap <= lastCap; cap++)
            if ((ungrantable & (1UL << cap)) != 0)
                warnings.Add($"process.capabilities: {SpecNames.CapabilitiesByNumber[cap]} cannot be granted (the runtime does not hold it); the container runs without it");
        effective &= held;
        permitted &= held;
        inheritable &= held;
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
        return warnings;
    }
}
