namespace Oci.Cli.CommandLine;

/// <summary>The flags and positional arguments of one command line (or of the global part before the command).</summary>
internal sealed class ParsedArguments
{
    readonly Dictionary<string, List<string>> values = new();
    readonly HashSet<string> switches = [];

    public List<string> Positional { get; } = [];

    /// <summary>Records a flag's value; a flag given more than once (<c>--env</c>) keeps every value.</summary>
    public void SetValue(string name, string value)
    {
        if (!values.TryGetValue(name, out var list)) values[name] = list = [];
        list.Add(value);
    }

    public void SetSwitch(string name) => switches.Add(name);

    /// <summary>The flag's last value, or null.</summary>
    public string? Value(string name) => values.TryGetValue(name, out var v) ? v[^1] : null;

    /// <summary>Every value of a repeatable flag, in order.</summary>
    public IReadOnlyList<string> Values(string name) => values.TryGetValue(name, out var v) ? v : [];

    public bool Has(string name) => switches.Contains(name);

    public int IntValue(string name, int fallback)
    {
        var text = Value(name);
        if (text is null) return fallback;
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int result))
            throw new UsageException($"--{name}: invalid value \"{text}\": must be a non-negative integer");
        return result;
    }
}

/// <summary>A command line that cannot be understood; the message names the flag or argument.</summary>
internal sealed class UsageException(string message) : Exception(message);
