using System.Collections;

namespace Oci.Runtime.Spec;

/// <summary>A small fixed set of names (ordinal), in the order given: what <see cref="SpecNames"/>' sets are.</summary>
/// <remarks>Not a HashSet: every command builds SpecNames' ~20 sets at its first look-up, and hashing all ~200 names
/// into buckets was a third of a percent of a <c>run</c>'s CPU; a look-up among at most a few dozen short names
/// is as quick by comparing them in turn.</remarks>
internal sealed class NameSet(string[] names) : IReadOnlySet<string>
{
    public int Count => names.Length;

    public bool Contains(string item) => Array.IndexOf(names, item) >= 0;

    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)names).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => names.GetEnumerator();

    // The set comparisons are not used on any command's path: a HashSet answers them.
    HashSet<string> AsHashSet() => new(names, StringComparer.Ordinal);
    public bool IsProperSubsetOf(IEnumerable<string> other) => AsHashSet().IsProperSubsetOf(other);
    public bool IsProperSupersetOf(IEnumerable<string> other) => AsHashSet().IsProperSupersetOf(other);
    public bool IsSubsetOf(IEnumerable<string> other) => AsHashSet().IsSubsetOf(other);
    public bool IsSupersetOf(IEnumerable<string> other) => AsHashSet().IsSupersetOf(other);
    public bool Overlaps(IEnumerable<string> other) => AsHashSet().Overlaps(other);
    public bool SetEquals(IEnumerable<string> other) => AsHashSet().SetEquals(other);
}
