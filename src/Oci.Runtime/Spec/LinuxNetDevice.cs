using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>A host network device moved into the container's network namespace (config-linux.md
/// "Network Devices"). The key of <see cref="Linux.NetDevices"/> is the device's name on the host.</summary>
public sealed class LinuxNetDevice
{
    /// <summary>Name of the device inside the container; the host name when absent.</summary>
    [JsonPropertyName("name")] public string? Name { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}
