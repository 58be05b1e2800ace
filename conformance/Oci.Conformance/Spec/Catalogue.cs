using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Oci.Conformance.Framework;

namespace Oci.Conformance.Spec;

/// <summary>
/// One statement of the catalogue and how the suite accounts for it: the checks that cover it, or why a black-box
/// test cannot observe it (<see cref="Unobservable"/>), or why an observable statement has no check yet
/// (<see cref="Uncovered"/>).
/// </summary>
public sealed class CatalogueEntry
{
    public required string Id { get; init; }
    public required string Doc { get; init; }
    public required string Section { get; init; }
    public required Level Level { get; init; }
    public required string Text { get; init; }
    /// <summary>Check ids; '*' in an entry stands for any run of characters (<c>hooks.*.timing</c>).</summary>
    public List<string> Checks { get; init; } = [];
    public string? Unobservable { get; init; }
    public string? Uncovered { get; init; }
    /// <summary>Optional remark for reviewers (e.g. which part a check does not reach).</summary>
    public string? Note { get; init; }

    public bool Observable => Unobservable is null;
    public bool Mapped => Checks.Count > 0 || Unobservable is not null || Uncovered is not null;
    public string SectionRef => $"{Doc}#{StatementExtractor.Slug(Section)}";

    /// <summary>Why an observable statement has no check: its written reason, or what is wrong with its mapping.</summary>
    public string UncoveredReason => Uncovered ?? (Checks.Count > 0
        ? "mapped to checks that do not exist: " + string.Join(", ", Checks)
        : "not yet mapped");
}

/// <summary>Per-level coverage: statements with a check (X) over statements a black-box test can observe (Y).</summary>
public sealed record CoverageFigures(int Covered, int Observable, int Unobservable, int Total)
{
    public string Ratio => $"{Covered}/{Observable}";
    public double Percent => Observable == 0 ? 100 : 100.0 * Covered / Observable;
}

public sealed record Coverage(string SpecVersion, IReadOnlyDictionary<Level, CoverageFigures> ByLevel, IReadOnlyList<CatalogueEntry> Uncovered)
{
    /// <summary>The one summary line: <c>coverage: MUST X/Y, SHOULD X/Y, MAY X/Y</c>.</summary>
    public string Line => "coverage: " + string.Join(", ", new[] { Level.MUST, Level.SHOULD, Level.MAY }.Select(l => $"{l} {ByLevel[l].Ratio}"));
}

/// <summary>
/// The checked-in catalogue (conformance/catalogue.json, embedded in the assembly): every normative statement of the
/// vendored spec with its stable id and its mapping to checks.
/// </summary>
public sealed class Catalogue
{
    public string SpecVersion { get; init; } = "";
    public List<CatalogueEntry> Entries { get; init; } = [];

    private static readonly Lazy<Catalogue> EmbeddedLazy = new(() =>
    {
        using var s = SpecSource.Assembly.GetManifestResourceStream("catalogue.json")
            ?? throw new InvalidOperationException("catalogue.json is not embedded in the suite");
        using var r = new StreamReader(s);
        return Parse(r.ReadToEnd());
    });

    public static Catalogue Embedded => EmbeddedLazy.Value;

    public static Catalogue Parse(string json)
    {
        var root = JsonNode.Parse(json)?.AsObject() ?? throw new FormatException("catalogue is not a JSON object");
        var entries = new List<CatalogueEntry>();
        foreach (var n in root["statements"]?.AsArray() ?? [])
        {
            var o = n!.AsObject();
            string Req(string k) => o[k]?.GetValue<string>() ?? throw new FormatException($"catalogue entry without {k}: {o.ToJsonString()}");
            entries.Add(new CatalogueEntry
            {
                Id = Req("id"),
                Doc = Req("doc"),
                Section = Req("section"),
                Level = Enum.Parse<Level>(Req("level")),
                Text = Req("text"),
                Checks = o["checks"]?.AsArray().Select(c => c!.GetValue<string>()).ToList() ?? [],
                Unobservable = o["unobservable"]?.GetValue<string>(),
                Uncovered = o["uncovered"]?.GetValue<string>(),
                Note = o["note"]?.GetValue<string>(),
            });
        }
        return new Catalogue { SpecVersion = root["spec"]?.GetValue<string>() ?? "", Entries = entries };
    }

