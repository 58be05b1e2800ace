using Oci.Runtime.Cgroups;
using Oci.Runtime.Tests.Integration.ContainerEnvironment;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Parity;

/// <summary>runc's handling of a container's cgroups beyond resources: a cgroup that exists before create (frozen,
/// occupied, left behind) and exec into a sub-cgroup.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class CgroupParityTests
{
    static readonly CgroupMounts Mounts = CgroupMounts.Read();

    /// <summary>The directory of cgroup <paramref name="cgroup"/> in every hierarchy of this host.</summary>
    static List<string> Everywhere(string cgroup) =>
        Mounts.Hierarchies.Select(m => m.MountPoint.TrimEnd('/') + "/" + cgroup.Trim('/')).ToList();

    static void RemoveEverywhere(string cgroup)
    {
        foreach (var dir in Everywhere(cgroup).Where(Directory.Exists).OrderByDescending(d => d.Length))
        {
            foreach (var child in Directory.GetDirectories(dir, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
                Directory.Delete(child);
            Directory.Delete(dir);
        }
    }

    static Oci.Runtime.Spec.RuntimeSpec Sleeper(string cgroupsPath)
    {
        var spec = OciRunHarness.NewSpec("sleep", "1000");
        spec.Linux!.CgroupsPath = cgroupsPath;
        return spec;
    }

    [ContainerFact]
    public void Create_in_a_frozen_cgroup_is_refused_instead_of_hanging()
    {
        string cgroup = "oci-run-frozen-" + Guid.NewGuid().ToString("N")[..8];
        string freezer = Mounts.Layout == CgroupLayout.Unified
            ? Everywhere(cgroup)[0]
            : Mounts.Hierarchies.First(m => m.Controllers.Contains("freezer")).MountPoint + "/" + cgroup;
        Directory.CreateDirectory(freezer);
        try
        {
            if (Mounts.Layout == CgroupLayout.Unified) File.WriteAllText(Path.Combine(freezer, "cgroup.freeze"), "1");
            else File.WriteAllText(Path.Combine(freezer, "freezer.state"), "FROZEN");
            using var h = new OciRunHarness();
            string id = h.NewId();
            var create = h.Run("create", "--bundle", h.WriteBundle(Sleeper("/" + cgroup)), id);
            Assert.NotEqual(0, create.ExitCode);
            Assert.Contains("container's cgroup unexpectedly frozen", create.Stderr);
            Assert.Empty(h.LeftoverState());
        }
        finally
        {
            if (Mounts.Layout == CgroupLayout.Unified) File.WriteAllText(Path.Combine(freezer, "cgroup.freeze"), "0");
            else File.WriteAllText(Path.Combine(freezer, "freezer.state"), "THAWED");
            RemoveEverywhere(cgroup);
        }
    }

    [ContainerFact]
    public void Delete_removes_a_cgroup_that_existed_before_create_and_create_warns_when_it_is_occupied()
    {
        string cgroup = "oci-run-existing-" + Guid.NewGuid().ToString("N")[..8];
        var dirs = Everywhere(cgroup);
        foreach (var dir in dirs) Directory.CreateDirectory(dir);
        System.Diagnostics.Process? squatter = null;
        try
        {
            using var h = new OciRunHarness();
            // Empty: joined without a warning, and removed by delete in every hierarchy, as runc does.
            string id = Env.Create(h, Sleeper("/" + cgroup));
            Assert.Equal(0, h.Run("delete", "--force", id).ExitCode);
            Assert.All(dirs, dir => Assert.False(Directory.Exists(dir), $"{dir} is left"));

            // Occupied by a process that is not the container's: a warning, and delete leaves it in place.
            foreach (var dir in dirs) Directory.CreateDirectory(dir);
            squatter = System.Diagnostics.Process.Start("sleep", "1000");
            // In the hierarchy whose processes count (pids on v1, the only one on v2); a new v1 cpuset cgroup could
            // not take it before the runtime gives it CPUs.
            var counted = Mounts.Layout == CgroupLayout.Unified
                ? dirs[0]
                : Mounts.Hierarchies.First(m => m.Controllers.Contains("pids")).MountPoint + "/" + cgroup;
            File.WriteAllText(Path.Combine(counted, "cgroup.procs"), squatter.Id.ToString());
            id = h.NewId();
            var create = h.Run("create", "--bundle", h.WriteBundle(Sleeper("/" + cgroup)), id);
            Assert.True(create.ExitCode == 0, create.ToString());
            Assert.Contains("container's cgroup is not empty: 1 process(es) found", create.Stderr);
            var delete = h.Run("delete", "--force", id);
            Assert.True(delete.ExitCode == 0, delete.ToString());
            Assert.False(squatter.HasExited);
            Assert.True(Directory.Exists(counted));
            Assert.Contains("left in place", delete.Stderr);
            Assert.Empty(h.LeftoverState());
        }
        finally
        {
            if (squatter is not null)
            {
                squatter.Kill();
                squatter.WaitForExit();
            }
            OciRunHarness.Eventually(() =>
            {
                try { RemoveEverywhere(cgroup); return true; }
                catch (IOException) { return false; }
            });
        }
    }

    [ContainerFact]
    public void Exec_runs_in_an_existing_sub_cgroup_and_never_outside_the_containers()
    {
        using var h = new OciRunHarness();
        string id = Env.Create(h, OciRunHarness.NewSpec("sleep", "1000"));
        Assert.Equal(0, h.Run("start", id).ExitCode);
        var subs = Everywhere(id + "/sub");
        foreach (var dir in subs) Directory.CreateDirectory(dir);
        if (Mounts.Hierarchies.FirstOrDefault(m => m.Controllers.Contains("cpuset")) is { } cpuset)
        {
            // A new v1 cpuset cgroup has no CPUs until given some.
            string sub = cpuset.MountPoint + "/" + id + "/sub";
            File.WriteAllText(Path.Combine(sub, "cpuset.cpus"), File.ReadAllText(Path.Combine(cpuset.MountPoint, id, "cpuset.cpus")));
            File.WriteAllText(Path.Combine(sub, "cpuset.mems"), File.ReadAllText(Path.Combine(cpuset.MountPoint, id, "cpuset.mems")));
        }

        // The container has its own cgroup namespace: its cgroup is "/" to it, the sub-cgroup "/sub".
        var all = h.Run("exec", "--cgroup", "sub", id, "cat", "/proc/self/cgroup");
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.All(all.Stdout.Trim().Split('\n'), line => Assert.EndsWith(":/sub", line));

        if (Mounts.Layout != CgroupLayout.Unified)
        {
            var one = h.Run("exec", "--cgroup", "pids:sub", id, "cat", "/proc/self/cgroup");
            Assert.True(one.ExitCode == 0, one.ToString());
            var lines = one.Stdout.Trim().Split('\n');
            Assert.EndsWith(":/sub", lines.Single(l => l.Split(':')[1] == "pids"));
            Assert.All(lines.Where(l => l.Split(':')[1] != "pids"), line => Assert.EndsWith(":/", line));
        }

        foreach (var outside in new[] { "..", "../" + id + "-other", "sub/../.." })
        {
            var refused = h.Run("exec", "--cgroup", outside, id, "true");
            Assert.Equal(255, refused.ExitCode);
            Assert.Contains("not a sub-cgroup", refused.Stderr);
        }
        var missing = h.Run("exec", "--cgroup", "nope", id, "true");
        Assert.Equal(255, missing.ExitCode);
        Assert.Contains("does not exist", missing.Stderr);
    }
}
