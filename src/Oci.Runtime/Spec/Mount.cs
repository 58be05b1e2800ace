using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>One entry of <c>mounts</c> (config.md "Mounts").</summary>
public sealed class Mount
{
    /// <summary>Absolute path of the mount point inside the container.</summary>
    [JsonPropertyName("destination"), JsonRequired] public string Destination { get; set; } = "";
    /// <summary>Filesystem type, as for mount(2); absent for bind mounts.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    /// <summary>Device name, directory (bind mounts) or a dummy such as the filesystem type.</summary>
    [JsonPropertyName("source")] public string? Source { get; set; }
    /// <summary>Mount options: flags runc knows and data options passed to the filesystem.</summary>
    [JsonPropertyName("options")] public List<string>? Options { get; set; }
    /// <summary>User id mappings of an id-mapped mount.</summary>
    [JsonPropertyName("uidMappings")] public List<LinuxIdMapping>? UidMappings { get; set; }
    /// <summary>Group id mappings of an id-mapped mount.</summary>
    [JsonPropertyName("gidMappings")] public List<LinuxIdMapping>? GidMappings { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}
