using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>The state of a container as the <c>state</c> operation reports it (runtime.md "State"), with the
/// fields runc adds (<c>rootfs</c>, <c>created</c>, <c>owner</c>). This is also the document hooks receive on
/// their standard input.</summary>
public sealed class ContainerStateDocument
{
    /// <summary>The runtime-spec version the state complies with.</summary>
    [JsonPropertyName("ociVersion"), JsonRequired] public string OciVersion { get; set; } = SpecNames.OciVersion;
    /// <summary>The container's id.</summary>
    [JsonPropertyName("id"), JsonRequired] public string Id { get; set; } = "";
    /// <summary>The container's status: creating, created, running or stopped.</summary>
    [JsonPropertyName("status"), JsonRequired] public string Status { get; set; } = "";
    /// <summary>Host pid of the container process; required on Linux when the status is created or running.</summary>
    [JsonPropertyName("pid")] public int? Pid { get; set; }
    /// <summary>Absolute path of the container's bundle directory.</summary>
    [JsonPropertyName("bundle"), JsonRequired] public string Bundle { get; set; } = "";
    /// <summary>The container's annotations from its config.</summary>
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    /// <summary>Absolute path of the container's root filesystem (runc extension).</summary>
    [JsonPropertyName("rootfs")] public string? Rootfs { get; set; }
    /// <summary>Creation time as an RFC 3339 timestamp with nanoseconds, such as
    /// <c>2024-01-02T03:04:05.123456789Z</c> (runc extension).</summary>
    [JsonPropertyName("created")] public string? Created { get; set; }
    /// <summary>Name of the user who owns the container (runc extension; empty when run by root).</summary>
    [JsonPropertyName("owner")] public string? Owner { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}
