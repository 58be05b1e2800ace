namespace Oci.Runtime.Cgroups;

/// <summary>
/// runc's <c>exec --cgroup</c>: an exec'd process placed in a sub-cgroup of the container's cgroup instead of the
/// container's cgroup itself. Each value is <c>PATH</c> (every hierarchy; only one such value) or
/// <c>CONTROLLER[,CONTROLLER]:PATH</c> (those v1 controllers' hierarchies). PATH is relative to the container's
/// cgroup and must stay inside it.
/// </summary>
internal static class SubCgroups
{
    /// <summary>The container's cgroup <paramref name="paths"/> (keyed as <see cref="CgroupManager.Paths"/>) with the
    /// sub-cgroups of <paramref name="values"/> in place of the container's own.</summary>
    /// <exception cref="OciException">A value is malformed, names a controller the container has no hierarchy for
    /// (or any controller on a cgroup2-only host), names one twice, or leaves the container's cgroup.</exception>
    public static Dictionary<string, string> Resolve(IReadOnlyDictionary<string, string> paths, CgroupLayout layout,
        IReadOnlyList<string> values)
    {
        var result = new Dictionary<string, string>(paths);
        if (values.Count == 0) return result;
        var byController = new Dictionary<string, string>(StringComparer.Ordinal);
        string? everywhere = null;
        foreach (var value in values)
        {
            var parts = value.Split(':');
            if (parts.Length > 2) throw Invalid(value, "more than one ':'");
            if (parts.Length == 1)
            {
                if (values.Count != 1) throw Invalid(value, "with more than one --cgroup, each needs a CONTROLLER: prefix");
                everywhere = value;
                continue;
            }
            if (layout == CgroupLayout.Unified)
                throw Invalid(value, "a cgroup2 host has one hierarchy: give the sub-cgroup without a controller");
            foreach (var controller in parts[0].Split(','))
            {
                if (controller.Length == 0) throw Invalid(value, "empty controller name");
                if (!byController.TryAdd(controller, parts[1]))
                    throw Invalid(value, $"controller {controller} is given more than once");
            }
        }
        if (everywhere is not null)
        {
            foreach (var (key, dir) in paths) result[key] = Below(dir, everywhere);
            return result;
        }
        foreach (var (controller, sub) in byController)
        {
            // A v1 hierarchy can hold several controllers (cpu,cpuacct): it is found by any of them.
            var key = paths.Keys.FirstOrDefault(k => k.Length > 0 && k.Split(',').Contains(controller))
                      ?? throw Invalid($"{controller}:{sub}", $"the container has no cgroup for controller {controller}");
            string dir = Below(paths[key], sub);
            if (result[key] != paths[key] && result[key] != dir)
                throw Invalid($"{controller}:{sub}", $"controllers of one hierarchy ({key}) are given different sub-cgroups");
            result[key] = dir;
        }
        return result;
    }

    /// <summary><paramref name="sub"/> below the container's cgroup directory <paramref name="dir"/>; refused when
    /// ".." climbs out of it (the container's own cgroup, "/" or ".", is allowed).</summary>
    static string Below(string dir, string sub)
    {
        int depth = 0;
        var parts = new List<string>();
        foreach (var part in sub.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                if (depth == 0) throw Invalid(sub, "not a sub-cgroup of the container's cgroup");
                depth--;
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            depth++;
            parts.Add(part);
        }
        return parts.Count == 0 ? dir : dir.TrimEnd('/') + "/" + string.Join('/', parts);
    }

    static OciException Invalid(string value, string why) => new($"--cgroup \"{value}\": {why}");
}
