using Oci.Runtime.Lifecycle;
using Oci.Runtime.Spec;

namespace Oci.Runtime;

/// <summary>A container's state (runtime.md "State", with runc's <c>rootfs</c>, <c>created</c> and
/// <c>owner</c>).</summary>
public sealed record ContainerState
{
    /// <summary>The container's id.</summary>
    public required string Id { get; init; }

    /// <summary>Its status now.</summary>
    public required ContainerStatus Status { get; init; }

    /// <summary>The init's pid in the runtime's PID namespace; 0 once it has stopped.</summary>
    public int Pid { get; init; }

    /// <summary>Absolute path of the bundle.</summary>
    public required string Bundle { get; init; }

    /// <summary>Absolute path of the root filesystem.</summary>
    public string? Rootfs { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>The user who created it.</summary>
    public string? Owner { get; init; }

    /// <summary>The config's annotations.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    internal static ContainerState From(ContainerStateDocument document) => new()
    {
        Id = document.Id,
        Status = ContainerStatusNames.FromSpecString(document.Status),
        Pid = document.Pid ?? 0,
        Bundle = document.Bundle,
        Rootfs = document.Rootfs,
        Created = DateTimeOffset.TryParse(document.Created, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var created) ? created : null,
        Owner = document.Owner,
        Annotations = document.Annotations ?? new Dictionary<string, string>(),
    };
}
