using System.Globalization;

namespace Oci.Runtime;

/// <summary>Signal names and numbers as runc's <c>kill</c> and the OCI image spec's <c>StopSignal</c> write them:
/// <c>KILL</c>, <c>SIGKILL</c>, <c>9</c>, <c>RTMIN+3</c>.</summary>
public static class SignalNames
{
    static readonly Dictionary<string, int> ByName = new(StringComparer.Ordinal)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["IOT"] = 6, ["BUS"] = 7,
        ["FPE"] = 8, ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14,
        ["TERM"] = 15, ["STKFLT"] = 16, ["CHLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["TTIN"] = 21,
        ["TTOU"] = 22, ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28,
        ["IO"] = 29, ["POLL"] = 29, ["PWR"] = 30, ["SYS"] = 31,
    };

    /// <summary>config.md's annotation of the signal that SHOULD be sent to kill the container (the image's
    /// <c>StopSignal</c>).</summary>
    internal const string StopSignalAnnotation = "org.opencontainers.image.stopSignal";

    /// <summary>The signal to kill a container with when none is given: its stop-signal annotation, or SIGTERM.
    /// Create refuses a value that is no signal (or 0), so any value found here parses.</summary>
    internal static Signal StopSignal(Dictionary<string, string>? annotations) =>
        annotations?.GetValueOrDefault(StopSignalAnnotation) is { } value && TryParse(value, out var signal) && signal != 0
            ? signal : Signal.Term;

    /// <summary>Parses a signal: a number from 0 to 64 (0 sends nothing: <c>kill</c>'s liveness probe), a name with
    /// or without <c>SIG</c> in any case, or <c>RTMIN+N</c> / <c>RTMAX-N</c>.</summary>
    /// <param name="text">The signal as written.</param>
    /// <param name="signal">The signal, when the text names one.</param>
    /// <returns>Whether <paramref name="text"/> names a signal.</returns>
    public static bool TryParse(string text, out Signal signal)
    {
        signal = default;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            if (number is < 0 or > 64) return false;
            signal = (Signal)number;
            return true;
        }
        string name = text.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal)) name = name[3..];
        if (ByName.TryGetValue(name, out number))
        {
            signal = (Signal)number;
            return true;
        }
        if (name.StartsWith("RTMIN", StringComparison.Ordinal) || name.StartsWith("RTMAX", StringComparison.Ordinal))
        {
            int offset = name.Length == 5 ? 0 : int.TryParse(name[5..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int o) ? o : 99;
            int rt = name.StartsWith("RTMIN", StringComparison.Ordinal) ? 34 + offset : 64 + offset;
            if (rt is >= 34 and <= 64)
            {
                signal = (Signal)rt;
                return true;
            }
        }
        return false;
    }
}
