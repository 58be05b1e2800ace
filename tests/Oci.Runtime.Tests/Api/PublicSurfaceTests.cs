using System.Reflection;
using System.Runtime.CompilerServices;
using Oci.Runtime.Lifecycle;
using Xunit;

namespace Oci.Runtime.Tests.Api;

/// <summary>
/// The library's surface is deliberate (issue 12): the container handle, its options and results, the spec model and
/// its builder, the exceptions and the runtime-wide <see cref="ContainerRuntime"/> — nothing of the state store,
/// cgroup management, seccomp, interop, the executor or JSON plumbing — and oci-run builds on it without seeing
/// internals. PublicAPI.Shipped.txt records every member; this names the rule it follows.
/// </summary>
public sealed class PublicSurfaceTests
{
    static readonly Assembly Library = typeof(Container).Assembly;

    /// <summary>Namespaces that hold only the runtime's own machinery.</summary>
    static readonly string[] InternalNamespaces =
    [
        "Oci.Runtime.State", "Oci.Runtime.Interop", "Oci.Runtime.Seccomp", "Oci.Runtime.Executor", "Oci.Runtime.Init",
        "Oci.Runtime.Namespaces", "Oci.Runtime.Rootfs", "Oci.Runtime.Checkpoint", "Oci.Runtime.Cgroups.Systemd",
    ];

    /// <summary>What Oci.Runtime.Cgroups shows: the statistics and events a container reports, and the error that
    /// names the resource a cgroup refused.</summary>
    static readonly string[] CgroupResults =
    [
        "BlkioEntry", "BlkioStats", "CgroupResourceException", "CgroupStats", "ContainerEvent", "CpuStats", "CpuUsage",
        "CpusetStats", "HugetlbStats", "IntelRdtStats", "MemoryEntry", "MemoryStats", "PidsStats", "Throttling",
    ];

    [Fact]
    public void No_type_of_the_runtimes_machinery_is_public()
    {
        var exported = Library.GetExportedTypes();
        Assert.Empty(exported.Where(t => InternalNamespaces.Any(n => t.Namespace == n || t.Namespace!.StartsWith(n + ".", StringComparison.Ordinal)))
            .Select(t => t.FullName));
        Assert.Equal(CgroupResults, exported.Where(t => t.Namespace == "Oci.Runtime.Cgroups").Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Only_the_tests_see_the_librarys_internals()
    {
        var friends = Library.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName);
        Assert.Equal(["Oci.Runtime.Tests"], friends);
    }

    [Fact]
    public void Verbs_take_options_objects_not_positional_booleans()
    {
        // The types whose methods act on containers (a builder's fluent setters, such as ReadOnlyRoot(bool), are
        // not verbs).
        var withBooleans = new[] { typeof(Container), typeof(ContainerProcess), typeof(ContainerRuntime) }
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName && m.GetParameters().Any(p => p.ParameterType == typeof(bool)))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}");
        Assert.Empty(withBooleans);
    }
}

/// <summary><see cref="ContainerRuntime"/>'s options: each verb honours all of its options or refuses them.</summary>
public sealed class ContainerRuntimeOptionsTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("oci-run-options-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Create_refuses_runs_options_instead_of_ignoring_them()
    {
        var runtime = new ContainerRuntime(new RuntimeOptions { Root = root });
        var e = Assert.Throws<ArgumentException>(() => runtime.Create("c", root, new RunOptions { Detach = true }));
        Assert.Contains("RunOptions", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
    }
}
