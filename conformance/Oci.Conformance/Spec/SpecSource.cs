using System.Reflection;

namespace Oci.Conformance.Spec;

/// <summary>
/// The runtime-spec text the suite was built with: the documents of third_party/runtime-spec/ and its VERSION file,
/// embedded in the assembly at build time, so that the installed tool needs no repository.
/// </summary>
public sealed class SpecSource
{
    private readonly Func<string, string?> _read;

    private SpecSource(Func<string, string?> read) => _read = read;

    /// <summary>The copy embedded in this assembly.</summary>
    public static SpecSource Embedded { get; } = new(name =>
    {
        using var s = typeof(SpecSource).Assembly.GetManifestResourceStream("spec/" + name);
        if (s is null) return null;
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    });

    /// <summary>A spec directory on disk (the repository's third_party/runtime-spec, for the self-tests).</summary>
    public static SpecSource FromDirectory(string dir) => new(name =>
    {
        var p = Path.Combine(dir, name);
        return File.Exists(p) ? File.ReadAllText(p) : null;
    });

    public string Read(string name) => _read(name) ?? throw new FileNotFoundException($"spec file {name} is not in the spec source");

    /// <summary>First line of VERSION, e.g. "opencontainers/runtime-spec v1.3.0 (commit …, 2025-11-02)".</summary>
    public string VersionLine
    {
        get
        {
            var v = _read("VERSION");
            if (v is null) return "unknown";
            var line = v.Split('\n')[0].Trim();
            int dot = line.IndexOf(". ", StringComparison.Ordinal);
            return dot > 0 ? line[..dot] : line.TrimEnd('.');
        }
    }

    /// <summary>The version tag (e.g. <c>v1.3.0</c>) from VERSION.</summary>
    public string Version
    {
        get
        {
            foreach (var word in VersionLine.Split(' '))
                if (word.Length > 1 && word[0] == 'v' && char.IsDigit(word[1])) return word;
            return VersionLine;
        }
    }

    /// <summary>Every statement of the accounted documents, in document order.</summary>
    public List<Statement> Statements() =>
        StatementExtractor.Documents.SelectMany(d => StatementExtractor.Extract(d, Read(d))).ToList();

    /// <summary>A JSON schema file of the spec (schema/NAME), or null.</summary>
    public string? Schema(string name) => _read("schema/" + name);

    internal static Assembly Assembly => typeof(SpecSource).Assembly;
}
