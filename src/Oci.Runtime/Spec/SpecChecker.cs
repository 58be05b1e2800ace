
namespace Oci.Runtime.Spec;

/// <summary>Collects the problems of one document. Each helper checks one kind of rule for the value at a path,
/// so that a rule for a new field is one line in <see cref="SpecValidator"/>.</summary>
internal sealed class SpecChecker
{
    public List<SpecProblem> Problems { get; } = [];

    public void Error(string path, string message) => Problems.Add(new SpecProblem(path, message, false));

    public void Warn(string path, string message) => Problems.Add(new SpecProblem(path, message, true));

    /// <summary>Error unless <paramref name="value"/> is a non-empty string.</summary>
    public bool NonEmpty(string path, string? value)
    {
        if (string.IsNullOrEmpty(value)) { Error(path, "must not be empty"); return false; }
        return true;
    }

    /// <summary>Error unless <paramref name="value"/> is one of <paramref name="allowed"/>; null passes.</summary>
    public void OneOf(string path, string? value, IReadOnlySet<string> allowed, string what)
    {
        if (value is not null && !allowed.Contains(value))
            Error(path, $"unknown {what} \"{value}\"");
    }

    /// <summary>Checks every string of a list against <paramref name="allowed"/>, and that there are no nulls.</summary>
    public void AllOneOf(string path, List<string>? values, IReadOnlySet<string> allowed, string what)
    {
        foreach (var (p, v) in Items(path, values)) OneOf(p, v, allowed, what);
    }

    /// <summary>Error unless <paramref name="value"/> is an absolute path; null passes.</summary>
    public void Absolute(string path, string? value)
    {
        if (value is null) return;
        if (value.Length == 0) Error(path, "must not be empty");
        else if (value[0] != '/') Error(path, $"must be an absolute path, got \"{value}\"");
    }

    /// <summary>Error unless <paramref name="value"/> has the shape <paramref name="syntax"/> checks (one of
    /// <see cref="SpecSyntax"/>'s); null passes.</summary>
    public void Matches(string path, string? value, SpecSyntax.Check syntax, string expected)
    {
        if (value is not null && !syntax(value))
            Error(path, $"\"{value}\" is not {expected}");
    }

    /// <summary>Error unless <paramref name="value"/> is within [min, max]; null passes.</summary>
    public void InRange(string path, long? value, long min, long max)
    {
        if (value is long v && (v < min || v > max))
            Error(path, $"{v} is out of range; must be from {min} to {max}");
    }

    /// <summary>The non-null items of a list with their paths; reports each null item as an error.</summary>
    public IEnumerable<(string Path, T Item)> Items<T>(string path, List<T>? list)
    {
        if (list is null) yield break;
        for (int i = 0; i < list.Count; i++)
        {
            string p = SpecPath.Index(path, i);
            if (list[i] is null) { Error(p, "must not be null"); continue; }
            yield return (p, list[i]);
        }
    }

    /// <summary>The entries of a map with non-null values, with their paths; reports empty keys and null values.</summary>
    public IEnumerable<(string Path, string Key, T Value)> Entries<T>(string path, Dictionary<string, T>? map)
    {
        if (map is null) yield break;
        foreach (var (key, value) in map)
        {
            string p = SpecPath.Property(path, key);
            if (key.Length == 0) { Error(p, "key must not be empty"); continue; }
            if (value is null) { Error(p, "must not be null"); continue; }
            yield return (p, key, value);
        }
    }

    /// <summary>Checks a map of strings: keys non-empty and values non-null.</summary>
    public void StringMap(string path, Dictionary<string, string>? map)
    {
        foreach (var _ in Entries(path, map)) { }
    }

    /// <summary>Checks a list of strings for nulls.</summary>
    public void Strings(string path, List<string>? list)
    {
        foreach (var _ in Items(path, list)) { }
    }
}
