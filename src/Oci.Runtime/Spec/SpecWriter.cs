using System.Buffers;
using System.Text.Json;

namespace Oci.Runtime.Spec;

/// <summary>
/// Writes the spec documents (config.json, a process, the features document) by hand with
/// <see cref="Utf8JsonWriter"/>, in exactly the form <see cref="JsonSerializer"/> gives with
/// <see cref="SpecJsonContext.Relaxed"/>: indented, properties in declaration order, nulls left out, extension data
/// (<c>[JsonExtensionData] Extensions</c>) last in each object, null entries of lists and dictionaries written as
/// <c>null</c>, strings escaped by <see cref="MinimalJsonEncoder"/>.
/// </summary>
/// <remarks>
/// Every oci-run command is a short-lived NativeAOT process. Before the serializer writes anything it builds its
/// metadata for every type of the spec at run time (JsonTypeInfo configuration and reflection over attributes for
/// polymorphism), which cost more CPU than the rest of a command such as <c>exec</c> (which writes the process it
/// runs), <c>update</c> (which rewrites the stored config) or <c>spec</c> and <c>features</c>. With this writer and the
/// hand-written reader no code path of the binary uses the serializer, so the trimmer drops it and the generated
/// metadata. SpecWriterDifferentialTests holds it byte for byte to the serializer's output.
/// </remarks>
internal static partial class SpecWriter
{
    /// <summary>The serializer's writer depth limit (<see cref="JsonSerializerOptions.MaxDepth"/>'s default).</summary>
    const int MaxDepth = 64;

