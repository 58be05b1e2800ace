using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>The container configuration of a bundle's <c>config.json</c> (runtime-spec config.md).</summary>
public sealed class RuntimeSpec
{
    /// <summary>The runtime-spec version the bundle complies with (SemVer 2.0.0).</summary>
    [JsonPropertyName("ociVersion"), JsonRequired] public string OciVersion { get; set; } = "";
    /// <summary>The root filesystem of the container.</summary>
    [JsonPropertyName("root")] public Root? Root { get; set; }
    /// <summary>Additional mounts beyond <see cref="Root"/>.</summary>
    [JsonPropertyName("mounts")] public List<Mount>? Mounts { get; set; }
    /// <summary>The container process.</summary>
    [JsonPropertyName("process")] public Process? Process { get; set; }
    /// <summary>The container's hostname as seen by processes in its UTS namespace.</summary>
    [JsonPropertyName("hostname")] public string? Hostname { get; set; }
    /// <summary>The container's NIS domain name.</summary>
    [JsonPropertyName("domainname")] public string? Domainname { get; set; }
    /// <summary>Lifecycle hooks.</summary>
    [JsonPropertyName("hooks")] public Hooks? Hooks { get; set; }
    /// <summary>Arbitrary metadata.</summary>
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    /// <summary>Linux-specific configuration.</summary>
    [JsonPropertyName("linux")] public Linux? Linux { get; set; }
    /// <summary>Fields of other platforms (windows, solaris, vm, zos, freebsd) and unknown fields, kept so that a
    /// config round-trips unchanged.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}
