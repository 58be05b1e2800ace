using Oci.Conformance.Framework;
using Oci.Conformance.Spec;
using Xunit;

namespace Oci.Conformance.Tests;

public class StatementExtractorTests
{
    private const string Sample = """
        # Doc title

        ## <a name="anchorOne" />First `section`

        Intro without keywords.
        The runtime MUST do one thing. It SHOULD do another, e.g. something. Then it MAY stop.
        * **`field`** (string, REQUIRED) is a field
            that spans two lines.
        * **`other`** (int, OPTIONAL) - a [link](http://example.com) and a [ref][refname].

        ```json
        { "note": "MUST inside code is not a statement" }
        ```

        The "MUST" options are mentioned, not required.
        This is NOT RECOMMENDED for anyone.
        Containers MAY NOT access it.

        ## Second section

         `opt`   | MUST   | [^1]
        ---------|--------|-----
         `a`     | MUST   | first
         `b`     | SHOULD | Indicates that it MUST work. This option SHOULD NOT leak.

        The runtime MUST do one thing.
        The runtime MUST do one thing.

        [refname]: http://example.com/ref
        """;

    private static List<Statement> Extract() => StatementExtractor.Extract("sample.md", Sample);

    [Fact]
    public void FindsEverySentenceWithAKeywordAndNothingElse()
    {
        var texts = Extract().Select(s => s.Text).ToList();
        Assert.Equal(
        [
            "The runtime MUST do one thing.",
            "It SHOULD do another, e.g. something.",
            "Then it MAY stop.",
            "field (string, REQUIRED) is a field that spans two lines.",
            "other (int, OPTIONAL) - a link and a ref.",
            "This is NOT RECOMMENDED for anyone.",
            "Containers MAY NOT access it.",
            "opt | MUST |",
            "a | MUST | first",
            "b | SHOULD | Indicates that it MUST work.",
            "b | This option SHOULD NOT leak.",
            "The runtime MUST do one thing.",
            "The runtime MUST do one thing.",
        ], texts);
    }

    [Fact]
    public void LevelIsTheStrongestKeyword()
    {
        var byText = Extract().ToLookup(s => s.Text);
        Assert.Equal(Level.MUST, byText["field (string, REQUIRED) is a field that spans two lines."].Single().Level);
        Assert.Equal(Level.MAY, byText["other (int, OPTIONAL) - a link and a ref."].Single().Level);
        Assert.Equal(Level.SHOULD, byText["This is NOT RECOMMENDED for anyone."].Single().Level);
        Assert.Equal(Level.MAY, byText["Containers MAY NOT access it."].Single().Level);
        Assert.Equal(Level.MUST, byText["b | SHOULD | Indicates that it MUST work."].Single().Level);
    }

    [Fact]
    public void SectionsComeFromHeadingsWithoutMarkup()
    {
        var s = Extract();
        Assert.Equal("First section", s[0].Section);
        Assert.Equal("sample.md#first-section", s[0].SectionRef);
        Assert.Equal("Second section", s[^1].Section);
    }

    [Fact]
    public void IdsAreDocSectionAndHashAndRepeatsGetASuffix()
    {
        var s = Extract();
        Assert.Matches("^sample#first-section:[0-9a-f]{8}$", s[0].Id);
        Assert.Equal(s[^2].Id + "-2", s[^1].Id);
        Assert.Equal(s.Count, s.Select(x => x.Id).Distinct().Count());
        // the same sentence in another section is another statement
        Assert.NotEqual(s[0].Id, s[^2].Id);
        Assert.Equal(s[0].Id[s[0].Id.IndexOf(':')..], s[^2].Id[s[^2].Id.IndexOf(':')..]);
    }

    [Fact]
    public void IdsIgnoreLineBreaksAndMarkupButNotWords()
    {
        string One(string md) => StatementExtractor.Extract("d.md", "## S\n\n" + md).Single().Id;
        var plain = One("The runtime MUST do it.");
        Assert.Equal(plain, One("The runtime\nMUST   do it."));
        Assert.Equal(plain, One("The **runtime** MUST do [it](x.md)."));
        Assert.Equal(plain, One("The `runtime` MUST do it."));
        Assert.NotEqual(plain, One("The runtime MUST do that."));
    }

    [Fact]
    public void IdOfAKnownSentenceIsPinned()
    {
        // pins the normalization and the hash, so that catalogue ids do not drift with the extractor
        Assert.Equal("runtime#create:5f0d13c8", StatementExtractor.MakeId("runtime.md", "Create", "This operation MUST create a new container."));
    }

    [Theory]
    [InlineData("<a name=\"configLinuxMemory\" />Memory", "memory")]
    [InlineData("Unsafe annotations in `config.json`", "unsafe-annotations-in-configjson")]
    [InlineData("POSIX-platform Hooks", "posix-platform-hooks")]
    [InlineData("Offset for Time Namespace", "offset-for-time-namespace")]
    public void SlugIsGitHubsAnchor(string heading, string slug) => Assert.Equal(slug, StatementExtractor.Slug(heading));

    [Fact]
    public void AbbreviationsAndCodeDoNotEndSentences()
    {
        var s = StatementExtractor.SplitSentences("Use `a. B` here, i.e. This stays. Next MUST start.");
        Assert.Equal(["Use `a. B` here, i.e. This stays.", "Next MUST start."], s);
    }
}