    /// <summary>The config as UTF-8 JSON.</summary>
    public static byte[] ToUtf8(RuntimeSpec spec, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, Options(indented))) Write(writer, spec);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The process document as UTF-8 JSON.</summary>
    public static byte[] ToUtf8(Process process, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(process);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, Options(indented))) Write(writer, process);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The features document as UTF-8 JSON.</summary>
    public static byte[] ToUtf8(Features features, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(features);
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, Options(indented))) Write(writer, features);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The resources as UTF-8 JSON.</summary>
    public static byte[] ToUtf8(LinuxResources resources, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, Options(indented))) Write(writer, resources);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The writer options the serializer derives from <see cref="SpecJsonContext.Relaxed"/>'s options
    /// (two-space indentation, <see cref="Environment.NewLine"/>, depth limit 64).</summary>
    static JsonWriterOptions Options(bool indented) => new()
    {
        Indented = indented,
        Encoder = MinimalJsonEncoder.Instance,
        MaxDepth = MaxDepth,
    };

    /// <summary>Writes a config.</summary>
    public static void Write(Utf8JsonWriter writer, RuntimeSpec spec)
    {
        writer.WriteStartObject();
        Str(writer, "ociVersion"u8, spec.OciVersion);
        if (spec.Root is { } root) { writer.WritePropertyName("root"u8); WriteRoot(writer, root); }
        Objects(writer, "mounts"u8, spec.Mounts, WriteMount);
        if (spec.Process is { } process) { writer.WritePropertyName("process"u8); Write(writer, process); }
        Str(writer, "hostname"u8, spec.Hostname);
        Str(writer, "domainname"u8, spec.Domainname);
        if (spec.Hooks is { } hooks) { writer.WritePropertyName("hooks"u8); WriteHooks(writer, hooks); }
        StringMap(writer, "annotations"u8, spec.Annotations);
        if (spec.Linux is { } linux) { writer.WritePropertyName("linux"u8); WriteLinux(writer, linux); }
        EndObject(writer, spec.Extensions);
    }

    static void WriteRoot(Utf8JsonWriter writer, Root? root)
    {
        if (root is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        Str(writer, "path"u8, root.Path);
        Bool(writer, "readonly"u8, root.Readonly);
        EndObject(writer, root.Extensions);
    }

    static void WriteMount(Utf8JsonWriter writer, Mount? mount)
    {
        if (mount is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        Str(writer, "destination"u8, mount.Destination);
        Str(writer, "type"u8, mount.Type);
        Str(writer, "source"u8, mount.Source);
        Strings(writer, "options"u8, mount.Options);
        Objects(writer, "uidMappings"u8, mount.UidMappings, WriteIdMapping);
        Objects(writer, "gidMappings"u8, mount.GidMappings, WriteIdMapping);
        EndObject(writer, mount.Extensions);
    }

    static void WriteHooks(Utf8JsonWriter writer, Hooks? hooks)
    {
        if (hooks is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        Objects(writer, "prestart"u8, hooks.Prestart, WriteHook);
        Objects(writer, "createRuntime"u8, hooks.CreateRuntime, WriteHook);
        Objects(writer, "createContainer"u8, hooks.CreateContainer, WriteHook);
        Objects(writer, "startContainer"u8, hooks.StartContainer, WriteHook);
        Objects(writer, "poststart"u8, hooks.Poststart, WriteHook);
        Objects(writer, "poststop"u8, hooks.Poststop, WriteHook);
        EndObject(writer, hooks.Extensions);
    }

    static void WriteHook(Utf8JsonWriter writer, Hook? hook)
    {
        if (hook is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        Str(writer, "path"u8, hook.Path);
        Strings(writer, "args"u8, hook.Args);
        Strings(writer, "env"u8, hook.Env);
        Num(writer, "timeout"u8, hook.Timeout);
        EndObject(writer, hook.Extensions);
    }

    // Shared helpers. A property whose value is null is left out (DefaultIgnoreCondition = WhenWritingNull, which
    // the serializer applies to non-nullable reference properties holding null too); a null entry of a list or a
    // dictionary is written as null. Numbers are written as the serializer's converters write them: integers in
    // their shortest decimal form.

    static void Str(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null) writer.WriteString(name, value);
    }

    static void Bool(Utf8JsonWriter writer, ReadOnlySpan<byte> name, bool? value)
    {
        if (value is { } v) writer.WriteBoolean(name, v);
    }

    static void Num(Utf8JsonWriter writer, ReadOnlySpan<byte> name, int? value)
    {
        if (value is { } v) writer.WriteNumber(name, v);
    }

    static void Num(Utf8JsonWriter writer, ReadOnlySpan<byte> name, uint? value)
    {
        if (value is { } v) writer.WriteNumber(name, v);
    }

    static void Num(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long? value)
    {
        if (value is { } v) writer.WriteNumber(name, v);
    }

    static void Num(Utf8JsonWriter writer, ReadOnlySpan<byte> name, ulong? value)
    {
        if (value is { } v) writer.WriteNumber(name, v);
    }

    static void Num(Utf8JsonWriter writer, ReadOnlySpan<byte> name, ushort? value)
    {
        if (value is { } v) writer.WriteNumber(name, (uint)v);
    }

    static void Strings(Utf8JsonWriter writer, ReadOnlySpan<byte> name, List<string>? list)
    {
        if (list is null) return;
        writer.WriteStartArray(name);
        foreach (string? item in list)
        {
            if (item is null) writer.WriteNullValue();
            else writer.WriteStringValue(item);
        }
        writer.WriteEndArray();
    }

    static void Objects<T>(Utf8JsonWriter writer, ReadOnlySpan<byte> name, List<T>? list, Action<Utf8JsonWriter, T?> write)
        where T : class
    {
        if (list is null) return;
        writer.WriteStartArray(name);
        foreach (T? item in list) write(writer, item);
        writer.WriteEndArray();
    }

    static void StringMap(Utf8JsonWriter writer, ReadOnlySpan<byte> name, Dictionary<string, string>? map)
    {
        if (map is null) return;
        writer.WriteStartObject(name);
        foreach (var (key, value) in map)
        {
            if (value is null) writer.WriteNull(key);
            else writer.WriteString(key, value);
        }
        writer.WriteEndObject();
    }

    static void ObjectMap<T>(Utf8JsonWriter writer, ReadOnlySpan<byte> name, Dictionary<string, T>? map, Action<Utf8JsonWriter, T?> write)
        where T : class
    {
        if (map is null) return;
        writer.WriteStartObject(name);
        foreach (var (key, value) in map)
        {
            writer.WritePropertyName(key);
            write(writer, value);
        }
        writer.WriteEndObject();
    }

    /// <summary>Writes an object's extension data, after its declared properties as the serializer does, and ends
    /// the object. A default <see cref="JsonElement"/> throws <see cref="InvalidOperationException"/>, as with the
    /// serializer.</summary>
    static void EndObject(Utf8JsonWriter writer, Dictionary<string, JsonElement>? extensions)
    {
        if (extensions is not null)
            foreach (var (key, value) in extensions)
            {
                writer.WritePropertyName(key);
                value.WriteTo(writer);
            }
        writer.WriteEndObject();
    }
}
