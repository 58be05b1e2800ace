namespace Oci.Conformance.Framework;

/// <summary>RFC 2119 strength of the requirement a check tests.</summary>
public enum Level { MUST, SHOULD, MAY }

public enum Outcome { Pass, Fail, Skip }

public sealed record CheckResult(Outcome Outcome, string Message)
{
    public static CheckResult Pass(string message = "") => new(Outcome.Pass, message);
    public static CheckResult Fail(string message) => new(Outcome.Fail, message);
    public static CheckResult Skip(string reason) => new(Outcome.Skip, reason);
}

/// <summary>
/// One conformance check: which spec document and section it tests, how strong the requirement is,
/// and the code that runs a real container and verifies the requirement.
/// </summary>
public sealed record Check(
    string Id,
    string Doc,
    string Section,
    Level Level,
    string Description,
    Func<CheckContext, CheckResult> Run)
{
    public string Tag => $"[{Doc}#{Section} {Level}]";

    /// <summary>If runc is known to fail this check, why (appended to failure messages as "known runc deviation: …").</summary>
    public string? RuncDeviation { get; init; }
}

/// <summary>Thrown by a check (or a helper) to end it as failed.</summary>
public sealed class CheckFailedException(string message) : Exception(message);

/// <summary>Thrown by a check (or a helper) to end it as skipped, with the reason.</summary>
public sealed class CheckSkippedException(string message) : Exception(message);

/// <summary>Small helpers used by check definitions.</summary>
public static class Verify
{
    public static CheckFailedException Fail(string message) => new(message);
    public static CheckSkippedException Skip(string reason) => new(reason);

    public static void That(bool condition, string messageIfNot)
    {
        if (!condition) throw new CheckFailedException(messageIfNot);
    }

    public static void Equal(string expected, string? actual, string what)
    {
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
            throw new CheckFailedException($"{what}: expected '{Show(expected)}', got '{Show(actual)}'");
    }

    public static string Show(string? s)
    {
        if (s is null) return "<none>";
        s = s.Replace("\n", "\\n", StringComparison.Ordinal);
        return s.Length > 400 ? s[..400] + "…" : s;
    }
}
