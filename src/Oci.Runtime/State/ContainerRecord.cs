using System.Text.Json;
using System.Text.Json.Serialization;
using System.Runtime.InteropServices;
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
    /// <summary>The config the container was created with. Read from state.json only when first used: most commands
    /// need no more of the config than <see cref="Annotations"/> and <see cref="Hooks"/>. Once read (or set), the
    /// object is the truth: a caller may change it (update changes the resources), and it is what is saved.</summary>
    [JsonIgnore]
    public RuntimeSpec Config
    {
        get
        {
            if (config is null)
                config = configJson.ValueKind == JsonValueKind.Object
                    ? SpecLoader.ParseUnvalidated(JsonMarshal.GetRawUtf8Value(configJson))
                    : new();
            configJsonCurrent = false;
            return config;
        }
        set
        {
            config = value;
            configJsonCurrent = false;
        }
    }

    /// <summary><see cref="Config"/> as it is stored in state.json. A config that was handed out (and may have
    /// changed, as update changes its resources) is written again, by hand with <see cref="SpecWriter"/> in the form
    /// the serializer gave, not with the serializer, whose metadata for the spec's types cost more CPU than the rest
    /// of the command.</summary>
    [JsonPropertyName("config")]
    public JsonElement ConfigJson
    {
        get => configJsonCurrent || (config is null && configJson.ValueKind != JsonValueKind.Undefined)
            ? configJson
            : JsonDocument.Parse(SpecWriter.ToUtf8(Config, indented: false)).RootElement;
        set
        {
            configJson = value;
            config = null;
            configJsonCurrent = false;
        }
    }

    /// <summary>Sets the config and the JSON it was read from (config.json's own text is stored, not a rewrite of
    /// it: writing the spec with System.Text.Json would build its metadata for every type of the spec).</summary>
    public void SetConfig(RuntimeSpec spec, byte[] utf8Json)
    {
        configJson = JsonDocument.Parse(utf8Json).RootElement;
        config = spec;
        configJsonCurrent = true;
    }

    /// <summary>The stored config's JSON text, as state.json holds it (not a rewrite of <see cref="Config"/>).</summary>
    public byte[] StoredConfigUtf8() =>
        configJson.ValueKind == JsonValueKind.Undefined ? "{}"u8.ToArray() : JsonMarshal.GetRawUtf8Value(configJson).ToArray();

    /// <summary>The config's annotations, without reading the rest of it.</summary>
    [JsonIgnore]
    public Dictionary<string, string>? Annotations =>
        config is not null ? config.Annotations
        : configJson.ValueKind == JsonValueKind.Object && configJson.TryGetProperty("annotations", out var a)
            ? SpecReader.ReadAnnotations(JsonMarshal.GetRawUtf8Value(a))
            : null;

    /// <summary>The config's hooks, without reading the rest of it.</summary>
    [JsonIgnore]
    public Hooks? Hooks =>
        config is not null ? config.Hooks
        : configJson.ValueKind == JsonValueKind.Object && configJson.TryGetProperty("hooks", out var h)
            ? SpecReader.ReadHooks(JsonMarshal.GetRawUtf8Value(h))
            : null;

    RuntimeSpec? config;
    JsonElement configJson;
    /// <summary>Whether <see cref="configJson"/> is known to match <see cref="config"/> (nobody has been handed the
    /// object since they were set together).</summary>
    bool configJsonCurrent;

    /// <summary>The container's cgroup directories, keyed by hierarchy.</summary>
    [JsonPropertyName("cgroupPaths")] public Dictionary<string, string> CgroupPaths { get; set; } = new();
    /// <summary>The host's cgroup layout when the container was created.</summary>
    [JsonPropertyName("cgroupLayout")] public Cgroups.CgroupLayout CgroupLayout { get; set; }
    /// <summary>Container cgroups that existed before create (joined): delete leaves them.</summary>
    [JsonPropertyName("cgroupJoined")] public List<string>? CgroupJoined { get; set; }
    /// <summary>Parent cgroups that create made: delete removes them when empty.</summary>
    [JsonPropertyName("cgroupCreatedParents")] public List<string>? CgroupCreatedParents { get; set; }
}
