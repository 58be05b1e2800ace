using System.Reflection;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Spec;

/// <summary>SpecNames' sets behave as the ordinal HashSets they were: no duplicate names (Count), case-sensitive
/// look-ups, their declared order, and set comparisons.</summary>
public class NameSetTests
{
    public static TheoryData<string> Sets() =>
        [.. typeof(SpecNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(IReadOnlySet<string>)).Select(f => f.Name)];

    static IReadOnlySet<string> Get(string name) => (IReadOnlySet<string>)typeof(SpecNames).GetField(name)!.GetValue(null)!;

    [Theory]
    [MemberData(nameof(Sets))]
    public void EachSetIsWhatAnOrdinalHashSetOfItsNamesWouldBe(string name)
    {
        var set = Get(name);
        var hashSet = new HashSet<string>(set, StringComparer.Ordinal);
        Assert.Equal(hashSet.Count, set.Count);
        Assert.Equal(hashSet.ToArray(), set.ToArray()); // same order: a HashSet that was never removed from enumerates as added
        foreach (var item in set)
        {
            Assert.Contains(item, set);
            Assert.False(set.Contains(item.ToLowerInvariant()) && item.ToLowerInvariant() != item);
            Assert.False(set.Contains(item + " "));
        }
        Assert.True(set.SetEquals(hashSet));
        Assert.True(set.IsSubsetOf(hashSet.Append("x")));
        Assert.False(set.Contains(null!));
    }

    [Fact]
    public void TheSetsAreTheOnesTheSpecNames()
    {
        Assert.Contains("SCMP_ACT_NOTIFY", SpecNames.SeccompActions);
        Assert.DoesNotContain("scmp_act_notify", SpecNames.SeccompActions);
        Assert.Equal([.. SpecNames.CapabilitiesByNumber], SpecNames.Capabilities.ToArray());
        Assert.True(Sets().Count >= 20);
    }
}
