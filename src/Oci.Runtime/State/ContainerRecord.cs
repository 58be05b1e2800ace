using System.Text.Json;
using System.Text.Json.Serialization;
using Oci.Runtime.Spec;

namespace Oci.Runtime.State;

/// <summary>What the runtime keeps about one container in <c>ROOT/ID/state.json</c>.</summary>
public sealed class ContainerRecord
{
    /// <summary>The container's id.</summary>
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    /// <summary>The pid of the container's init in the runtime's PID namespace.</summary>
    [JsonPropertyName("initPid")] public int InitPid { get; set; }
    /// <summary>The start time of init (field 22 of /proc/PID/stat), to tell it from a later process that reuses
    /// the pid.</summary>
    [JsonPropertyName("initStartTime")] public ulong InitStartTime { get; set; }
    /// <summary>Absolute path of the bundle.</summary>
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    /// <summary>Absolute path of the root filesystem.</summary>
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    /// <summary>When the container was created.</summary>
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
    /// <summary>The user who created the container.</summary>
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
    /// <summary>The config the container was created with. Read from state.json only when first used: building
    /// System.Text.Json's metadata for the whole spec costs more than the rest of a <c>state</c> command, and most
    /// commands need no more of the config than <see cref="Annotations"/> and <see cref="Hooks"/>.</summary>
    [JsonIgnore]
    public RuntimeSpec Config
    {
        get => config ??= configJson.ValueKind == JsonValueKind.Object
            ? configJson.Deserialize(SpecJsonContext.Relaxed.RuntimeSpec) ?? new()
            : new();
        set
        {
            config = value;
            configJson = default;
        }
    }

    /// <summary><see cref="Config"/> as it is stored in state.json.</summary>
    [JsonPropertyName("config")]
    public JsonElement ConfigJson
    {
        // Once parsed, the object is the truth: a caller may have changed it (update changes the resources).
        get => config is null && configJson.ValueKind != JsonValueKind.Undefined
            ? configJson
            : JsonSerializer.SerializeToElement(Config, SpecJsonContext.Relaxed.RuntimeSpec);
        set
        {
            configJson = value;
            config = null;
        }
    }

    /// <summary>The config's annotations, without reading the rest of it.</summary>
    [JsonIgnore]
    public Dictionary<string, string>? Annotations =>
        config is not null ? config.Annotations
        : configJson.ValueKind == JsonValueKind.Object && configJson.TryGetProperty("annotations", out var a)
            ? a.Deserialize(SpecJsonContext.Relaxed.DictionaryStringString)
            : null;

    /// <summary>The config's hooks, without reading the rest of it.</summary>
    [JsonIgnore]
    public Hooks? Hooks =>
        config is not null ? config.Hooks
        : configJson.ValueKind == JsonValueKind.Object && configJson.TryGetProperty("hooks", out var h)
            ? h.Deserialize(SpecJsonContext.Relaxed.Hooks)
            : null;

    RuntimeSpec? config;
    JsonElement configJson;

    /// <summary>The container's cgroup directories, keyed by hierarchy.</summary>
    [JsonPropertyName("cgroupPaths")] public Dictionary<string, string> CgroupPaths { get; set; } = new();
    /// <summary>The host's cgroup layout when the container was created.</summary>
    [JsonPropertyName("cgroupLayout")] public Cgroups.CgroupLayout CgroupLayout { get; set; }
    /// <summary>Container cgroups that existed before create (joined): delete leaves them.</summary>
    [JsonPropertyName("cgroupJoined")] public List<string>? CgroupJoined { get; set; }
    /// <summary>Parent cgroups that create made: delete removes them when empty.</summary>
    [JsonPropertyName("cgroupCreatedParents")] public List<string>? CgroupCreatedParents { get; set; }
}
