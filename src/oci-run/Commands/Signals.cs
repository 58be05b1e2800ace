using System.Globalization;
using Oci.Cli.CommandLine;

namespace Oci.Cli.Commands;

/// <summary>Signal names and numbers as <c>kill</c> takes them: KILL, SIGKILL or 9.</summary>
internal static class Signals
{
    static readonly Dictionary<string, int> ByName = new(StringComparer.Ordinal)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["IOT"] = 6, ["BUS"] = 7,
        ["FPE"] = 8, ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14,
        ["TERM"] = 15, ["STKFLT"] = 16, ["CHLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["TTIN"] = 21,
        ["TTOU"] = 22, ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28,
        ["IO"] = 29, ["POLL"] = 29, ["PWR"] = 30, ["SYS"] = 31,
    };

    public static int Parse(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            // 0 checks that the container's init is alive without signalling it (a liveness probe).
            if (number is >= 0 and <= 64) return number;
            throw new UsageException($"unknown signal \"{text}\"");
        }
        string name = text.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal)) name = name[3..];
        if (ByName.TryGetValue(name, out number)) return number;
        if (name.StartsWith("RTMIN", StringComparison.Ordinal) || name.StartsWith("RTMAX", StringComparison.Ordinal))
        {
            int offset = name.Length == 5 ? 0 : int.TryParse(name[5..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int o) ? o : 99;
            int signal = name.StartsWith("RTMIN", StringComparison.Ordinal) ? 34 + offset : 64 + offset;
            if (signal is >= 34 and <= 64) return signal;
        }
        throw new UsageException($"unknown signal \"{text}\"");
    }
}
