using System.Text.Json;
using System.Text.Json.Serialization;
using System.Runtime.InteropServices;
using Oci.Runtime.Spec;

namespace Oci.Runtime.State;

/// <summary>What the runtime keeps about one container in <c>ROOT/ID/state.json</c>.</summary>
internal sealed class ContainerRecord
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
            config ??= configUtf8 is null ? new() : SpecLoader.ParseUnvalidated(configUtf8);
            configUtf8Current = false;
            return config;
        }
        set
        {
            config = value;
            configUtf8Current = false;
        }
    }

    /// <summary><see cref="Config"/> as JSON text, as state.json holds it. The text is kept as it was read (config.json's
    /// own, for a new container): no command that only reads a record parses it into a document or rewrites it. A
    /// config that was handed out (and may have changed, as update changes its resources) is written again with
    /// <see cref="SpecWriter"/>.</summary>
    [JsonIgnore]
    public ReadOnlyMemory<byte> ConfigUtf8
    {
        get => configUtf8 is not null && (configUtf8Current || config is null)
            ? configUtf8
            : SpecWriter.ToUtf8(Config, indented: false);
        set
        {
            configUtf8 = value.ToArray();
            config = null;
            configUtf8Current = false;
            membersFound = false;
        }
    }

    /// <summary><see cref="ConfigUtf8"/> as a JSON element.</summary>
    [JsonPropertyName("config")]
    public JsonElement ConfigJson
    {
        get => JsonDocument.Parse(ConfigUtf8).RootElement;
        set => ConfigUtf8 = JsonMarshal.GetRawUtf8Value(value).ToArray();
    }

    /// <summary>Sets the config and the JSON text it was read from (config.json's own text is stored, not a rewrite
    /// of it).</summary>
    public void SetConfig(RuntimeSpec spec, byte[] utf8Json)
    {
        configUtf8 = utf8Json;
        config = spec;
        configUtf8Current = true;
        membersFound = false;
    }

    /// <summary>The stored config's JSON text, as state.json holds it (not a rewrite of <see cref="Config"/>).</summary>
    public byte[] StoredConfigUtf8() => configUtf8 ?? "{}"u8.ToArray();

    /// <summary>The config's annotations, without reading the rest of it.</summary>
    [JsonIgnore]
    public Dictionary<string, string>? Annotations =>
        config is not null ? config.Annotations
        : StoredMember(hooks: false) is { } a ? SpecReader.ReadAnnotations(a.Span) : null;

    /// <summary>The config's hooks, without reading the rest of it.</summary>
    [JsonIgnore]
    public Hooks? Hooks =>
        config is not null ? config.Hooks
        : StoredMember(hooks: true) is { } h ? SpecReader.ReadHooks(h.Span) : null;

    /// <summary>Sets the stored config's text with where its <c>annotations</c> and <c>hooks</c> are in it, as
    /// state.json's reader found them while it went over the config anyway.</summary>
    internal void SetStoredConfig(byte[] utf8Json, Range? annotations, Range? hooks)
    {
        // Kept as given (the reader's own copy), not through ConfigUtf8's setter, which copies it again.
        configUtf8 = utf8Json;
        config = null;
        configUtf8Current = false;
        annotationsRange = annotations;
        hooksRange = hooks;
        membersFound = true;
    }

    /// <summary>The text of the stored config's <c>hooks</c> or <c>annotations</c>, or null when it has none.</summary>
    ReadOnlyMemory<byte>? StoredMember(bool hooks)
    {
        if (configUtf8 is null) return null;
        if (!membersFound)
        {
            var reader = new Utf8JsonReader(configUtf8);
            if (!reader.Read()) return null;
            (annotationsRange, hooksRange) = FindMembers(ref reader, 0);
            membersFound = true;
        }
        // Not a conditional expression: its null would become an empty memory, not "none".
        if ((hooks ? hooksRange : annotationsRange) is not { } range) return null;
        return new ReadOnlyMemory<byte>(configUtf8)[range];
    }

    /// <summary>Goes over the config value at the reader (which starts at <paramref name="start"/> of the text the
    /// reader reads) and returns where its <c>annotations</c> and <c>hooks</c> are, relative to the value's start.
    /// The last of duplicate members wins, as when the whole config is read.</summary>
    internal static (Range? Annotations, Range? Hooks) FindMembers(ref Utf8JsonReader reader, int start)
    {
        Range? annotations = null, hooks = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return (null, null);
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isAnnotations = reader.ValueTextEquals("annotations"u8), isHooks = reader.ValueTextEquals("hooks"u8);
            reader.Read();
            int valueStart = (int)reader.TokenStartIndex - start;
            reader.Skip();
            var range = new Range(valueStart, (int)reader.BytesConsumed - start);
            if (isAnnotations) annotations = range;
            else if (isHooks) hooks = range;
        }
        return (annotations, hooks);
    }

    RuntimeSpec? config;
    byte[]? configUtf8;
    Range? annotationsRange, hooksRange;
    /// <summary>Whether the two ranges above have been found (by state.json's reader, or on first use).</summary>
    bool membersFound;
    /// <summary>Whether <see cref="configUtf8"/> is known to match <see cref="config"/> (nobody has been handed the
    /// object since they were set together).</summary>
    bool configUtf8Current;

    /// <summary>The container's cgroup directories, keyed by hierarchy.</summary>
    [JsonPropertyName("cgroupPaths")] public Dictionary<string, string> CgroupPaths { get; set; } = new();
    /// <summary>The host's cgroup layout when the container was created.</summary>
    [JsonPropertyName("cgroupLayout")] public Cgroups.CgroupLayout CgroupLayout { get; set; }
    /// <summary>Container cgroups that existed before create (joined): a failed create leaves them, delete removes
    /// them as runc does.</summary>
    [JsonPropertyName("cgroupJoined")] public List<string>? CgroupJoined { get; set; }
    /// <summary>Parent cgroups that create made: delete removes them when empty.</summary>
    [JsonPropertyName("cgroupCreatedParents")] public List<string>? CgroupCreatedParents { get; set; }
    /// <summary>With the systemd cgroup driver: the slice of the container's scope.</summary>
    [JsonPropertyName("systemdSlice")] public string? SystemdSlice { get; set; }
    /// <summary>With the systemd cgroup driver: the container's transient scope, stopped by delete.</summary>
    [JsonPropertyName("systemdUnit")] public string? SystemdUnit { get; set; }
    /// <summary>Created with <c>--no-new-keyring</c>: exec'd processes keep the caller's session keyring too.</summary>
    [JsonPropertyName("noNewKeyring")] public bool NoNewKeyring { get; set; }
}
