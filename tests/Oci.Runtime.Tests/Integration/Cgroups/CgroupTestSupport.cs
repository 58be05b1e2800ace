using Oci.Runtime.Spec;

namespace Oci.Runtime.Tests.Integration.Cgroups;

/// <summary>Where this host keeps cgroups, and checks that a container left none behind.</summary>
internal static class CgroupHost
{
    public const string Root = "/sys/fs/cgroup";

    /// <summary>The container's directory in a v1 controller's hierarchy (or "unified" for the hybrid cgroup2 one).</summary>
    public static string Dir(string hierarchy, string cgroup) => Path.Combine(Root, hierarchy, cgroup.TrimStart('/'));

    public static string Read(string hierarchy, string cgroup, string file) =>
        File.ReadAllText(Path.Combine(Dir(hierarchy, cgroup), file)).Trim();

    /// <summary>Every directory of <paramref name="cgroup"/> left in any mounted hierarchy of this host (v1 ones and
    /// the cgroup2 one, which also holds what was made through a private cgroup2 mount).</summary>
    public static List<string> Leftovers(string cgroup) =>
        Directory.GetDirectories(Root).Select(h => Path.Combine(h, cgroup.TrimStart('/'))).Where(Directory.Exists).ToList();

    /// <summary>A spec that can make device nodes (to test device rules on nodes the container makes itself).</summary>
    public static RuntimeSpec WithMknod(RuntimeSpec spec)
    {
        var caps = spec.Process!.Capabilities!;
        foreach (var set in new[] { caps.Bounding, caps.Effective, caps.Permitted })
            set?.Add("CAP_MKNOD");
        return spec;
    }

    public static LinuxResources Resources(RuntimeSpec spec) => spec.Linux!.Resources ??= new LinuxResources();

    /// <summary>/dev/fuse (10:229): a character device any process may open for reading or writing, and that no
    /// default device rule allows.</summary>
    public const int FuseMajor = 10, FuseMinor = 229;

    /// <summary>The container's shell script: make the fuse node, try opening it for reading and writing, and
    /// /dev/null, printing what worked.</summary>
    public const string DeviceProbe =
        "mknod /dev/probe c 10 229; (exec 3</dev/probe) && echo read-ok; (exec 4>/dev/probe) && echo write-ok; (exec 5</dev/null) && echo null-ok; true";
}

/// <summary>
/// Runs oci-run on a pure cgroup2 host: each command in a new mount namespace whose /sys/fs/cgroup is the cgroup2
/// hierarchy (`unshare -m`, the v1 tmpfs unmounted, cgroup2 mounted there). The cgroup2 hierarchy is the host's
/// own, so what oci-run makes there shows under /sys/fs/cgroup/unified outside. Its only free controller on this
/// host is hugetlb; freezing, cgroup.kill and device programs work for real.
/// </summary>
internal sealed class Cgroup2Runtime : IDisposable
{
    readonly OciRunHarness harness;
    readonly string root;
    readonly List<string> ids = [];

    public Cgroup2Runtime(OciRunHarness harness)
    {
        this.harness = harness;
        root = Path.Combine(harness.Root, "state-v2");
    }

    /// <summary>Whether this host has a cgroup2 hierarchy to mount.</summary>
    public static bool Available => File.Exists("/sys/fs/cgroup/unified/cgroup.controllers") || File.Exists("/sys/fs/cgroup/cgroup.controllers");

    public string NewId() => Track(harness.NewId("v2"));

    string Track(string id)
    {
        ids.Add(id);
        return id;
    }

    public CommandResult Run(params string[] args) => RunWithInput(null, args);

    public CommandResult RunWithInput(string? stdin, params string[] args) =>
        harness.RunThrough(
            ["unshare", "-m", "sh", "-c",
             "mount --make-rprivate / && umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec \"$@\"", "sh"],
            ["--root", root], args, stdin);

    public string Create(RuntimeSpec spec, string? id = null)
    {
        id = id is null ? NewId() : Track(id);
        var result = Run("create", "--bundle", harness.WriteBundle(spec), id);
        if (result.ExitCode != 0) throw new Xunit.Sdk.XunitException($"create {id} on cgroup2 failed: {result}");
        return id;
    }

    public CommandResult RunContainer(RuntimeSpec spec, string? id = null)
    {
        id = id is null ? NewId() : Track(id);
        return Run("run", "--bundle", harness.WriteBundle(spec), id);
    }

    public string Status(string id)
    {
        var result = Run("state", id);
        if (result.ExitCode != 0) throw new Xunit.Sdk.XunitException($"state {id} failed: {result}");
        // Plain JSON: the spec's state schema knows no "paused", which runc and oci-run report.
        return (string)System.Text.Json.Nodes.JsonNode.Parse(result.Stdout)!["status"]!;
    }

    public void Dispose()
    {
        foreach (var id in ids)
            if (Directory.Exists(Path.Combine(root, id))) Run("delete", "--force", id);
    }
}
