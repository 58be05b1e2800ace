namespace Oci.Runtime;

/// <summary>Paths taken apart by their text alone, for places where the filesystem must not be asked yet (a
/// container's root) or at all (cgroup paths).</summary>
internal static class LexicalPath
{
    /// <summary>Splits a path lexically as if it were absolute: "." is dropped and ".." never climbs above the
    /// root.</summary>
    public static List<string> Components(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return parts;
    }
}
