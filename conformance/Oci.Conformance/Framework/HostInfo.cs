using System.Globalization;
using System.Text.Json.Nodes;

namespace Oci.Conformance.Framework;

public enum CgroupLayout { None, V1, Hybrid, V2 }

/// <summary>Where a container's cgroup for one controller lives on the host.</summary>
public sealed record CgroupLocation(int Version, string Dir, string Path);

/// <summary>Facts about the host and the runtime, gathered once before the checks run.</summary>
public sealed class HostInfo
{
    public CgroupLayout Layout { get; private set; }
    /// <summary>v1 controller name → (mount point, mount root).</summary>
    public Dictionary<string, (string MountPoint, string Root)> V1 { get; } = new();
    public string? V2MountPoint { get; private set; }
    public string V2Root { get; private set; } = "/";
    public HashSet<string> V2Controllers { get; } = new();
    public ulong CapBnd { get; private set; }
    public Dictionary<string, (ulong Soft, ulong Hard)> Limits { get; private set; } = new();
    public JsonObject? Features { get; private set; }
    public string FeaturesError { get; private set; } = "";
    public string KernelRelease { get; private set; } = "";
    public bool AppArmor { get; private set; }
    public bool SELinux { get; private set; }

    public static HostInfo Detect(RuntimeDriver driver)
    {
        var h = new HostInfo();
        foreach (var m in Host.MountTable())
        {
            if (m.FsType == "cgroup")
            {
                foreach (var opt in m.SuperOptions.Split(','))
                {
                    if (opt is "rw" or "ro" || opt.StartsWith("release_agent", StringComparison.Ordinal) ||
                        opt is "clone_children" or "noprefix" or "xattr" || opt.StartsWith("cpuset_v2", StringComparison.Ordinal)) continue;
                    h.V1.TryAdd(opt, (m.MountPoint, m.Root));
                }
            }
            else if (m.FsType == "cgroup2" && (h.V2MountPoint is null || m.MountPoint == "/sys/fs/cgroup"))
            {
                h.V2MountPoint = m.MountPoint;
                h.V2Root = m.Root;
            }
        }
        if (h.V2MountPoint is not null)
            foreach (var c in Host.Read(Path.Combine(h.V2MountPoint, "cgroup.controllers")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                h.V2Controllers.Add(c);
        h.Layout = h.V1.Count > 0 ? (h.V2MountPoint is null ? CgroupLayout.V1 : CgroupLayout.Hybrid)
                 : h.V2MountPoint is not null ? CgroupLayout.V2 : CgroupLayout.None;
        h.CapBnd = ulong.Parse(Host.StatusField("self", "CapBnd") ?? "0", NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        h.Limits = Host.Limits(Host.Read("/proc/self/limits"));
        h.KernelRelease = Host.Read("/proc/sys/kernel/osrelease").Trim();
        h.AppArmor = Host.Read("/sys/module/apparmor/parameters/enabled").Trim() == "Y";
        h.SELinux = Directory.Exists("/sys/fs/selinux") && File.Exists("/sys/fs/selinux/enforce");

        var r = driver.Run(["features"]);
        if (r.Ok)
        {
            try { h.Features = JsonNode.Parse(r.Stdout) as JsonObject; if (h.Features is null) h.FeaturesError = "features output is not a JSON object"; }
            catch (System.Text.Json.JsonException e) { h.FeaturesError = "features output is not valid JSON: " + e.Message; }
        }
        else h.FeaturesError = r.Brief;
        h.FeaturesRaw = r.Stdout;
        return h;
    }

    public string FeaturesRaw { get; private set; } = "";

    /// <summary>One line: kernel, cgroup layout and controllers, security modules.</summary>
    public string Describe() =>
        $"kernel: {KernelRelease}; cgroup layout: {Layout}" +
        (V1.Count > 0 ? $"; v1 controllers: {string.Join(',', V1.Keys.Order())}" : "") +
        (V2MountPoint is not null ? $"; v2 at {V2MountPoint} controllers: [{string.Join(',', V2Controllers.Order())}]" : "") +
        $"; AppArmor: {(AppArmor ? "yes" : "no")}; SELinux: {(SELinux ? "yes" : "no")}";
    public bool FeaturesCommandWorks => FeaturesRaw.Length > 0 && FeaturesError.Length == 0 || Features is not null;

    public bool HasCap(int bit) => (CapBnd & (1UL << bit)) != 0;

    /// <summary>Is the controller usable for verification (v1 mounted, or enabled at the v2 root)?</summary>
    public bool HasController(string controller) =>
        V1.ContainsKey(controller) || V2Controllers.Contains(controller);

    /// <summary>Skips the calling check if the runtime's features document says it lacks something.</summary>
    public void RequireFeature(Func<JsonObject, bool?> probe, string what)
    {
        if (Features is null) return; // unknown: run the check and let it fail honestly if unsupported
        var has = probe(Features);
        if (has == false) throw new CheckSkippedException($"runtime's features document does not list {what}");
    }

    public bool? FeatureListContains(string path, string value)
    {
        JsonNode? n = Features;
        foreach (var part in path.Split('.')) n = n?[part];
        if (n is not JsonArray a) return null;
        return a.Any(x => x?.GetValue<string>() == value);
    }

    /// <summary>
    /// Finds the cgroup directory of a process for a controller: the v1 hierarchy of that controller if mounted,
    /// else the unified hierarchy. Returns null if the controller cannot be found.
    /// </summary>
    public CgroupLocation? CgroupOf(int pid, string controller)
    {
        var lines = Host.Read($"/proc/{pid}/cgroup").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (V1.TryGetValue(controller, out var mp))
        {
            foreach (var line in lines)
            {
                var parts = line.Split(':', 3);
                if (parts.Length == 3 && parts[1].Split(',').Contains(controller))
                    return new CgroupLocation(1, Join(mp.MountPoint, mp.Root, parts[2]), parts[2]);
            }
            return null;
        }
        if (V2MountPoint is not null)
        {
            foreach (var line in lines)
            {
                var parts = line.Split(':', 3);
                if (parts.Length == 3 && parts[0] == "0" && parts[1].Length == 0)
                    return new CgroupLocation(2, Join(V2MountPoint, V2Root, parts[2]), parts[2]);
            }
        }
        return null;
    }

    private static string Join(string mountPoint, string root, string cgPath)
    {
        string rel = cgPath;
        if (root != "/" && rel.StartsWith(root, StringComparison.Ordinal)) rel = rel[root.Length..];
        return mountPoint.TrimEnd('/') + "/" + rel.TrimStart('/');
    }
}
