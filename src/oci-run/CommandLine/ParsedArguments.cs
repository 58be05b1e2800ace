namespace Oci.Cli.CommandLine;

/// <summary>The flags and positional arguments of one command line (or of the global part before the command).</summary>
internal sealed class ParsedArguments
{
    readonly Dictionary<string, string> values = new();
    readonly HashSet<string> switches = [];

    public List<string> Positional { get; } = [];

    public void SetValue(string name, string value) => values[name] = value;

    public void SetSwitch(string name) => switches.Add(name);

    public string? Value(string name) => values.TryGetValue(name, out var v) ? v : null;

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
