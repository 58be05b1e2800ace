using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>Lifecycle hooks (config.md "POSIX-platform Hooks").</summary>
public sealed class Hooks
{
    /// <summary>Deprecated: run in the runtime namespace after the container's namespaces exist.</summary>
    [JsonPropertyName("prestart")] public List<Hook>? Prestart { get; set; }
    /// <summary>Run in the runtime namespace during create, after the namespaces exist, before pivot_root.</summary>
    [JsonPropertyName("createRuntime")] public List<Hook>? CreateRuntime { get; set; }
    /// <summary>Run in the container namespace during create, before pivot_root.</summary>
    [JsonPropertyName("createContainer")] public List<Hook>? CreateContainer { get; set; }
    /// <summary>Run in the container namespace at start, before the user's process.</summary>
    [JsonPropertyName("startContainer")] public List<Hook>? StartContainer { get; set; }
    /// <summary>Run in the runtime namespace after the user's process started.</summary>
    [JsonPropertyName("poststart")] public List<Hook>? Poststart { get; set; }
    /// <summary>Run in the runtime namespace after the container is deleted.</summary>
    [JsonPropertyName("poststop")] public List<Hook>? Poststop { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>One hook: a program run with the container's state on its standard input.</summary>
public sealed class Hook
{
    /// <summary>Absolute path of the program.</summary>
    [JsonPropertyName("path"), JsonRequired] public string Path { get; set; } = "";
    /// <summary>Arguments, including argv[0].</summary>
    [JsonPropertyName("args")] public List<string>? Args { get; set; }
    /// <summary>Environment, as <c>KEY=value</c>.</summary>
    [JsonPropertyName("env")] public List<string>? Env { get; set; }
    /// <summary>Seconds before the hook is aborted; must be positive.</summary>
    [JsonPropertyName("timeout")] public int? Timeout { get; set; }
    /// <summary>Properties this version of the model does not know, kept so that the document round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extensions { get; set; }
}
