using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>The container's root filesystem (config.md "Root").</summary>
public sealed class Root
{
    /// <summary>Path to the root filesystem, absolute or relative to the bundle.</summary>
    [JsonPropertyName("path"), JsonRequired] public string Path { get; set; } = "";
    /// <summary>Whether the root filesystem is read-only inside the container.</summary>
    [JsonPropertyName("readonly")] public bool? Readonly { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}
