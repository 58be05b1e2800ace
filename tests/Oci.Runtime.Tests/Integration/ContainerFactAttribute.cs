using Xunit;

namespace Oci.Runtime.Tests.Integration;

/// <summary>A test that runs real containers: it needs root and a static busybox for its rootfs, and skips itself
/// with the reason when the host lacks either.</summary>
public sealed class ContainerFactAttribute : FactAttribute
{
    public ContainerFactAttribute()
    {
        if (HostRequirements.MissingForContainers() is { } reason) Skip = reason;
    }
}

/// <summary>A container test that needs more than root and busybox.</summary>
public sealed class ContainerTheoryAttribute : TheoryAttribute
{
    public ContainerTheoryAttribute()
    {
        if (HostRequirements.MissingForContainers() is { } reason) Skip = reason;
    }
}

/// <summary>A container test that traces oci-run with strace (<see cref="OciRunHarness.RunTraced"/>).</summary>
public sealed class StraceTheoryAttribute : TheoryAttribute
{
    public StraceTheoryAttribute()
    {
        if (HostRequirements.MissingForContainers() is { } reason) Skip = reason;
        else if (!File.Exists("/usr/bin/strace") && !File.Exists("/bin/strace")) Skip = "no strace (apt-get install strace)";
    }
}

/// <summary>What the host offers for integration tests.</summary>
public static class HostRequirements
{
    /// <summary>Why containers cannot run here, or null.</summary>
    public static string? MissingForContainers()
    {
        if (Environment.UserName != "root" && Interop.Sys.GetUid() != 0) return "integration tests run containers and need root";
        if (BusyboxRootfs.FindBusybox() is null) return "no static busybox for the test rootfs (apt-get install busybox-static)";
        return null;
    }
}
