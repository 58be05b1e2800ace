using System.Text.RegularExpressions;
using Oci.Conformance.Framework;
using Oci.Conformance.Spec;

namespace Oci.Conformance;

/// <summary>A bad command line: the message names the argument; exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>The suite cannot run on this host or could not finish (no busybox, no report from a run, …); exit code 3.</summary>
public sealed class SuiteException(string message) : Exception(message);

/// <summary>A runtime to test: its report name, binary, global arguments, and whether it needs a pure cgroup2 view.</summary>
public sealed class RuntimeTarget
{
    public required string Name { get; set; }
    public required string Path { get; init; }
    public List<string> Args { get; } = [];
    /// <summary>Run this runtime's checks in a private mount namespace whose /sys/fs/cgroup is a fresh cgroup2 mount (crun on a hybrid host).</summary>
    public bool Cgroup2Ns { get; set; }
}

/// <summary>The parsed command line.</summary>
public sealed class Options
{
    public const string Usage = """
        usage: oci-conformance [run] --runtime [NAME=]PATH [--runtime-arg ARG]... [--cgroup2-ns] [selection] [outputs] [--keep]
               oci-conformance [matrix] --runtime [NAME=]PATH [per-runtime options] --runtime [NAME=]PATH ... [--out DIR] [selection]
               oci-conformance list [selection]
               oci-conformance coverage [--verbose]
               oci-conformance statements [--section DOC[#SECTION]]... [--level LEVEL]...
               oci-conformance catalogue --update FILE | --check [FILE]

        runtimes:  --runtime [NAME=]PATH   runtime binary (runc-compatible CLI); NAME is its column in reports
                   --runtime-arg ARG       global argument put before every subcommand; after a --runtime it belongs to
                                           that runtime, before the first --runtime to every runtime
                   --cgroup2-ns            run that runtime's checks in a private mount namespace whose /sys/fs/cgroup
                                           is a cgroup2 mount (crun on a hybrid-cgroup host); same placement rule
                   two or more --runtime (or the matrix command) run each runtime in turn and write the matrix
        selection: --filter REGEX          check ids matching REGEX
                   --section DOC[#SECTION] checks filed under that spec document (and section anchor), repeatable
                   --level LEVEL           MUST, SHOULD or MAY (repeatable or comma-separated)
        outputs:   TAP on stdout; --json FILE (one runtime), --junit FILE, --markdown FILE, --html FILE,
                   --out DIR (matrix: DIR/NAME.tap, DIR/NAME.json, DIR/matrix.md, DIR/matrix.html, DIR/junit.xml;
                   default ./conformance-report)
        exit codes: 0 no check failed; 1 at least one check failed (or catalogue --check found problems);
                    2 bad command line; 3 the suite could not run (host prerequisite missing, a run left no report)
        """;

    public string Command { get; set; } = "run";
    public List<RuntimeTarget> Runtimes { get; } = [];
    public List<string> GlobalRuntimeArgs { get; } = [];
    public bool GlobalCgroup2Ns { get; set; }
    public string? Filter { get; set; }
    public List<string> Sections { get; } = [];
    public HashSet<Level> Levels { get; } = [];
    public string? Json { get; set; }
    public string? JUnit { get; set; }
    public string? Markdown { get; set; }
    public string? Html { get; set; }
    public string? OutDir { get; set; }
    public bool Keep { get; set; }
    public bool Verbose { get; set; }
    public bool Help { get; set; }
    public string? CatalogueUpdate { get; set; }
    public bool CatalogueCheck { get; set; }
    public string? CatalogueCheckFile { get; set; }

    private static readonly string[] Commands = ["run", "matrix", "list", "coverage", "statements", "catalogue"];

