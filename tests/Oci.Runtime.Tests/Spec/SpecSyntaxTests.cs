using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Spec;

/// <summary>SpecSyntax's hand-written checks against the regular expressions the validator used before them (with
/// <c>\z</c> for <c>$</c>: a final newline is no longer accepted), on examples and on random strings of each
/// grammar's own characters.</summary>
public class SpecSyntaxTests
{
    static readonly Regex SemVer = new(@"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*)?(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?\z", RegexOptions.CultureInvariant);
    static readonly Regex CapabilityName = new(@"^CAP_[A-Z0-9_]+\z", RegexOptions.CultureInvariant);
    static readonly Regex RlimitName = new(@"^RLIMIT_[A-Z]+\z", RegexOptions.CultureInvariant);
    static readonly Regex PageSize = new(@"^[1-9][0-9]*[KMG]B\z", RegexOptions.CultureInvariant);
    static readonly Regex NodeList = new(@"^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*\z", RegexOptions.CultureInvariant);

    [Theory]
    [InlineData("1.3.0", true)]
    [InlineData("1.0.2-dev", true)]
    [InlineData("1.0.0-alpha.1+build.5-x", true)]
    [InlineData("1.0.0-0.3.7", true)]
    [InlineData("1.0.0-x-y-z.--", true)]
    [InlineData("1.0.0+001", true)]
    [InlineData("1.0.0-01", false)]
    [InlineData("01.0.0", false)]
    [InlineData("1.0", false)]
    [InlineData("1.0.0.0", false)]
    [InlineData("1.0.0-", false)]
    [InlineData("1.0.0+", false)]
    [InlineData("1.0.0-a..b", false)]
    [InlineData("1.0.0\n", false)]
    [InlineData("", false)]
    public void SemVerExamples(string value, bool expected)
    {
        Assert.Equal(expected, SpecSyntax.IsSemVer(value));
        Assert.Equal(expected, SemVer.IsMatch(value));
    }

    [Theory]
    [InlineData("CAP_SYS_ADMIN", true)]
    [InlineData("CAP_", false)]
    [InlineData("cap_chown", false)]
    [InlineData("RLIMIT_NOFILE", true)]
    [InlineData("RLIMIT_", false)]
    [InlineData("2MB", true)]
    [InlineData("02MB", false)]
    [InlineData("1TB", false)]
    [InlineData("0-3,7", true)]
    [InlineData("0-3-4", false)]
    [InlineData(",", false)]
    public void NameExamples(string value, bool expected)
    {
        Regex oracle = value.StartsWith("CAP") || value.StartsWith("cap") ? CapabilityName
            : value.StartsWith("RLIMIT") ? RlimitName
            : value.EndsWith('B') ? PageSize : NodeList;
        Assert.Equal(expected, oracle.IsMatch(value));
        SpecSyntax.Check check = oracle == CapabilityName ? SpecSyntax.IsCapabilityName
            : oracle == RlimitName ? SpecSyntax.IsRlimitName
            : oracle == PageSize ? SpecSyntax.IsPageSize : SpecSyntax.IsNodeList;
        Assert.Equal(expected, check(value));
    }

    /// <summary>Strings of <paramref name="alphabet"/> after an optional valid <paramref name="prefix"/>, so that
    /// random strings reach the grammar's later parts.</summary>
    static Arbitrary<string> Strings(string alphabet, params string[] prefixes) =>
        Gen.Elements(alphabet.ToCharArray()).ArrayOf()
            .SelectMany(_ => Gen.Elements(["", .. prefixes]), (chars, prefix) => prefix + new string(chars))
            .ToArbitrary();

    static Property Same(Arbitrary<string> strings, Regex oracle, SpecSyntax.Check check) =>
        Prop.ForAll(strings, s => Assert.True(oracle.IsMatch(s) == check(s), $"\"{s}\": regex {oracle.IsMatch(s)}"));

    [Property(MaxTest = 3000)]
    public Property SemVerMatchesTheRegex() =>
        Same(Strings("0123.-+aZ", "1.0.0", "1.0.0-", "0.1.2+", "10.20.30-a."), SemVer, SpecSyntax.IsSemVer);

    [Property(MaxTest = 1000)]
    public Property CapabilityNamesMatchTheRegex() => Same(Strings("CAP_Z09a", "CAP_"), CapabilityName, SpecSyntax.IsCapabilityName);

    [Property(MaxTest = 1000)]
    public Property RlimitNamesMatchTheRegex() => Same(Strings("RLIMT_Z0a", "RLIMIT_"), RlimitName, SpecSyntax.IsRlimitName);

    [Property(MaxTest = 1000)]
    public Property PageSizesMatchTheRegex() => Same(Strings("0129KMGBb"), PageSize, SpecSyntax.IsPageSize);

    [Property(MaxTest = 1000)]
    public Property NodeListsMatchTheRegex() => Same(Strings("0127-,"), NodeList, SpecSyntax.IsNodeList);
}
