using System.Text.Json;
using Oci.Runtime.Cgroups;

namespace Oci.Runtime.State;

/// <summary>
/// state.json read and written by hand with <see cref="Utf8JsonReader"/> and <see cref="Utf8JsonWriter"/>.
/// Every command but create and run reads a record, and most read nothing else: System.Text.Json's metadata for
/// <see cref="ContainerRecord"/> (built at run time, with reflection over the attributes of every type it
/// reaches) cost more CPU than the rest of a <c>state</c> command. The format is the one the source-generated
/// context wrote: compact, properties in declaration order, nulls left out, the layout as its name.
/// </summary>
internal static class ContainerRecordJson
{
    /// <summary>Parses a record. Unknown properties are skipped, as before.</summary>
    /// <exception cref="JsonException">The document is malformed or a value has the wrong type.</exception>
    public static ContainerRecord Parse(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        try
        {
            Read(ref reader);
            if (reader.TokenType == JsonTokenType.Null) throw new JsonException("state.json: the document is null");
            Expect(ref reader, JsonTokenType.StartObject);
            var record = new ContainerRecord();
            while (true)
            {
                Read(ref reader);
                if (reader.TokenType == JsonTokenType.EndObject) break;
                Expect(ref reader, JsonTokenType.PropertyName);
                if (reader.ValueTextEquals("id"u8)) { Read(ref reader); record.Id = String(ref reader)!; }
                else if (reader.ValueTextEquals("initPid"u8)) { Read(ref reader); record.InitPid = reader.GetInt32(); }
                else if (reader.ValueTextEquals("initStartTime"u8)) { Read(ref reader); record.InitStartTime = reader.GetUInt64(); }
                else if (reader.ValueTextEquals("bundle"u8)) { Read(ref reader); record.Bundle = String(ref reader)!; }
                else if (reader.ValueTextEquals("rootfs"u8)) { Read(ref reader); record.Rootfs = String(ref reader)!; }
                else if (reader.ValueTextEquals("created"u8)) { Read(ref reader); record.Created = reader.GetDateTimeOffset(); }
                else if (reader.ValueTextEquals("owner"u8)) { Read(ref reader); record.Owner = String(ref reader)!; }
                else if (reader.ValueTextEquals("config"u8)) { Read(ref reader); ReadConfig(ref reader, utf8Json, record); }
                else if (reader.ValueTextEquals("cgroupPaths"u8)) { Read(ref reader); record.CgroupPaths = Map(ref reader)!; }
                else if (reader.ValueTextEquals("cgroupLayout"u8)) { Read(ref reader); record.CgroupLayout = Layout(ref reader); }
                else if (reader.ValueTextEquals("cgroupJoined"u8)) { Read(ref reader); record.CgroupJoined = List(ref reader); }
                else if (reader.ValueTextEquals("cgroupCreatedParents"u8)) { Read(ref reader); record.CgroupCreatedParents = List(ref reader); }
                else if (reader.ValueTextEquals("systemdSlice"u8)) { Read(ref reader); record.SystemdSlice = String(ref reader); }
                else if (reader.ValueTextEquals("systemdUnit"u8)) { Read(ref reader); record.SystemdUnit = String(ref reader); }
                else if (reader.ValueTextEquals("noNewKeyring"u8)) { Read(ref reader); record.NoNewKeyring = reader.GetBoolean(); }
                else
                {
                    Read(ref reader);
                    reader.Skip();
                }
            }
            return record;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            throw new JsonException($"state.json: {e.Message}", e);
        }
    }

