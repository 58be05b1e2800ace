using System.Text.Json.Serialization;

namespace Oci.Runtime.Lifecycle;

/// <summary>The state of a container as runtime.md defines it, with runc's additions (<c>rootfs</c>, <c>created</c>,
/// <c>owner</c>). This is what <c>state</c> prints and what hooks read on their standard input.</summary>
public sealed class ContainerState
{
    /// <summary>The runtime-spec version of this state document.</summary>
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = "";
    /// <summary>The container's id.</summary>
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    /// <summary>pid of the container's process on the host; 0 when stopped.</summary>
    [JsonPropertyName("pid")] public int Pid { get; set; }
    /// <summary>creating, created, running, paused or stopped.</summary>
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    /// <summary>Absolute path of the bundle.</summary>
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    /// <summary>Absolute path of the root filesystem.</summary>
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    /// <summary>Creation time, RFC 3339.</summary>
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
    /// <summary>The owner of the container.</summary>
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
    /// <summary>The config's annotations.</summary>
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}
