namespace Oci.Cli.CommandLine;

/// <summary>
/// The flags a command accepts, parsed as runc (urfave/cli) does: <c>--flag value</c>, <c>--flag=value</c>, short
/// aliases, single-dash long names (<c>-root</c>), and flags up to the first positional argument or <c>--</c>.
/// </summary>
internal sealed class FlagSet
{
    readonly Dictionary<string, (string Name, bool TakesValue)> flags = new();

    /// <summary>Declares a flag with a value, under its name and aliases.</summary>
    public FlagSet Value(string name, params string[] aliases) => Add(name, true, aliases);

    /// <summary>Declares a boolean flag.</summary>
    public FlagSet Switch(string name, params string[] aliases) => Add(name, false, aliases);

    FlagSet Add(string name, bool takesValue, string[] aliases)
    {
        flags[name] = (name, takesValue);
        foreach (var alias in aliases) flags[alias] = (name, takesValue);
        return this;
    }

    /// <summary>Parses <paramref name="args"/> from <paramref name="start"/>. With <paramref name="stopAtPositional"/>
    /// the parse ends at the first positional argument (the global flags before the command); the index reached is
    /// returned in <paramref name="next"/>.</summary>
    public ParsedArguments Parse(IReadOnlyList<string> args, int start, bool stopAtPositional, out int next)
    {
        var result = new ParsedArguments();
        int i = start;
        bool flagsEnded = false;
        for (; i < args.Count; i++)
        {
            string arg = args[i];
            if (flagsEnded || arg.Length < 2 || arg[0] != '-')
            {
                if (stopAtPositional) break;
                result.Positional.Add(arg);
                // Like urfave/cli, the first positional argument ends the flags: the rest (exec's command, kill's
                // signal) belong to the command.
                flagsEnded = true;
                continue;
            }
            if (arg == "--")
            {
                flagsEnded = true;
                if (stopAtPositional) { i++; break; }
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
            if (!flags.TryGetValue(body, out var flag))
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
}