    public static Options Parse(IReadOnlyList<string> args)
    {
        var o = new Options();
        var given = new List<string>();
        int i = 0;
        if (args.Count > 0 && !args[0].StartsWith('-'))
        {
            if (!Commands.Contains(args[0])) throw new UsageException($"unknown command '{args[0]}' (one of: {string.Join(", ", Commands)})");
            o.Command = args[0];
            i = 1;
        }
        for (; i < args.Count; i++)
        {
            string a = args[i];
            string name = a, inline = "";
            bool hasInline = false;
            int eq = a.IndexOf('=');
            if (a.StartsWith("--", StringComparison.Ordinal) && eq > 2) { name = a[..eq]; inline = a[(eq + 1)..]; hasInline = true; }
            string Value()
            {
                if (hasInline) return inline;
                if (i + 1 >= args.Count) throw new UsageException($"{name} needs a value");
                return args[++i];
            }
            void NoValue()
            {
                if (hasInline) throw new UsageException($"{name} takes no value");
            }
            given.Add(name);
            switch (name)
            {
                case "--runtime": o.Runtimes.Add(ParseRuntime(Value())); break;
                case "--runtime-arg":
                    var ra = Value();
                    if (o.Runtimes.Count > 0) o.Runtimes[^1].Args.Add(ra); else o.GlobalRuntimeArgs.Add(ra);
                    break;
                case "--cgroup2-ns":
                    NoValue();
                    if (o.Runtimes.Count > 0) o.Runtimes[^1].Cgroup2Ns = true; else o.GlobalCgroup2Ns = true;
                    break;
                case "--filter":
                    o.Filter = Value();
                    try { _ = new Regex(o.Filter, RegexOptions.CultureInvariant); }
                    catch (ArgumentException e) { throw new UsageException($"--filter: not a valid regular expression: {e.Message}"); }
                    break;
                case "--section": o.Sections.Add(ParseSection(Value())); break;
                case "--level":
                    foreach (var l in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        o.Levels.Add(Enum.TryParse<Level>(l, ignoreCase: true, out var lv) && Enum.IsDefined(lv)
                            ? lv : throw new UsageException($"--level: unknown level '{l}' (MUST, SHOULD or MAY)"));
                    break;
                case "--json": o.Json = Value(); break;
                case "--junit": o.JUnit = Value(); break;
                case "--markdown": o.Markdown = Value(); break;
                case "--html": o.Html = Value(); break;
                case "--out": o.OutDir = Value(); break;
                case "--keep": NoValue(); o.Keep = true; break;
                case "--verbose": NoValue(); o.Verbose = true; break;
                case "--list": NoValue(); o.Command = "list"; break;
                case "--update": o.CatalogueUpdate = Value(); break;
                case "--check":
                    NoValue();
                    o.CatalogueCheck = true;
                    if (i + 1 < args.Count && !args[i + 1].StartsWith('-')) o.CatalogueCheckFile = args[++i];
                    break;
                case "-h" or "--help": o.Help = true; break;
                default: throw new UsageException($"unknown argument {a}");
            }
        }
        foreach (var rt in o.Runtimes)
        {
            rt.Args.InsertRange(0, o.GlobalRuntimeArgs);
            rt.Cgroup2Ns |= o.GlobalCgroup2Ns;
        }
        var dupName = o.Runtimes.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (dupName is not null) throw new UsageException($"--runtime: the name '{dupName.Key}' is used twice (use NAME=PATH)");
        if (o.Command == "run" && o.Runtimes.Count > 1) o.Command = "matrix";
        if (o.Help) return o;
        switch (o.Command)
        {
            case "run" or "matrix" when o.Runtimes.Count == 0:
                throw new UsageException("--runtime is required");
            case "matrix" when o.Json is not null:
                throw new UsageException("--json writes one runtime's report; with several runtimes each one's is DIR/NAME.json under --out DIR");
            case "run" when o.OutDir is not null:
                throw new UsageException("--out is for the matrix of several runtimes; use --json/--junit/--markdown/--html with one runtime");
            case "list" or "coverage" or "statements" or "catalogue" when o.Runtimes.Count > 0:
                throw new UsageException($"{o.Command} takes no --runtime");
            case "catalogue" when (o.CatalogueUpdate is null) == !o.CatalogueCheck:
                throw new UsageException("catalogue needs exactly one of --update FILE or --check [FILE]");
        }
        // A flag is implemented or refused: one that means nothing for the command is an error, not silently ignored.
        string[] selection = ["--filter", "--section", "--level"];
        string[] allowed = o.Command switch
        {
            "run" => ["--runtime", "--runtime-arg", "--cgroup2-ns", .. selection, "--json", "--junit", "--markdown", "--html", "--keep"],
            "matrix" => ["--runtime", "--runtime-arg", "--cgroup2-ns", .. selection, "--junit", "--markdown", "--html", "--out", "--keep"],
            "list" => [.. selection, "--list"],
            "coverage" => ["--verbose"],
            "statements" => ["--section", "--level"],
            _ => ["--update", "--check"],
        };
        var stray = given.FirstOrDefault(g => !allowed.Contains(g) && g is not ("-h" or "--help"));
        if (stray is not null) throw new UsageException($"{stray} does not apply to the {o.Command} command");
        return o;
    }

    /// <summary><c>NAME=PATH</c> or <c>PATH</c> (name = file name). A '=' after a '/' is part of the path.</summary>
    public static RuntimeTarget ParseRuntime(string value)
    {
        int eq = value.IndexOf('=');
        int slash = value.IndexOf('/');
        string name, path;
        if (eq > 0 && (slash < 0 || eq < slash)) { name = value[..eq]; path = value[(eq + 1)..]; }
        else { path = value; name = System.IO.Path.GetFileName(value.TrimEnd('/')); }
        if (path.Length == 0) throw new UsageException($"--runtime {value}: no path");
        if (name.Length == 0 || name.Any(c => char.IsWhiteSpace(c) || c is '/' or '|' or '<' or '>' or '"' or '\''))
            throw new UsageException($"--runtime {value}: '{name}' is not a usable name (no spaces, '/', '|', quotes or angle brackets)");
        return new RuntimeTarget { Name = name, Path = path };
    }

    /// <summary>Normalizes <c>DOC[#SECTION]</c>: the document gets its <c>.md</c>, the section becomes its anchor.</summary>
    public static string ParseSection(string value)
    {
        int hash = value.IndexOf('#');
        var doc = (hash < 0 ? value : value[..hash]).Trim().ToLowerInvariant();
        if (!doc.EndsWith(".md", StringComparison.Ordinal)) doc += ".md";
        if (!StatementExtractor.Documents.Contains(doc))
            throw new UsageException($"--section {value}: unknown document '{doc}' (one of: {string.Join(", ", StatementExtractor.Documents)})");
        if (hash < 0) return doc;
        var sec = StatementExtractor.Slug(value[(hash + 1)..]);
        if (sec.Length == 0) throw new UsageException($"--section {value}: empty section");
        return doc + "#" + sec;
    }

    /// <summary>Does a check pass the id regex, section and level selection?</summary>
    public bool Selects(Check c)
    {
        if (Filter is not null && !Regex.IsMatch(c.Id, Filter, RegexOptions.CultureInvariant)) return false;
        if (Levels.Count > 0 && !Levels.Contains(c.Level)) return false;
        if (Sections.Count > 0)
        {
            var doc = c.Doc.ToLowerInvariant();
            var full = doc + "#" + StatementExtractor.Slug(c.Section);
            if (!Sections.Any(s => s == doc || s == full)) return false;
        }
        return true;
    }

    /// <summary>Does a catalogue entry pass the section and level selection?</summary>
    public bool Selects(CatalogueEntry e)
    {
        if (Levels.Count > 0 && !Levels.Contains(e.Level)) return false;
        if (Sections.Count > 0 && !Sections.Any(s => s == e.Doc || s == e.SectionRef)) return false;
        return true;
    }

    /// <summary>The arguments that reproduce the selection in a child run.</summary>
    public List<string> SelectionArgs()
    {
        var a = new List<string>();
        if (Filter is not null) a.AddRange(["--filter", Filter]);
        foreach (var s in Sections) a.AddRange(["--section", s]);
        if (Levels.Count > 0) a.AddRange(["--level", string.Join(',', Levels.Order())]);
        return a;
    }
}
