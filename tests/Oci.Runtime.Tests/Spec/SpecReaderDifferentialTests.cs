using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Spec;

/// <summary>
/// <see cref="SpecReader"/> against the serializer it replaces for reading: for every input, both give the same
/// object (compared as the serializer writes it, byte for byte, so extension data order counts too) or both fail
/// with the same <see cref="SpecValidationException.JsonPath"/> and message (the serializer's
/// <see cref="JsonException"/> as <see cref="SpecLoader.Translate"/> words it).
/// </summary>
public class SpecReaderDifferentialTests
{
    private static readonly Gen<int> Seeds = Gen.Choose(0, int.MaxValue);

    // ---- The two readers, reduced to a comparable outcome ----

    private static string Error(SpecValidationException e) => $"error at '{e.JsonPath}': {e.Message}";

    private static string Written<T>(T value, JsonTypeInfo<T> info)
    {
        try
        {
            return "ok " + Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(value, info));
        }
        catch (Exception e)
        {
            // A lone surrogate kept in extension data cannot be written; it must be so for both.
            return $"ok, unwritable: {e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>What the serializer makes of <paramref name="json"/>, errors translated as SpecLoader did.</summary>
    private static string BySerializer<T>(byte[] json, JsonTypeInfo<T> info, bool nullIsError) where T : class
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(json, info);
        }
        catch (JsonException e)
        {
            return Error(SpecLoader.Translate(e));
        }
        if (value is null)
            return nullIsError ? Error(new SpecValidationException("", "the document is null; expected a JSON object")) : "null";
        return Written(value, info);
    }

    private static string ByReader<T>(byte[] json, Func<byte[], T?> read, JsonTypeInfo<T> info) where T : class
    {
        T? value;
        try
        {
            value = read(json);
        }
        catch (SpecValidationException e)
        {
            return Error(e);
        }
        return value is null ? "null" : Written(value, info);
    }

    private static void AssertSame<T>(byte[] json, Func<byte[], T?> read, JsonTypeInfo<T> info, bool nullIsError) where T : class
    {
        string expected = BySerializer(json, info, nullIsError), actual = ByReader(json, read, info);
        if (expected != actual)
            Assert.Fail($"input: {Encoding.UTF8.GetString(json)}\nserializer: {expected}\nSpecReader: {actual}");
    }

    /// <summary>The whole document as a config; and its process, resources, hooks and annotations, when it has
    /// them, through the other entry points.</summary>
    private static void AssertSameEverywhere(byte[] json)
    {
        AssertSame(json, b => SpecReader.ReadSpec(b), SpecJsonContext.Relaxed.RuntimeSpec, nullIsError: true);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return; // malformed: no parts to take
        }
        byte[]? process = null, resources = null, hooks = null, annotations = null;
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return;
            try
            {
                if (root.TryGetProperty("process", out JsonElement p)) process = Raw(p);
                if (root.TryGetProperty("linux", out JsonElement l) && l.ValueKind == JsonValueKind.Object
                    && l.TryGetProperty("resources", out JsonElement r)) resources = Raw(r);
                if (root.TryGetProperty("hooks", out JsonElement h)) hooks = Raw(h);
                if (root.TryGetProperty("annotations", out JsonElement a)) annotations = Raw(a);
            }
            catch (InvalidOperationException)
            {
                // A property name JsonDocument cannot compare (a lone surrogate escape): no parts to take.
                return;
            }
        }
        if (process is not null)
            AssertSame(process, b => SpecReader.ReadProcess(b), SpecJsonContext.Relaxed.Process, nullIsError: true);
        if (resources is not null)
            AssertSame(resources, b => SpecReader.ReadResources(b), SpecJsonContext.Relaxed.LinuxResources, nullIsError: true);
        if (hooks is not null)
            AssertSame(hooks, b => SpecReader.ReadHooks(b), SpecJsonContext.Relaxed.Hooks, nullIsError: false);
        if (annotations is not null)
            AssertSame(annotations, b => SpecReader.ReadAnnotations(b), SpecJsonContext.Relaxed.DictionaryStringString, nullIsError: false);
    }

    private static byte[] Raw(JsonElement e) => System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(e).ToArray();

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    // ---- Documents that exist ----

    private static IEnumerable<string> SchemaFiles() =>
        new[] { ("config", "good"), ("config", "bad"), ("features", "good"), ("state", "good") }
            .SelectMany(k => Directory.GetFiles(TestPaths.SchemaTests(k.Item1, k.Item2), "*.json"))
            .Order(StringComparer.Ordinal);

    public static TheoryData<string> SchemaFileNames() => new(SchemaFiles().Select(f => Path.GetRelativePath(TestPaths.RuntimeSpecDirectory, f)));

    [Theory]
    [MemberData(nameof(SchemaFileNames))]
    public void SchemaTestDocumentsReadTheSame(string file) =>
        AssertSameEverywhere(File.ReadAllBytes(Path.Combine(TestPaths.RuntimeSpecDirectory, file)));

    [Fact]
    public void TheValidLinuxConfigReadsTheSame()
    {
        AssertSameEverywhere(Utf8(SpecDocuments.ValidLinuxConfig));
        // And the reader gives what the tests of the loader expect of it.
        RuntimeSpec spec = SpecReader.ReadSpec(Utf8(SpecDocuments.ValidLinuxConfig));
        Assert.Equal(4096ul, spec.Process!.Rlimits![0].Hard);
        Assert.Equal("net.ipv4.ip_forward", spec.Linux!.Sysctl!.Keys.Single());
        Assert.Null(spec.Extensions);
    }

    [Property(MaxTest = 300)]
    public Property RandomSpecsReadTheSame() =>
        Prop.ForAll(Seeds.ToArbitrary(), seed =>
        {
            var r = new Random(seed);
            RuntimeSpec spec = RandomSpecs.Build(r, valid: r.Next(2) == 0);
            AssertSameEverywhere(SpecLoader.Serialize(spec));
        });

    /// <summary>A document with every property of every model type, built from the serializer's metadata (so a
    /// property added to the model is in it): read the same, and none of it lands in <c>Extensions</c> (where a
    /// property the reader missed would go, and be written back in the same place when it is the type's last).</summary>
    [Fact]
    public void EveryPropertyOfTheModelIsRead()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            WriteSample(writer, typeof(RuntimeSpec));
        byte[] json = buffer.WrittenSpan.ToArray();
        AssertSameEverywhere(json);
        RuntimeSpec spec = SpecReader.ReadSpec(json);
        int objects = AssertNoExtensions(spec, typeof(RuntimeSpec), "");
        Assert.True(objects > 40, $"only {objects} objects in the sample");

        static void WriteSample(Utf8JsonWriter w, Type type)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (type == typeof(string)) { w.WriteStringValue("s"); return; }
            if (type == typeof(bool)) { w.WriteBooleanValue(true); return; }
            if (type.IsPrimitive) { w.WriteNumberValue(7); return; }
            JsonTypeInfo info = SpecJsonContext.Relaxed.GetTypeInfo(type)!;
            switch (info.Kind)
            {
                case JsonTypeInfoKind.Enumerable:
                    w.WriteStartArray();
                    WriteSample(w, info.ElementType!);
                    w.WriteEndArray();
                    break;
                case JsonTypeInfoKind.Dictionary:
                    w.WriteStartObject();
                    w.WritePropertyName("k");
                    WriteSample(w, info.ElementType!);
                    w.WriteEndObject();
                    break;
                case JsonTypeInfoKind.Object:
                    w.WriteStartObject();
                    foreach (JsonPropertyInfo property in info.Properties)
                    {
                        if (property.IsExtensionData) continue;
                        w.WritePropertyName(property.Name);
                        WriteSample(w, property.PropertyType);
                    }
                    w.WriteEndObject();
                    break;
                default:
                    throw new InvalidOperationException($"no sample for {type}");
            }
        }

        static int AssertNoExtensions(object? value, Type type, string path)
        {
            if (value is null || value is string || value.GetType().IsPrimitive) return 0;
            JsonTypeInfo info = SpecJsonContext.Relaxed.GetTypeInfo(value.GetType())!;
            int objects = 0;
            switch (info.Kind)
            {
                case JsonTypeInfoKind.Enumerable:
                    foreach (object? item in (System.Collections.IEnumerable)value) objects += AssertNoExtensions(item, info.ElementType!, path + "[]");
                    break;
                case JsonTypeInfoKind.Dictionary:
                    foreach (object? item in ((System.Collections.IDictionary)value).Values) objects += AssertNoExtensions(item, info.ElementType!, path + ".k");
                    break;
                case JsonTypeInfoKind.Object:
                    objects++;
                    foreach (JsonPropertyInfo property in info.Properties)
                    {
                        if (property.Get is null) continue; // [JsonIgnore]: the generated metadata has no getter
                        object? member = property.Get!(value);
                        if (property.IsExtensionData)
                        {
                            if (member is IDictionary<string, JsonElement> unknown) Assert.Fail($"{path}: {unknown.Keys.First()} read as unknown");
                        }
                        else
                        {
                            Assert.True(member is not null, $"{path}.{property.Name} not read");
                            objects += AssertNoExtensions(member, property.PropertyType, path + "." + property.Name);
                        }
                    }
                    break;
            }
            return objects;
        }
    }

    // ---- Hand-made tricky inputs ----

    public static TheoryData<string> TrickyDocuments() => new(
    [
        // Not a config at all.
        "", "   ", "\n\n", "null", "null x", "[]", "\"x\"", "1", "true", "{}", "{\"ociVersion\":\"1\"} x",
        "{\"ociVersion\":\"1\"}\n\n", "{\"ociVersion\":\"1\"} /* c */", "{\"ociVersion\":\"1\" // c\n}",
        "{\"ociVersion\": \"1\",}", "{\"ociVersion\": \"1\"", "{\"ociVersion\": \"1", "{\"ociVersion\": \"1\n\"}",
        "{\"ociVersion\": \"\\x\"}", "{\"ociVersion\": 1}", "{\"ociVersion\": null}", "{\"ociVersion\": 1.0}",
        "{\"root\":{}}", "{1: 2}", "{\"ociVersion\":\"1\" \"x\": 1}", "{\"ociVersion\":\"1\", \"x\": {\"a\": 1} ]",
        // Nulls where null is allowed, and where it is not.
        "{\"ociVersion\":\"1\",\"root\":null,\"mounts\":null,\"process\":null,\"hostname\":null,\"domainname\":null,\"hooks\":null,\"annotations\":null,\"linux\":null}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"args\":[\"a\",null,\"b\"],\"env\":[null],\"user\":null,\"terminal\":null}}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":null}}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":null}}}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"user\":{\"additionalGids\":[1,null]}}}",
        "{\"ociVersion\":\"1\",\"mounts\":[null,{\"destination\":\"/x\"},null]}",
        "{\"ociVersion\":\"1\",\"annotations\":{\"a\":null,\"b\":\"x\"}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"rdma\":{\"a\":null},\"unified\":{\"b\":null}},\"timeOffsets\":{\"c\":null},\"netDevices\":{\"d\":null}}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"seccomp\":{\"defaultAction\":\"a\",\"syscalls\":[{\"names\":null,\"action\":\"x\"}]}}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"seccomp\":{\"defaultAction\":\"a\",\"syscalls\":[{\"names\":[null],\"action\":\"x\"}]}}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"devices\":[{\"allow\":null}]}}}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"ioPriority\":{\"class\":\"x\",\"priority\":null}}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"namespaces\":[{\"type\":\"a\",\"type\":null}]}}",
        // Required properties missing, one or several, and after other errors.
        "{\"ociVersion\":\"1\",\"process\":{\"args\":[]}}",
        "{\"ociVersion\":\"1\",\"process\":{\"consoleSize\":{}}}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"rlimits\":[{\"soft\":1}]}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"uidMappings\":[{}]}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"uidMappings\":[{\"size\":1}]}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"seccomp\":{\"defaultAction\":\"a\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"x\",\"args\":[{}]}]}}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"blockIO\":{\"weightDevice\":[{}],\"throttleReadBpsDevice\":[{}]}}}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"hugepageLimits\":[{}],\"network\":{\"priorities\":[{}]}}}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"devices\":[{}],\"personality\":{},\"memoryPolicy\":{}}}",
        "{\"ociVersion\":\"1\",\"hooks\":{\"prestart\":[{}]}}",
        "{\"ociVersion\":\"1\",\"process\":{\"args\":1}}",
        // Unknown properties at every level, odd names, duplicates.
        "{\"ociVersion\":\"1\",\"x\":1,\"x\":2,\"y\":3,\"x\":4}",
        "{\"ociVersion\":\"1\",\"OciVersion\":2,\"Extensions\":{},\"\":[],\"a.b\":{\"c\":null},\"a'b\":1,\"é\":\"é\",\"\\u00e9\":2}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"x\":{\"deep\":[1,[2,[3]]]},\"user\":{\"uid\":1,\"x\":true},\"capabilities\":{\"x\":null}}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"x\":1,\"resources\":{\"x\":1,\"memory\":{\"x\":1},\"cpu\":{\"x\":1},\"pids\":{\"x\":1},\"blockIO\":{\"x\":1},\"network\":{\"x\":1},\"rdma\":{\"m\":{\"x\":1}}},\"seccomp\":{\"defaultAction\":\"a\",\"x\":1,\"syscalls\":[{\"names\":[],\"action\":\"a\",\"x\":1,\"args\":[{\"index\":0,\"value\":1,\"op\":\"o\",\"x\":1}]}]}}}",
        "{\"ociVersion\":\"1\",\"hostname\":\"a\",\"hostname\":\"b\",\"hostname\":null}",
        "{\"ociVersion\":\"1\",\"annotations\":{\"a\":\"1\",\"b\":\"2\",\"a\":\"3\"}}",
        "{\"ociVersion\":\"1\",\"annotations\":{\"a\":\"b\"},\"annotations\":null}",
        "{\"ociVersion\":\"1\",\"root\":{\"path\":\"a\",\"path\":\"b\"}}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":1},\"user\":null}}",
        "{\"ociVers\\u0069on\":\"1\",\"hostn\\u0061me\":\"h\"}",
        // Names the serializer gives a meaning when reference or type metadata is on (here it is not).
        "{\"$id\":\"1\",\"ociVersion\":\"1\",\"$ref\":\"x\",\"$type\":\"t\",\"$values\":[]}",
        "{\"ociVersion\":\"1\",\"process\":{\"$ref\":\"1\",\"cwd\":\"/\"},\"mounts\":{\"$values\":[]},\"annotations\":{\"$id\":\"1\",\"$ref\":\"2\"}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"sysctl\":{\"$type\":\"x\"},\"timeOffsets\":{\"$ref\":{\"secs\":1}}}}",
        // Process.User is [JsonIgnore]: a property of that exact name is passed over (its syntax checked), not kept.
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"User\":{\"uid\":\"x\"},\"Extensions\":{\"b\":1},\"UserOrNull\":1}}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"User\":[1,]}}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"Us\\u0065r\":5,\"user\":{\"uid\":1},\"User\":null}}",
        "{\"ociVersion\":\"1\",\"a\\nb\":1,\"a\\\"b\":2,\"a\\\\b\":3,\"a\\/b\":4,\"\\b\\f\\r\\t\":5}",
        // Wrong types at several depths.
        "{\"ociVersion\":\"1\",\"process\":\"x\"}", "{\"ociVersion\":\"1\",\"process\":[1]}",
        "{\"ociVersion\":\"1\",\"root\":[]}", "{\"ociVersion\":\"1\",\"mounts\":{}}", "{\"ociVersion\":\"1\",\"annotations\":[1]}",
        "{\"ociVersion\":\"1\",\"annotations\":{\"a\":{}}}", "{\"ociVersion\":\"1\",\"annotations\":{\"a\":[]}}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"terminal\":\"yes\"}}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"terminal\":{\"a\":1}}}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"args\":{\"a\":[1]}}}",
        "{\"ociVersion\":\"1\",\"mounts\":[{\"destination\":\"/\"},1]}",
        "{\"ociVersion\":\"1\",\"mounts\":[{\"destination\":\"/\"},{\"destination\":1}]}",
        "{\"ociVersion\":\"1\",\"linux\":{\"netDevices\":{\"eth0\":{\"name\":1}}}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"netDevices\":{\"a\":{},\"b\":1}}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"timeOffsets\":{\"a\":{\"secs\":null}}}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"rdma\":{\"a\":{\"hcaHandles\":1},\"b\":{\"hcaObjects\":-1}}}}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"sysctl\":{\"a'b\":1,\"x\":\"y\"}}}", "{\"ociVersion\":\"1\",\"linux\":{\"sysctl\":{\"a b\":1}}}",
        "{\"ociVersion\":\"1\",\"annotations\":{\"\":1}}", "{\"ociVersion\":\"1\",\"annotations\":{\"a.b\":1}}",
        "{\"ociVersion\":\"1\",\"annotations\":{\"a$b\":1}}", "{\"ociVersion\":\"1\",\"annotations\":{\"\\u2028\":1}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"memory\":{\"limit\":\"1\"}}}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"devices\":[{\"allow\":\"true\"}]}}}",
        // Malformed inside lists, dictionaries and unknown values: the path the serializer reports there.
        "{\"ociVersion\":\"1\",\"annotations\":{\"a\":\"1\",}}", "{\"ociVersion\":\"1\",\"annotations\":{,}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"sysctl\":{\"a\":\"b\" \"c\":1}}}", "{\"ociVersion\":\"1\",\"linux\":{\"sysctl\":{\"a\":\"b\",\"c\": }}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"sysctl\":{\"a\":\"b\"} , \"x\" }}",
        "{\"ociVersion\":\"1\",\"linux\":{\"timeOffsets\":{\"a\":{\"secs\":1},}}}",
        "{\"ociVersion\":\"1\",\"linux\":{\"netDevices\":{\"a\":{\"x\":1,}}}}",
        "{\"ociVersion\":\"1\",\"mounts\":[{\"destination\":\"/\"},]}", "{\"ociVersion\":\"1\",\"mounts\":[{\"destination\":\"/\"} {}]}",
        "{\"ociVersion\":\"1\",\"x\":[1,]}", "{\"ociVersion\":\"1\",\"a.b\":{\"x\": }}", "{\"ociVersion\":\"1\",\"\":[1,]}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",}}", "{\"ociVersion\":\"1\",\"process\":{\"cwd\": }}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"args\":[\"a\",]}}", "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"args\":[,]}}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"user\":{\"additionalGids\":[1,2,]}}}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":1x}}}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\"]}", "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"terminal\":tru}}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"args\":[\"a\"", "{\"ociVersion\":\"1\",\"x\":[1",
        // Escapes in names: surrogates checked in object property names and dictionary keys.
        "{\"ociVersion\":\"1\",\"\\ud800\":1}", "{\"\\ud800\":1,\"ociVersion\":1}", "{\"ociVersion\":\"1\",\"\\udc00x\":1}",
        "{\"ociVersion\":\"1\",\"\\ud83d\\ude00\":1}", "{\"ociVersion\":\"1\",\"\\ud800\\u0041\":1}", "{\"ociVersion\":\"1\",\"\\ud800\\n\":1}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"\\udc00x\":1}}",
        "{\"ociVersion\":\"1\",\"annotations\":{\"\\ud800\":\"v\"}}", "{\"ociVersion\":\"1\",\"annotations\":{\"a\":\"b\",\"\\ud800\":\"v\"}}",
        "{\"ociVersion\":\"1\",\"annotations\":{\"\\ud83d\\ude00\":\"\\ud83d\\ude00\"}}",
        "{\"ociVersion\":\"\\ud800\"}", "{\"ociVersion\":\"1\",\"x\":\"\\ud800\"}", "{\"ociVersion\":\"1\",\"hostname\":\"\\udfff\"}",
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"args\":[\"\\ud800\"]}}",
        // Positions on later lines.
        "{\"ociVersion\":\"1\",\n\"process\":{\"cwd\":\"/\",\n  \"terminal\":\"x\"}}",
        "{\r\n  \"ociVersion\": \"1\",\r\n  \"linux\": {\r\n    \"uidMappings\": [\r\n      {\"containerID\": -1}\r\n    ]\r\n  }\r\n}",
        "\n\n  {\"ociVersion\":\"1\",\n\n\"x\":\n[1,\n]}",
    ]);

    [Theory]
    [MemberData(nameof(TrickyDocuments))]
    public void TrickyDocumentsReadTheSame(string json) => AssertSameEverywhere(Utf8(json));

    [Fact]
    public void InvalidUtf8ReadsTheSame()
    {
        byte[] bad = [0xff, 0xfe];
        byte[][] inputs =
        [
            [.. Utf8("{\"ociVersion\": \""), .. bad, .. Utf8("\"}")],
            [.. Utf8("{\"ociVersion\": \"1\", \"hostname\": \""), .. bad, .. Utf8("\"}")],
            [.. Utf8("{\"ociVersion\": \"1\", \""), .. bad, .. Utf8("\": 1}")],
            [.. Utf8("{\"ociVersion\": \"1\", \""), .. bad, .. Utf8("\\n\": 1}")],
            [.. Utf8("{\"ociVersion\": \"1\", \"x\": \""), .. bad, .. Utf8("\"}")],
            [.. Utf8("{\"ociVersion\": \"1\", \"annotations\": {\""), .. bad, .. Utf8("\": \"v\"}}")],
            [.. Utf8("{\"ociVersion\": \"1\", \"annotations\": {\"k\": \""), .. bad, .. Utf8("\"}}")],
            [.. Utf8("{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"args\": [\""), .. bad, .. Utf8("\"]}}")],
            [.. Utf8("{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \""), .. bad, .. Utf8("\": 1}}")],
            [0xEF, 0xBB, 0xBF, .. Utf8("{\"ociVersion\": \"1\"}")],
        ];
        foreach (byte[] json in inputs) AssertSameEverywhere(json);
    }

    [Fact]
    public void DeepNestingReadsTheSame()
    {
        foreach (int depth in new[] { 62, 63, 64, 65, 200 })
        {
            string deep = new string('[', depth) + new string(']', depth);
            AssertSameEverywhere(Utf8("{\"ociVersion\":\"1\",\"x\":" + deep + "}"));
            AssertSameEverywhere(Utf8("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"x\":" + deep + "}}"));
            AssertSameEverywhere(Utf8("{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"memory\":{\"x\":" + deep + "}}}}"));
            AssertSameEverywhere(Utf8("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"args\":" + deep + "}}"));
        }
    }

    /// <summary>Every numeric and boolean property the model has, given every kind of number and non-number.</summary>
    [Fact]
    public void NumbersAndBooleansReadTheSame()
    {
        string[] paths =
        [
            "process.user.uid", "process.user.umask", "process.user.additionalGids[1]", "process.consoleSize.height",
            "process.oomScoreAdj", "process.ioPriority.priority", "process.scheduler.nice", "process.scheduler.runtime",
            "process.rlimits[0].hard", "process.rlimits[1].soft", "process.terminal", "process.noNewPrivileges",
            "hooks.createRuntime[0].timeout", "root.readonly",
            "linux.uidMappings[0].size", "linux.timeOffsets.monotonic.secs", "linux.timeOffsets.boottime.nanosecs",
            "linux.devices[0].major", "linux.devices[0].fileMode", "linux.resources.devices[0].allow",
            "linux.resources.devices[1].minor", "linux.resources.memory.limit", "linux.resources.memory.swappiness",
            "linux.resources.memory.disableOOMKiller", "linux.resources.cpu.shares", "linux.resources.cpu.quota",
            "linux.resources.cpu.idle", "linux.resources.pids.limit", "linux.resources.blockIO.weight",
            "linux.resources.blockIO.leafWeight", "linux.resources.blockIO.weightDevice[0].major",
            "linux.resources.blockIO.weightDevice[0].weight", "linux.resources.blockIO.throttleReadBpsDevice[0].rate",
            "linux.resources.hugepageLimits[0].limit", "linux.resources.network.classID",
            "linux.resources.network.priorities[0].priority", "linux.resources.rdma.mlx5_1.hcaHandles",
            "linux.seccomp.defaultErrnoRet", "linux.seccomp.syscalls[1].args[0].index",
            "linux.seccomp.syscalls[1].args[0].value", "linux.seccomp.syscalls[1].args[0].valueTwo",
            "linux.intelRdt.enableMonitoring",
        ];
        string[] values =
        [
            "0", "-0", "1", "-1", "1.0", "0.0", "1e2", "1E2", "-1e0", "255", "256", "65535", "65536", "2147483647",
            "2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296", "9223372036854775807",
            "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
            "18446744073709551616", "1e400", "-1e-400", "123456789012345678901234567890", "\"1\"", "\"\"", "null",
            "true", "false", "[]", "[1]", "{}", "{\"a\":1}",
        ];
        foreach (string path in paths)
            foreach (string value in values)
                AssertSameEverywhere(SpecDocuments.With(path, value));
    }

    // ---- Every value of the valid config replaced, every object given extra and duplicate properties ----

    private static readonly string[] Replacements =
        ["null", "\"s\"", "\"\"", "0", "-1", "1.5", "18446744073709551616", "true", "{}", "{\"k\":[1]}", "[]", "[null]", "[\"a\"]", "[{}]"];

    [Fact]
    public void EveryValueReplacedReadsTheSame()
    {
        int count = RandomSpecs.Nodes(JsonNode.Parse(SpecDocuments.ValidLinuxConfig)!).Count;
        for (int i = 0; i < count; i++)
            foreach (string replacement in Replacements)
            {
                JsonNode root = JsonNode.Parse(SpecDocuments.ValidLinuxConfig)!;
                root = Replace(root, RandomSpecs.Nodes(root)[i], JsonNode.Parse(replacement));
                AssertSameEverywhere(Utf8(root.ToJsonString()));
            }
    }

    [Fact]
    public void EveryPropertyRemovedReadsTheSame()
    {
        int count = RandomSpecs.Nodes(JsonNode.Parse(SpecDocuments.ValidLinuxConfig)!).Count;
        for (int i = 1; i < count; i++)
        {
            JsonNode root = JsonNode.Parse(SpecDocuments.ValidLinuxConfig)!;
            JsonNode target = RandomSpecs.Nodes(root)[i];
            if (target.Parent is JsonObject o) o.Remove(target.GetPropertyName());
            else if (target.Parent is JsonArray a) a.RemoveAt(target.GetElementIndex());
            AssertSameEverywhere(Utf8(root.ToJsonString()));
        }
    }

    [Fact]
    public void EveryObjectWithUnknownAndDuplicatePropertiesReadsTheSame()
    {
        JsonNode template = JsonNode.Parse(SpecDocuments.ValidLinuxConfig)!;
        List<JsonNode> nodes = RandomSpecs.Nodes(template);
        for (int i = 0; i < nodes.Count; i++)
        {
            if (nodes[i] is not JsonObject o) continue;
            var extras = new List<(int At, string Name, string Value)>
            {
                (0, "future", "{\"a\":[1,{\"b\":null}]}"), (o.Count, "future", "2"), (o.Count, "zz", "null"),
            };
            // Each of its properties again, with null, a string and its own value: the last one wins.
            foreach (var (name, value) in o)
            {
                extras.Add((o.Count, name, "null"));
                extras.Add((o.Count, name, value?.ToJsonString() ?? "null"));
            }
            foreach (var (name, value) in o)
                extras.Add((0, name, "\"first\""));
            AssertSameEverywhere(Write(template, indented: i % 2 == 0, new() { [o] = extras }));
        }
    }

    // ---- Random mutations of valid documents ----

    private static byte[][] ValidDocuments()
    {
        var docs = new List<byte[]> { Utf8(SpecDocuments.ValidLinuxConfig) };
        docs.AddRange(Directory.GetFiles(TestPaths.SchemaTests("config", "good"), "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllBytes));
        return [.. docs];
    }

    /// <summary>A valid config (a fixed one or a random valid one) with one to three values replaced by null, a
    /// string, a number, an object or an array, properties added, duplicated or removed; written compact or
    /// indented. Both readers agree on success or failure, and on the path and words of a failure.</summary>
    [Property(MaxTest = 1000)]
    public Property MutatedValidSpecsReadTheSame() =>
        Prop.ForAll(Seeds.ToArbitrary(), seed =>
        {
            var r = new Random(seed);
            byte[][] documents = ValidDocuments();
            byte[] doc = r.Next(3) == 0
                ? SpecLoader.Serialize(RandomSpecs.Build(r, valid: true))
                : documents[r.Next(documents.Length)];
            JsonNode root = JsonNode.Parse(doc)!;
            var extras = new Dictionary<JsonObject, List<(int At, string Name, string Value)>>();
            int edits = r.Next(1, 4);
            for (int e = 0; e < edits; e++)
            {
                List<JsonNode> nodes = RandomSpecs.Nodes(root);
                JsonNode target = nodes[r.Next(nodes.Count)];
                switch (r.Next(4))
                {
                    case 0 or 1:
                        root = Replace(root, target, RandomJson(r, 0));
                        break;
                    case 2 when target is JsonObject o:
                        string name = o.Count > 0 && r.Next(2) == 0 ? o.ElementAt(r.Next(o.Count)).Key : RandomName(r);
                        if (!extras.TryGetValue(o, out var list)) extras[o] = list = [];
                        list.Add((r.Next(o.Count + 1), name, RandomJson(r, 0)?.ToJsonString() ?? "null"));
                        break;
                    case 3 when target.Parent is JsonObject parent:
                        parent.Remove(target.GetPropertyName());
                        break;
                    default:
                        root = Replace(root, target, RandomJson(r, 0));
                        break;
                }
            }
            AssertSameEverywhere(Write(root, indented: r.Next(2) == 0, extras, relaxed: r.Next(2) == 0));
        });

    /// <summary>Valid documents with bytes changed, inserted or deleted: mostly malformed JSON, where the path and
    /// the reader's words and position must be the serializer's.</summary>
    [Property(MaxTest = 1000)]
    public Property MutatedBytesReadTheSame() =>
        Prop.ForAll(Seeds.ToArbitrary(), seed =>
        {
            var r = new Random(seed);
            byte[][] documents = ValidDocuments();
            byte[] bytes = (byte[])documents[r.Next(documents.Length)].Clone();
            int edits = r.Next(1, 4);
            for (int i = 0; i < edits; i++) bytes = MutateBytes(r, bytes);
            AssertSameEverywhere(bytes);
        });

    // ---- Helpers ----

    private static JsonNode Replace(JsonNode root, JsonNode target, JsonNode? replacement)
    {
        switch (target.Parent)
        {
            case JsonObject o: o[target.GetPropertyName()] = replacement; return root;
            case JsonArray a: a[target.GetElementIndex()] = replacement; return root;
            default: return replacement ?? JsonValue.Create(0);
        }
    }

    private static readonly string[] OddNames = ["x", "", " ", "a.b", "a'b", "a\"b", "a\\b", "é", "😀", "\u2028", "Cwd", "OciVersion", "user", "[0]", "$"];

    private static string RandomName(Random r) => OddNames[r.Next(OddNames.Length)];

    private static JsonNode? RandomJson(Random r, int depth) => r.Next(depth > 2 ? 7 : 9) switch
    {
        0 => null,
        1 => JsonValue.Create(r.Next(2) == 0),
        2 => JsonValue.Create(r.NextInt64(long.MinValue, long.MaxValue)),
        3 => JsonValue.Create(r.NextDouble() * 1e20),
        4 => JsonValue.Create(RandomSpecs.AnyString(r)),
        5 => JsonValue.Create(ulong.MaxValue),
        6 => JsonNode.Parse(new[] { "0", "-1", "-0", "65536", "4294967296", "2147483648", "1.0", "1e2", "18446744073709551616" }[r.Next(9)]),
        7 => new JsonArray(Enumerable.Range(0, r.Next(3)).Select(_ => RandomJson(r, depth + 1)).ToArray()),
        _ => new JsonObject(Enumerable.Range(0, r.Next(3)).Select(i => KeyValuePair.Create(i == 0 ? RandomName(r) : "k" + i, RandomJson(r, depth + 1)))),
    };

    /// <summary>Writes the tree with extra properties (possibly duplicates, which a JsonObject cannot hold) put into
    /// some of its objects at given positions.</summary>
    private static byte[] Write(JsonNode? root, bool indented, Dictionary<JsonObject, List<(int At, string Name, string Value)>> extras, bool relaxed = false)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
               {
                   Indented = indented,
                   Encoder = relaxed ? JavaScriptEncoder.UnsafeRelaxedJsonEscaping : JavaScriptEncoder.Default,
                   SkipValidation = true,
               }))
        {
            WriteNode(writer, root);
        }
        return buffer.WrittenSpan.ToArray();

        void WriteNode(Utf8JsonWriter w, JsonNode? node)
        {
            switch (node)
            {
                case null: w.WriteNullValue(); break;
                case JsonObject o:
                    w.WriteStartObject();
                    var add = extras.TryGetValue(o, out var list) ? list : [];
                    int i = 0;
                    foreach (var (name, value) in o)
                    {
                        foreach (var extra in add) if (extra.At == i) WriteExtra(w, extra);
                        w.WritePropertyName(name);
                        WriteNode(w, value);
                        i++;
                    }
                    foreach (var extra in add) if (extra.At >= i) WriteExtra(w, extra);
                    w.WriteEndObject();
                    break;
                case JsonArray a:
                    w.WriteStartArray();
                    foreach (JsonNode? item in a) WriteNode(w, item);
                    w.WriteEndArray();
                    break;
                default: node.WriteTo(w); break;
            }
        }

        static void WriteExtra(Utf8JsonWriter w, (int At, string Name, string Value) extra)
        {
            w.WritePropertyName(extra.Name);
            using var value = JsonDocument.Parse(extra.Value);
            value.RootElement.WriteTo(w);
        }
    }

    private static byte[] MutateBytes(Random r, byte[] bytes)
    {
        if (bytes.Length == 0) return [(byte)r.Next(256)];
        int at = r.Next(bytes.Length);
        byte[] tokens = "{}[]:,\"-0123456789.eEtfn \\u\n"u8.ToArray();
        switch (r.Next(4))
        {
            case 0: bytes[at] = tokens[r.Next(tokens.Length)]; return bytes;
            case 1: bytes[at] = (byte)r.Next(256); return bytes;
            case 2: return [.. bytes[..at], .. bytes[Math.Min(bytes.Length, at + r.Next(1, 20))..]];
            default: return [.. bytes[..at], tokens[r.Next(tokens.Length)], .. bytes[at..]];
        }
    }
}

