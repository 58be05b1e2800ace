namespace Oci.Runtime.Spec;

/// <summary>Linux CPU and node lists as config.md writes them: comma-separated numbers and ranges, "0-3,7".</summary>
internal static class CpuList
{
    /// <summary>The largest CPU number accepted (the kernel's NR_CPUS limit on x86_64).</summary>
    public const int MaxCpu = 8191;

    /// <summary>Parses <paramref name="text"/>; returns null on success, else what is wrong with it.</summary>
    public static string? TryParse(string text, out SortedSet<int> cpus)
    {
        cpus = [];
        foreach (var raw in text.Split(','))
        {
            string part = raw.Trim();
            int dash = part.IndexOf('-');
            string first = dash < 0 ? part : part[..dash], last = dash < 0 ? part : part[(dash + 1)..];
            if (!int.TryParse(first, System.Globalization.NumberStyles.None, null, out int from)
                || !int.TryParse(last, System.Globalization.NumberStyles.None, null, out int to))
                return $"\"{text}\" is not a CPU list such as 0-3,7 (bad element \"{part}\")";
            if (from > to) return $"\"{text}\": range {part} is backwards";
            if (to > MaxCpu) return $"\"{text}\": CPU {to} is beyond {MaxCpu}";
            for (int cpu = from; cpu <= to; cpu++) cpus.Add(cpu);
        }
        return null;
    }
}
