using Oci.Runtime.Interop;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Init;

/// <summary>Linux capabilities by name (capabilities(7)) and setting a process's five sets.</summary>
internal static class Capabilities
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

}
