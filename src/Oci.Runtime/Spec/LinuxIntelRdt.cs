using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>Intel Resource Director Technology settings (config-linux.md "IntelRdt").</summary>
public sealed class LinuxIntelRdt
{
    /// <summary>Class of service: the resctrl sub-directory; <c>/</c> for the default CLOS; absent to use the
    /// container id.</summary>
    [JsonPropertyName("closID")] public string? ClosId { get; set; }
    /// <summary>Lines written to the resctrl <c>schemata</c> file, after the L3 and MB schemas.</summary>
    [JsonPropertyName("schemata")] public List<string>? Schemata { get; set; }
    /// <summary>L3 cache schema, such as <c>L3:0=7f0;1=1f</c>.</summary>
    [JsonPropertyName("l3CacheSchema")] public string? L3CacheSchema { get; set; }
    /// <summary>Memory bandwidth schema; must start with <c>MB:</c> and contain no newline.</summary>
    [JsonPropertyName("memBwSchema")] public string? MemBwSchema { get; set; }
    /// <summary>Creates a resctrl MON group for the container.</summary>
    [JsonPropertyName("enableMonitoring")] public bool? EnableMonitoring { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}