    /// <summary>Serializes with a fixed key order, one key per line, so that changes diff well.</summary>
    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("spec", SpecVersion);
            w.WriteString("about", "Every RFC 2119 statement of the vendored runtime-spec documents, with the checks that cover it, " +
                "or why a black-box test cannot observe it (unobservable), or why an observable statement has no check (uncovered). " +
                "Regenerate the list with `oci-conformance catalogue --update conformance/catalogue.json`; mappings are kept by id.");
            w.WriteStartArray("statements");
            foreach (var e in Entries)
            {
                w.WriteStartObject();
                w.WriteString("id", e.Id);
                w.WriteString("doc", e.Doc);
                w.WriteString("section", e.Section);
                w.WriteString("level", e.Level.ToString());
                w.WriteString("text", e.Text);
                if (e.Checks.Count > 0)
                {
                    w.WriteStartArray("checks");
                    foreach (var c in e.Checks) w.WriteStringValue(c);
                    w.WriteEndArray();
                }
                if (e.Unobservable is not null) w.WriteString("unobservable", e.Unobservable);
                if (e.Uncovered is not null) w.WriteString("uncovered", e.Uncovered);
                if (e.Note is not null) w.WriteString("note", e.Note);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    /// <summary>
    /// The catalogue for a (new) spec text: every extracted statement, in document order, with the mapping of the
    /// entry of the same id kept; statements no longer in the spec are dropped.
    /// </summary>
    public Catalogue Merge(IReadOnlyList<Statement> statements, string specVersion, out List<string> added, out List<CatalogueEntry> removed)
    {
        var old = Entries.ToDictionary(e => e.Id, StringComparer.Ordinal);
        added = [];
        var entries = new List<CatalogueEntry>();
        foreach (var s in statements)
        {
            old.TryGetValue(s.Id, out var prev);
            if (prev is null) added.Add(s.Id);
            entries.Add(new CatalogueEntry
            {
                Id = s.Id, Doc = s.Doc, Section = s.Section, Level = s.Level, Text = s.Text,
                Checks = prev?.Checks ?? [], Unobservable = prev?.Unobservable, Uncovered = prev?.Uncovered, Note = prev?.Note,
            });
        }
        var ids = statements.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        removed = Entries.Where(e => !ids.Contains(e.Id)).ToList();
        return new Catalogue { SpecVersion = specVersion, Entries = entries };
    }

    /// <summary>The check ids an entry names (patterns expanded), in registry order.</summary>
    public static List<string> Resolve(CatalogueEntry e, IReadOnlyList<string> checkIds) =>
        checkIds.Where(id => e.Checks.Any(p => Matches(p, id))).ToList();

    /// <summary>A check reference: an exact id, or a pattern in which '*' stands for any run of characters.</summary>
    public static bool Matches(string pattern, string checkId)
    {
        if (!pattern.Contains('*')) return pattern == checkId;
        var parts = pattern.Split('*');
        if (!checkId.StartsWith(parts[0], StringComparison.Ordinal) || !checkId.EndsWith(parts[^1], StringComparison.Ordinal)) return false;
        int pos = parts[0].Length, end = checkId.Length - parts[^1].Length;
        if (end < pos) return false;
        for (int i = 1; i < parts.Length - 1; i++)
        {
            int at = checkId.IndexOf(parts[i], pos, end - pos, StringComparison.Ordinal);
            if (at < 0) return false;
            pos = at + parts[i].Length;
        }
        return true;
    }

    /// <summary>
    /// What is wrong with the catalogue against a spec text and a check registry: statements of the spec missing
    /// from it, entries the spec no longer has, text/level/section that differ, entries that are not mapped or
    /// mapped inconsistently, and check references that match no check.
    /// </summary>
    public List<string> Problems(IReadOnlyList<Statement> spec, IReadOnlyList<string> checkIds)
    {
        var problems = new List<string>();
        var byId = new Dictionary<string, CatalogueEntry>(StringComparer.Ordinal);
        foreach (var e in Entries)
            if (!byId.TryAdd(e.Id, e)) problems.Add($"{e.Id}: duplicate id in the catalogue");
        var specIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in spec)
        {
            specIds.Add(s.Id);
            if (!byId.TryGetValue(s.Id, out var e)) { problems.Add($"{s.Id}: statement of the spec is not in the catalogue: {s.Text}"); continue; }
            if (e.Text != s.Text || e.Level != s.Level || e.Doc != s.Doc || e.Section != s.Section)
                problems.Add($"{s.Id}: catalogue text/level/section differ from the spec");
        }
        foreach (var e in Entries)
        {
            if (!specIds.Contains(e.Id)) problems.Add($"{e.Id}: catalogue entry is not a statement of the spec: {e.Text}");
            if (!e.Mapped) problems.Add($"{e.Id}: not mapped (needs checks, an `unobservable` reason or an `uncovered` reason)");
            int kinds = (e.Checks.Count > 0 ? 1 : 0) + (e.Unobservable is not null ? 1 : 0) + (e.Uncovered is not null ? 1 : 0);
            if (kinds > 1) problems.Add($"{e.Id}: has more than one of checks / unobservable / uncovered");
            if (e.Unobservable is { Length: 0 } || e.Uncovered is { Length: 0 }) problems.Add($"{e.Id}: empty reason");
            foreach (var p in e.Checks)
                if (!checkIds.Any(id => Matches(p, id))) problems.Add($"{e.Id}: check reference `{p}` matches no check");
        }
        return problems;
    }

    public Coverage Coverage(IReadOnlyList<string> checkIds)
    {
        var by = new Dictionary<Level, CoverageFigures>();
        foreach (var l in new[] { Level.MUST, Level.SHOULD, Level.MAY })
        {
            var es = Entries.Where(e => e.Level == l).ToList();
            by[l] = new CoverageFigures(
                es.Count(e => e.Observable && Resolve(e, checkIds).Count > 0),
                es.Count(e => e.Observable),
                es.Count(e => !e.Observable),
                es.Count);
        }
        var uncovered = Entries.Where(e => e.Observable && Resolve(e, checkIds).Count == 0).ToList();
        return new Coverage(SpecVersion, by, uncovered);
    }
}
