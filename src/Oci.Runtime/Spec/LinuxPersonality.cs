using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>The execution domain of the container (config-linux.md "Personality", personality(2)).</summary>
public sealed class LinuxPersonality
{
    /// <summary>The execution domain: <c>LINUX</c> or <c>LINUX32</c>.</summary>
    [JsonPropertyName("domain"), JsonRequired] public string Domain { get; set; } = "";
    /// <summary>Additional personality flags; the spec currently defines none.</summary>
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}