/// <summary>The parts of a stored config that commands read without the rest (state.json's <c>config</c>, the
/// init's spec) come out as the serializer made them.</summary>
public class StoredConfigReadingTests
{
    private static JsonElement Element(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string Written<T>(T value, JsonTypeInfo<T> info) => Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(value, info));

    [Fact]
    public void ARecordReadsItsConfigAnnotationsAndHooksAsTheSerializerDid()
    {
        JsonElement config = Element(SpecDocuments.ValidLinuxConfig);
        var record = new Oci.Runtime.State.ContainerRecord { ConfigJson = config };
        Assert.Equal(Written(config.GetProperty("annotations").Deserialize(SpecJsonContext.Relaxed.DictionaryStringString)!, SpecJsonContext.Relaxed.DictionaryStringString),
            Written(record.Annotations!, SpecJsonContext.Relaxed.DictionaryStringString));
        Assert.Equal(Written(config.GetProperty("hooks").Deserialize(SpecJsonContext.Relaxed.Hooks)!, SpecJsonContext.Relaxed.Hooks),
            Written(record.Hooks!, SpecJsonContext.Relaxed.Hooks));
        Assert.Equal(Written(config.Deserialize(SpecJsonContext.Relaxed.RuntimeSpec)!, SpecJsonContext.Relaxed.RuntimeSpec),
            Written(record.Config, SpecJsonContext.Relaxed.RuntimeSpec));
    }

    [Fact]
    public void AbsentOrNullPartsReadAsNull()
    {
        var record = new Oci.Runtime.State.ContainerRecord { ConfigJson = Element("""{"ociVersion":"1.3.0","annotations":null}""") };
        Assert.Null(record.Annotations);
        Assert.Null(record.Hooks);
        Assert.Equal("1.3.0", record.Config.OciVersion);
    }
}
