using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>NUMA memory policy of the container (config-linux.md "Memory policy", set_mempolicy(2)).</summary>
public sealed class LinuxMemoryPolicy
{
    /// <summary>Policy mode, such as <c>MPOL_INTERLEAVE</c>.</summary>
    [JsonPropertyName("mode"), JsonRequired] public string Mode { get; set; } = "";
    /// <summary>Memory node list, such as <c>0-3,7</c>.</summary>
    [JsonPropertyName("nodes")] public string? Nodes { get; set; }
    /// <summary>Mode flags, such as <c>MPOL_F_STATIC_NODES</c>.</summary>
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}
