namespace Oci.Runtime.Spec;

/// <summary>
/// The shapes of the config's strings that the validator checks on every create: a SemVer version, capability and
/// rlimit names, hugepage sizes, NUMA node lists.
/// </summary>
/// <remarks>
/// Written out rather than as (source-generated) regular expressions: the first regex of a process builds the regex
/// engine's statics and AppContext's data store, about half a percent of a <c>run</c>'s CPU for a handful of short
/// strings. The regular expressions they replace are kept in the tests as the oracle (SpecSyntaxTests), with one
/// deliberate difference: <c>$</c> also matched before a final newline, which none of these values may contain.
/// </remarks>
internal static class SpecSyntax
{
    /// <summary>One of the checks below.</summary>
    public delegate bool Check(ReadOnlySpan<char> value);

    /// <summary>A SemVer 2.0.0 version (semver.org's grammar): <c>MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]</c>.</summary>
    public static bool IsSemVer(ReadOnlySpan<char> s)
    {
        int plus = s.IndexOf('+');
        if (plus >= 0 && !AreIdentifiers(s[(plus + 1)..], numeric: false)) return false;
        var core = plus >= 0 ? s[..plus] : s;
        int dash = core.IndexOf('-');
        if (dash >= 0 && !AreIdentifiers(core[(dash + 1)..], numeric: true)) return false;
        var version = dash >= 0 ? core[..dash] : core;
        for (int part = 0; part < 3; part++)
        {
            int dot = version.IndexOf('.');
            var number = part < 2 ? (dot < 0 ? [] : version[..dot]) : version;
            if (part < 2 && dot < 0) return false;
            if (!IsNumber(number)) return false;
            if (part < 2) version = version[(dot + 1)..];
        }
        return true;
    }

    /// <summary>Dot-separated non-empty identifiers of <c>[0-9A-Za-z-]</c>; with <paramref name="numeric"/> (a
    /// pre-release), an identifier of digits only has no leading zero.</summary>
    static bool AreIdentifiers(ReadOnlySpan<char> s, bool numeric)
    {
        foreach (var range in s.Split('.'))
        {
            var id = s[range];
            if (id.IsEmpty) return false;
            bool digitsOnly = true;
            foreach (char c in id)
            {
                if (char.IsAsciiDigit(c)) continue;
                if (!char.IsAsciiLetter(c) && c != '-') return false;
                digitsOnly = false;
            }
            if (numeric && digitsOnly && !IsNumber(id)) return false;
        }
        return true;
    }

    /// <summary><c>0|[1-9][0-9]*</c>.</summary>
    static bool IsNumber(ReadOnlySpan<char> s) =>
        s.Length > 0 && !s.ContainsAnyExceptInRange('0', '9') && (s[0] != '0' || s.Length == 1);

    /// <summary><c>CAP_[A-Z0-9_]+</c>.</summary>
    public static bool IsCapabilityName(ReadOnlySpan<char> s) =>
        s.StartsWith("CAP_") && s.Length > 4 && AllOf(s[4..], digits: true, underscore: true);

    /// <summary><c>RLIMIT_[A-Z]+</c>.</summary>
    public static bool IsRlimitName(ReadOnlySpan<char> s) =>
        s.StartsWith("RLIMIT_") && s.Length > 7 && AllOf(s[7..], digits: false, underscore: false);

    static bool AllOf(ReadOnlySpan<char> s, bool digits, bool underscore)
    {
        foreach (char c in s)
            if (!char.IsAsciiLetterUpper(c) && !(digits && char.IsAsciiDigit(c)) && !(underscore && c == '_')) return false;
        return true;
    }

    /// <summary>A hugepage size: <c>[1-9][0-9]*[KMG]B</c>.</summary>
    public static bool IsPageSize(ReadOnlySpan<char> s) =>
        s.Length >= 3 && s[^1] == 'B' && s[^2] is 'K' or 'M' or 'G' && s[0] != '0' && !s[..^2].ContainsAnyExceptInRange('0', '9');

    /// <summary>A NUMA node list: <c>[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*</c>.</summary>
    public static bool IsNodeList(ReadOnlySpan<char> s)
    {
        foreach (var range in s.Split(','))
        {
            var item = s[range];
            int dash = item.IndexOf('-');
            if (dash < 0 ? !IsDigits(item) : !IsDigits(item[..dash]) || !IsDigits(item[(dash + 1)..])) return false;
        }
        return true;
    }

    static bool IsDigits(ReadOnlySpan<char> s) => s.Length > 0 && !s.ContainsAnyExceptInRange('0', '9');
}
