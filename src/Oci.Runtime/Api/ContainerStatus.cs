namespace Oci.Runtime;

/// <summary>The status of a container (runtime.md "State"), plus runc's <c>paused</c>.</summary>
public enum ContainerStatus
{
    /// <summary>The container is being created.</summary>
    Creating,
    /// <summary>Created: the user's process has not run yet.</summary>
    Created,
    /// <summary>The user's process runs.</summary>
    Running,
    /// <summary>The container's processes are frozen.</summary>
    Paused,
    /// <summary>The user's process has exited.</summary>
    Stopped,
}

/// <summary>Conversions of <see cref="ContainerStatus"/> to the words of state.json.</summary>
internal static class ContainerStatusNames
{
    /// <summary>The status as state.json spells it.</summary>
    public static string ToSpecString(this ContainerStatus status) => status switch
    {
        ContainerStatus.Creating => "creating",
        ContainerStatus.Created => "created",
        ContainerStatus.Running => "running",
        ContainerStatus.Paused => "paused",
        _ => "stopped",
    };

    /// <summary>The status that state.json's word names (the inverse of <see cref="ToSpecString"/>).</summary>
    internal static ContainerStatus FromSpecString(string status) => status switch
    {
        "creating" => ContainerStatus.Creating,
        "created" => ContainerStatus.Created,
        "running" => ContainerStatus.Running,
        "paused" => ContainerStatus.Paused,
        _ => ContainerStatus.Stopped,
    };
}
