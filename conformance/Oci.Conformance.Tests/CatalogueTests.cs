using Oci.Conformance.Checks;
using Oci.Conformance.Framework;
using Oci.Conformance.Spec;
using Xunit;

namespace Oci.Conformance.Tests;

/// <summary>The checked-in catalogue against the vendored spec text and the check registry.</summary>
public class CatalogueTests
{
    private static readonly SpecSource Spec = SpecSource.FromDirectory(Repo.SpecDir);
    private static readonly List<Statement> Statements = Spec.Statements();
    private static readonly Catalogue Checked = Catalogue.Parse(File.ReadAllText(Repo.CatalogueFile));
    private static readonly List<string> CheckIds = Registry.All().Select(c => c.Id).ToList();

    [Fact]
    public void EveryStatementOfTheSpecIsInTheCatalogue()
    {
        var ids = Checked.Entries.Select(e => e.Id).ToHashSet();
        var missing = Statements.Where(s => !ids.Contains(s.Id)).Select(s => $"{s.Id}: {s.Text}").ToList();
        Assert.True(missing.Count == 0,
            $"{missing.Count} statements of third_party/runtime-spec are not in conformance/catalogue.json " +
            "(run `oci-conformance catalogue --update conformance/catalogue.json` and map them):\n" + string.Join("\n", missing));
    }

    [Fact]
    public void CatalogueHasNoProblemsAgainstSpecAndRegistry()
    {
        var problems = Checked.Problems(Statements, CheckIds);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void AStatementMissingFromTheCatalogueIsReported()
    {
        var trimmed = new Catalogue { SpecVersion = Checked.SpecVersion, Entries = Checked.Entries.Skip(1).ToList() };
        var problems = trimmed.Problems(Statements, CheckIds);
        Assert.Contains(problems, p => p.StartsWith(Checked.Entries[0].Id + ": statement of the spec is not in the catalogue", StringComparison.Ordinal));
    }

    [Fact]
    public void AChangedSentenceIsReportedAsMissingAndStale()
    {
        var changed = Statements.Select((s, i) => i == 0 ? s with { Id = StatementExtractor.MakeId(s.Doc, s.Section, s.Text + " Changed."), Text = s.Text + " Changed." } : s).ToList();
        var problems = Checked.Problems(changed, CheckIds);
        Assert.Contains(problems, p => p.Contains("is not in the catalogue", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith(Statements[0].Id + ": catalogue entry is not a statement of the spec", StringComparison.Ordinal));
    }

    [Fact]
    public void AnUnmappedEntryAndAnUnknownCheckAreReported()
    {
        var entries = Checked.Entries.ToList();
        var e = entries[0];
        entries[0] = new CatalogueEntry { Id = e.Id, Doc = e.Doc, Section = e.Section, Level = e.Level, Text = e.Text };
        entries[1] = new CatalogueEntry { Id = entries[1].Id, Doc = entries[1].Doc, Section = entries[1].Section, Level = entries[1].Level, Text = entries[1].Text, Checks = ["no.such.check"] };
        var problems = new Catalogue { Entries = entries }.Problems(Statements, CheckIds);
        Assert.Contains(problems, p => p.StartsWith(e.Id + ": not mapped", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("`no.such.check` matches no check", StringComparison.Ordinal));
    }

    [Fact]
    public void CatalogueFileIsInCanonicalForm()
    {
        // the file is what ToJson writes, so that `catalogue --update` produces no spurious diff
        Assert.Equal(File.ReadAllText(Repo.CatalogueFile), Checked.ToJson());
    }

    [Fact]
    public void EmbeddedCatalogueAndSpecAreTheRepositorysCopies()
    {
        Assert.Equal(Checked.ToJson(), Catalogue.Embedded.ToJson());
        foreach (var doc in StatementExtractor.Documents) Assert.Equal(Spec.Read(doc), SpecSource.Embedded.Read(doc));
        Assert.Equal(Spec.VersionLine, SpecSource.Embedded.VersionLine);
        Assert.StartsWith("v1.", SpecSource.Embedded.Version, StringComparison.Ordinal);
    }

    [Fact]
    public void ExtractionIsDeterministic()
    {
        var again = Spec.Statements();
        Assert.Equal(Statements.Select(s => s.Id), again.Select(s => s.Id));
        Assert.Equal(Statements.Count, Statements.Select(s => s.Id).Distinct().Count());
    }

    [Fact]
    public void MergeKeepsMappingsAndReportsChanges()
    {
        var merged = Checked.Merge(Statements.Skip(1).ToList(), "x", out var added, out var removed);
        Assert.Empty(added);
        Assert.Equal(Checked.Entries[0].Id, Assert.Single(removed).Id);
        var byId = Checked.Entries.ToDictionary(e => e.Id);
        Assert.All(merged.Entries, e => Assert.Equal(byId[e.Id].Checks, e.Checks));
        var grown = new Catalogue { Entries = Checked.Entries.Skip(1).ToList() }.Merge(Statements, "x", out added, out _);
        Assert.Equal([Statements[0].Id], added);
        Assert.False(grown.Entries[0].Mapped);
    }

    [Fact]
    public void ObservableMustsAreAtLeast95PercentCovered()
    {
        var cov = Checked.Coverage(CheckIds);
        Assert.True(cov.ByLevel[Level.MUST].Percent >= 95, cov.Line);
        Assert.Matches(@"^coverage: MUST \d+/\d+, SHOULD \d+/\d+, MAY \d+/\d+$", cov.Line);
    }

    [Fact]
    public void EveryUncoveredOrUnobservableStatementHasAReason()
    {
        var ids = CheckIds;
        Assert.All(Checked.Entries.Where(e => Catalogue.Resolve(e, ids).Count == 0),
            e => Assert.False(string.IsNullOrWhiteSpace(e.Unobservable ?? e.Uncovered), $"{e.Id} has neither a check nor a reason"));
    }

    [Fact]
    public void EveryCheckIsFiledUnderASectionOfTheSpec()
    {
        var sections = StatementExtractor.Documents
            .SelectMany(d => Spec.Read(d).Split('\n').Where(l => l.StartsWith('#')).Select(l => $"{d}#{StatementExtractor.Slug(l.TrimStart('#'))}"))
            .ToHashSet();
        var bad = Registry.All().Where(c => !sections.Contains($"{c.Doc}#{StatementExtractor.Slug(c.Section)}")).Select(c => $"{c.Id}: {c.Tag}").ToList();
        Assert.True(bad.Count == 0, "checks filed under sections the spec does not have:\n" + string.Join("\n", bad));
    }

    [Theory]
    [InlineData("hooks.*.timing", "hooks.prestart.timing", true)]
    [InlineData("hooks.*.timing", "hooks.prestart.namespace", false)]
    [InlineData("mounts.option.*", "mounts.option.ro", true)]
    [InlineData("mounts.option.*", "mounts.order", false)]
    [InlineData("state.id", "state.id", true)]
    [InlineData("state.id", "state.id2", false)]
    [InlineData("a*b*c", "abc", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxcyyb", false)]
    public void CheckReferencesMatchLikeGlobs(string pattern, string id, bool matches) =>
        Assert.Equal(matches, Catalogue.Matches(pattern, id));
}