    /// <summary>Writes a record.</summary>
    public static byte[] Serialize(ContainerRecord record)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Spec.MinimalJsonEncoder.Instance }))
        {
            writer.WriteStartObject();
            if (record.Id is not null) writer.WriteString("id"u8, record.Id);
            writer.WriteNumber("initPid"u8, record.InitPid);
            writer.WriteNumber("initStartTime"u8, record.InitStartTime);
            if (record.Bundle is not null) writer.WriteString("bundle"u8, record.Bundle);
            if (record.Rootfs is not null) writer.WriteString("rootfs"u8, record.Rootfs);
            writer.WriteString("created"u8, record.Created);
            if (record.Owner is not null) writer.WriteString("owner"u8, record.Owner);
            writer.WritePropertyName("config"u8);
            writer.WriteRawValue(record.ConfigUtf8.Span);
            WriteMap(writer, "cgroupPaths"u8, record.CgroupPaths);
            writer.WriteString("cgroupLayout"u8, record.CgroupLayout switch
            {
                CgroupLayout.V1 => "V1",
                CgroupLayout.Hybrid => "Hybrid",
                CgroupLayout.Unified => "Unified",
                var other => ((int)other).ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            WriteList(writer, "cgroupJoined"u8, record.CgroupJoined);
            WriteList(writer, "cgroupCreatedParents"u8, record.CgroupCreatedParents);
            if (record.SystemdSlice is not null) writer.WriteString("systemdSlice"u8, record.SystemdSlice);
            if (record.SystemdUnit is not null) writer.WriteString("systemdUnit"u8, record.SystemdUnit);
            if (record.NoNewKeyring) writer.WriteBoolean("noNewKeyring"u8, true);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    static void WriteMap(Utf8JsonWriter writer, ReadOnlySpan<byte> name, Dictionary<string, string>? map)
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

    static void WriteList(Utf8JsonWriter writer, ReadOnlySpan<byte> name, List<string>? list)
    {
        if (list is null) return;
        writer.WriteStartArray(name);
        foreach (var item in list)
        {
            if (item is null) writer.WriteNullValue();
            else writer.WriteStringValue(item);
        }
        writer.WriteEndArray();
    }

    /// <summary>Keeps the config's text as it is (it is parsed only when a command needs it), noting on the way
    /// where its annotations and hooks are: most commands need no more of it.</summary>
    static void ReadConfig(ref Utf8JsonReader reader, ReadOnlySpan<byte> document, ContainerRecord record)
    {
        int start = (int)reader.TokenStartIndex;
        var (annotations, hooks) = ContainerRecord.FindMembers(ref reader, start);
        record.SetStoredConfig(document[start..(int)reader.BytesConsumed].ToArray(), annotations, hooks);
    }

    static void Read(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw new JsonException("state.json: unexpected end of the document");
    }

    static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (reader.TokenType != type) throw new JsonException($"state.json: expected {type}, found {reader.TokenType}");
    }

    static string? String(ref Utf8JsonReader reader) =>
        reader.TokenType is JsonTokenType.Null or JsonTokenType.String
            ? reader.GetString()
            : throw new JsonException($"state.json: expected a string, found {reader.TokenType}");

    static Dictionary<string, string>? Map(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        Expect(ref reader, JsonTokenType.StartObject);
        var map = new Dictionary<string, string>();
        while (true)
        {
            Read(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject) return map;
            string key = reader.GetString()!;
            Read(ref reader);
            map[key] = String(ref reader)!;
        }
    }

    static List<string>? List(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        Expect(ref reader, JsonTokenType.StartArray);
        var list = new List<string>();
        while (true)
        {
            Read(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray) return list;
            list.Add(String(ref reader)!);
        }
    }

    static CgroupLayout Layout(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number) return (CgroupLayout)reader.GetInt32();
        string text = String(ref reader) ?? throw new JsonException("state.json: cgroupLayout is null");
        // A switch, not Enum.TryParse: that reads the enum's names through reflection, which costs a short-lived
        // command more than the rest of reading state.json.
        return text.ToLowerInvariant() switch
        {
            "v1" => CgroupLayout.V1,
            "hybrid" => CgroupLayout.Hybrid,
            "unified" => CgroupLayout.Unified,
            _ => throw new JsonException($"state.json: unknown cgroupLayout \"{text}\""),
        };
    }
}
