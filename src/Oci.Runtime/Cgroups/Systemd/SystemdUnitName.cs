namespace Oci.Runtime.Cgroups.Systemd;

/// <summary>
/// Where the systemd cgroup driver puts a container: <c>linux.cgroupsPath</c> <c>slice:prefix:name</c> names the
/// transient scope <c>prefix-name.scope</c> in <c>slice</c> (runc's systemd driver). An absent path is
/// <c>system.slice:oci-run:ID</c>; an empty slice is <c>system.slice</c>.
/// </summary>
/// <param name="Slice">The slice the scope goes in (<c>kubepods-burstable.slice</c>).</param>
/// <param name="Unit">The scope's unit name (<c>cri-containerd-ID.scope</c>).</param>
internal sealed record SystemdUnitName(string Slice, string Unit)
{
    /// <summary>The default slice, as runc's.</summary>
    public const string DefaultSlice = "system.slice";

    /// <summary>Parses <c>linux.cgroupsPath</c> for the systemd driver.</summary>
    /// <exception cref="SpecValidationException">Not <c>slice:prefix:name</c>, or a part systemd would refuse.</exception>
    public static SystemdUnitName Parse(string? cgroupsPath, string containerId)
    {
        const string field = "linux.cgroupsPath";
        if (string.IsNullOrEmpty(cgroupsPath)) return new SystemdUnitName(DefaultSlice, $"oci-run-{containerId}.scope");
        var parts = cgroupsPath.Split(':');
        if (parts.Length != 3)
            throw new SpecValidationException(field,
                $"expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"{cgroupsPath}\" instead");
        string slice = parts[0].Length == 0 ? DefaultSlice : parts[0];
        ExpandSlice(slice);
        string name = parts[2];
        if (name.Length == 0) throw new SpecValidationException(field, $"\"{cgroupsPath}\": the name (after the second ':') is empty");
        if (name.EndsWith(".slice", StringComparison.Ordinal))
            throw new SpecValidationException(field, $"\"{cgroupsPath}\": a .slice as the container's unit is not supported; name a scope");
        string unit = (parts[1].Length == 0 ? name : parts[1] + "-" + name) + ".scope";
        if (!ValidUnitName(unit)) throw new SpecValidationException(field, $"\"{cgroupsPath}\": \"{unit}\" is not a valid systemd unit name");
        return new SystemdUnitName(slice, unit);
    }

    /// <summary>The cgroup of the scope below systemd's root: the slice's path, then the unit.</summary>
    public string CgroupPath => ExpandSlice(Slice).TrimEnd('/') + "/" + Unit;

    /// <summary>The cgroup path of a slice as systemd lays it out: each dash-separated prefix is a parent slice
    /// (<c>a-b.slice</c> is <c>/a.slice/a-b.slice</c>), and <c>-.slice</c> is the root (runc's ExpandSlice).</summary>
    /// <exception cref="SpecValidationException">Not a valid slice name.</exception>
    public static string ExpandSlice(string slice)
    {
        const string suffix = ".slice";
        if (slice.Length <= suffix.Length || !slice.EndsWith(suffix, StringComparison.Ordinal) || slice.Contains('/') ||
            !ValidUnitName(slice))
            throw new SpecValidationException("linux.cgroupsPath", $"invalid slice name: {slice}");
        string name = slice[..^suffix.Length];
        if (name == "-") return "/";
        var path = new System.Text.StringBuilder();
        string prefix = "";
        foreach (var component in name.Split('-'))
        {
            // a--b.slice and -a.slice are not slices systemd makes.
            if (component.Length == 0) throw new SpecValidationException("linux.cgroupsPath", $"invalid slice name: {slice}");
            path.Append('/').Append(prefix).Append(component).Append(suffix);
            prefix += component + "-";
        }
        return path.ToString();
    }

    /// <summary>systemd's unit name characters (unit_name_is_valid): ASCII letters, digits, and <c>:-_.\</c>, at
    /// most 255 bytes.</summary>
    static bool ValidUnitName(string unit) =>
        unit.Length is > 0 and <= 255 && unit.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or ':' or '-' or '_' or '.' or '\\');
}
