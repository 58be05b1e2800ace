using System.Text;

namespace Oci.Cli.CommandLine;

/// <summary>Where a command's flags may stand relative to its positional arguments.</summary>
internal enum FlagPlacement
{
    /// <summary>Flags up to the first positional argument, which ends the parse (the global flags before the
    /// command).</summary>
    BeforeCommand,
    /// <summary>Flags on either side of the positional arguments, as urfave/cli reorders them for runc's commands
    /// (<c>update ID --memory 1M</c>). After the first positional argument a word that is not a known flag is a
    /// positional argument (<c>ps ID -ef</c>).</summary>
    Anywhere,
    /// <summary>Flags up to the first positional argument; the rest is positional (<c>exec</c>: what follows the
    /// container id is the command and its own flags, as runc's exec skips the reordering).</summary>
    BeforeFirstArgument,
}

/// <summary>
/// The flags a command accepts, parsed as runc (urfave/cli) does: <c>--flag value</c>, <c>--flag=value</c>, short
/// aliases, single-dash long names (<c>-root</c>), <c>--</c> to end the flags. Each flag carries its help text, so
/// that a command's usage lists exactly the flags it parses.
/// </summary>
internal sealed class FlagSet
{
    sealed record Flag(string Name, string[] Aliases, bool TakesValue, string Usage, string? Default);

    readonly Dictionary<string, Flag> byName = new();
    readonly List<Flag> ordered = [];

    /// <summary>Declares a flag with a value, under its name and aliases.</summary>
    public FlagSet Value(string name, string usage, params string[] aliases) => Add(new Flag(name, aliases, true, usage, null));

    /// <summary>Declares a flag with a value and the default shown in the usage.</summary>
    public FlagSet ValueWithDefault(string name, string defaultValue, string usage, params string[] aliases) =>
        Add(new Flag(name, aliases, true, usage, defaultValue));

    /// <summary>Declares a boolean flag.</summary>
    public FlagSet Switch(string name, string usage, params string[] aliases) => Add(new Flag(name, aliases, false, usage, null));

    FlagSet Add(Flag flag)
    {
        byName[flag.Name] = flag;
        foreach (var alias in flag.Aliases) byName[alias] = flag;
        ordered.Add(flag);
        return this;
    }

    /// <summary>Whether <paramref name="arg"/> names one of these flags (<c>-x</c>, <c>--name</c>, <c>--name=v</c>).</summary>
    bool IsFlag(string arg) => arg.Length >= 2 && arg[0] == '-' && arg != "--" && byName.ContainsKey(FlagName(arg));

    static string FlagName(string arg)
    {
        string body = arg.TrimStart('-');
        int equals = body.IndexOf('=');
        return equals >= 0 ? body[..equals] : body;
    }

    /// <summary>Parses <paramref name="args"/> from <paramref name="start"/>; the index where the parse ended
    /// (<see cref="FlagPlacement.BeforeCommand"/>: the command's name) is returned in <paramref name="next"/>.</summary>
    public ParsedArguments Parse(IReadOnlyList<string> args, int start, FlagPlacement placement, out int next)
    {
        var result = new ParsedArguments();
        int i = start;
        bool flagsEnded = false;
        for (; i < args.Count; i++)
        {
            string arg = args[i];
            bool positionalSeen = result.Positional.Count > 0;
            bool isPositional = flagsEnded || arg.Length < 2 || arg[0] != '-'
                                // Past the first argument an unknown dash word belongs to the command (ps's options).
                                || (placement == FlagPlacement.Anywhere && positionalSeen && arg != "--" && !IsFlag(arg));
            if (isPositional)
            {
                if (placement == FlagPlacement.BeforeCommand) break;
                result.Positional.Add(arg);
                if (placement == FlagPlacement.BeforeFirstArgument) flagsEnded = true;
                continue;
            }
            if (arg == "--")
            {
                flagsEnded = true;
                if (placement == FlagPlacement.BeforeCommand) { i++; break; }
                continue;
            }
            string body = arg.TrimStart('-');
            string? inlineValue = null;
            int equals = body.IndexOf('=');
            if (equals >= 0)
            {
                inlineValue = body[(equals + 1)..];
                body = body[..equals];
            }
            if (!byName.TryGetValue(body, out var flag))
                throw new UsageException($"flag provided but not defined: -{body}");
            if (flag.TakesValue)
            {
                string value = inlineValue ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"flag needs an argument: -{body}"));
                result.SetValue(flag.Name, value);
            }
            else if (inlineValue is null or "true" or "1")
                result.SetSwitch(flag.Name);
            else if (inlineValue is not ("false" or "0"))
                throw new UsageException($"invalid boolean value \"{inlineValue}\" for -{body}");
        }
        next = i;
        return result;
    }

    /// <summary>The flags as runc's help lists them: <c>--name value, -n value  usage (default: x)</c>, aligned.</summary>
    public string Describe()
    {
        var rows = ordered.Select(f =>
        {
            string suffix = f.TakesValue ? " value" : "";
            var names = new[] { f.Name }.Concat(f.Aliases).Select(n => (n.Length == 1 ? "-" : "--") + n + suffix);
            string usage = f.Default is null ? f.Usage : $"{f.Usage} (default: {f.Default})";
            return (Names: string.Join(", ", names), Usage: usage);
        }).ToList();
        int width = rows.Count == 0 ? 0 : rows.Max(r => r.Names.Length);
        var text = new StringBuilder();
        foreach (var (names, usage) in rows) text.Append("   ").Append(names.PadRight(width)).Append("  ").Append(usage).Append('\n');
        return text.ToString();
    }
}
