using Oci.Runtime.Cgroups;
using Xunit;

namespace Oci.Runtime.Tests.Cgroups;

/// <summary><see cref="CgroupManager.Plan"/> settles what <c>create</c> records before it makes any cgroup.</summary>
public sealed class CgroupPlanTests
{
    [Fact]
    public void Plan_names_the_existing_cgroups_and_the_parents_to_make_and_makes_nothing()
    {
        string root = Path.Combine(Path.GetTempPath(), "oci-run-plan-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "memory", "a"));
            Directory.CreateDirectory(Path.Combine(root, "pids", "a", "b", "c"));
            var manager = new CgroupManager(new Dictionary<string, string>
            {
                ["memory"] = Path.Combine(root, "memory", "a", "b", "c"),
                ["pids"] = Path.Combine(root, "pids", "a", "b", "c"),
            }, CgroupLayout.V1);

            manager.Plan();

            Assert.Equal([Path.Combine(root, "pids", "a", "b", "c")], manager.Joined);
            Assert.Equal([Path.Combine(root, "memory", "a", "b")], manager.CreatedParents);
            Assert.False(Directory.Exists(Path.Combine(root, "memory", "a", "b")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
