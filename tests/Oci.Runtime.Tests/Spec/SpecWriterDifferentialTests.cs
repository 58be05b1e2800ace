using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Oci.Runtime.Lifecycle;
using Oci.Runtime.Spec;
using Oci.Runtime.State;
using Xunit;

namespace Oci.Runtime.Tests.Spec;

/// <summary>
/// <see cref="SpecWriter"/> writes the spec documents by hand so that the oci-run binary does not build the
/// serializer's metadata at run time (it cost more CPU than the rest of a command). Its output must stay byte for
/// byte what <see cref="JsonSerializer"/> writes with <see cref="SpecJsonContext.Relaxed"/>: these tests compare
/// the two over the spec's schema test documents, random specs, and objects with every property set, extension data
/// at every level, null entries, escaped and non-ASCII text and extreme numbers.
/// </summary>
public class SpecWriterDifferentialTests
{
    private static readonly Gen<int> Seeds = Gen.Choose(0, int.MaxValue);

    // ---- the comparison ----

    private static void SameAsSerializer(RuntimeSpec spec)
    {
        Same(JsonSerializer.SerializeToUtf8Bytes(spec, SpecJsonContext.Relaxed.RuntimeSpec), SpecWriter.ToUtf8(spec));
        Same(JsonSerializer.SerializeToUtf8Bytes(spec, Compact.RuntimeSpec), SpecWriter.ToUtf8(spec, indented: false));
        Same(JsonSerializer.SerializeToUtf8Bytes(spec, SpecJsonContext.Relaxed.RuntimeSpec), SpecLoader.Serialize(spec));
        if (spec.Process is { } process) SameAsSerializer(process);
        if (spec.Linux?.Resources is { } resources) SameAsSerializer(resources);
    }

    private static void SameAsSerializer(Process process)
    {
        Same(JsonSerializer.SerializeToUtf8Bytes(process, SpecJsonContext.Relaxed.Process), SpecWriter.ToUtf8(process));
        Same(JsonSerializer.SerializeToUtf8Bytes(process, Compact.Process), SpecWriter.ToUtf8(process, indented: false));
        Same(JsonSerializer.SerializeToUtf8Bytes(process, SpecJsonContext.Relaxed.Process), SpecLoader.SerializeProcess(process));
    }

    private static void SameAsSerializer(LinuxResources resources)
    {
        Same(JsonSerializer.SerializeToUtf8Bytes(resources, SpecJsonContext.Relaxed.LinuxResources), SpecWriter.ToUtf8(resources));
        Same(JsonSerializer.SerializeToUtf8Bytes(resources, Compact.LinuxResources), SpecWriter.ToUtf8(resources, indented: false));
    }

    private static void SameAsSerializer(Features features)
    {
        Same(JsonSerializer.SerializeToUtf8Bytes(features, SpecJsonContext.Relaxed.Features), SpecWriter.ToUtf8(features));
        Same(JsonSerializer.SerializeToUtf8Bytes(features, Compact.Features), SpecWriter.ToUtf8(features, indented: false));
        Same(JsonSerializer.SerializeToUtf8Bytes(features, SpecJsonContext.Relaxed.Features), SpecLoader.SerializeFeatures(features));
    }

    private static void Same(byte[] expected, byte[] actual)
    {
        if (expected.AsSpan().SequenceEqual(actual)) return;
        int at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at]) at++;
        Assert.Fail($"first difference at byte {at}\nexpected:\n{Encoding.UTF8.GetString(expected)}\nactual:\n{Encoding.UTF8.GetString(actual)}");
    }

    /// <summary>The Relaxed options without indentation, for <c>indented: false</c>.</summary>
    private static readonly SpecJsonContext Compact = new(new JsonSerializerOptions(SpecJsonContext.Relaxed.Options) { WriteIndented = false });

    // ---- the spec's schema test documents ----

    public static TheoryData<string> GoodConfigs() => Files("config", "good");
    public static TheoryData<string> BadConfigs() => Files("config", "bad");
    public static TheoryData<string> GoodFeatures() => Files("features", "good");

    private static TheoryData<string> Files(string kind, string goodOrBad) =>
        new(Directory.GetFiles(TestPaths.SchemaTests(kind, goodOrBad), "*.json").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(GoodConfigs))]
    public void GoodSchemaConfig(string file) =>
        SameAsSerializer(SpecLoader.ParseUnvalidated(File.ReadAllBytes(Path.Combine(TestPaths.SchemaTests("config", "good"), file))));

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void BadSchemaConfigThatStillParses(string file)
    {
        RuntimeSpec spec;
        try { spec = SpecLoader.ParseUnvalidated(File.ReadAllBytes(Path.Combine(TestPaths.SchemaTests("config", "bad"), file))); }
        catch (SpecValidationException) { return; }
        SameAsSerializer(spec);
    }

    [Theory]
    [MemberData(nameof(GoodFeatures))]
    public void GoodSchemaFeatures(string file) =>
        SameAsSerializer(SpecLoader.ParseFeatures(File.ReadAllBytes(Path.Combine(TestPaths.SchemaTests("features", "good"), file))));

    [Fact]
    public void FeaturesReportOfThisBuild() => SameAsSerializer(FeaturesReport.Create());

    [Fact]
    public void ValidLinuxConfigOfTheTests() => SameAsSerializer(SpecLoader.Parse(Encoding.UTF8.GetBytes(SpecDocuments.ValidLinuxConfig)));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DefaultSpec(bool rootless) => SameAsSerializer(Oci.Runtime.Spec.DefaultSpec.Create(rootless));

    // ---- random specs ----

    [Property(MaxTest = 300)]
    public Property RandomValidSpecs() =>
        Prop.ForAll(Seeds.ToArbitrary(), seed =>
        {
            SameAsSerializer(RandomSpecs.Build(new Random(seed), valid: true));
            return true;
        });

    [Property(MaxTest = 300)]
    public Property RandomInvalidSpecs() =>
        Prop.ForAll(Seeds.ToArbitrary(), seed =>
        {
            SameAsSerializer(RandomSpecs.Build(new Random(seed), valid: false));
            return true;
        });

    /// <summary>Valid documents with unknown members added at random objects (extension data) and values replaced by
    /// random JSON, kept when they still parse.</summary>
    [Property(MaxTest = 300)]
    public Property ParsedDocumentsWithUnknownMembers() =>
        Prop.ForAll(Seeds.ToArbitrary(), seed =>
        {
            var r = new Random(seed);
            var docs = new List<string> { SpecDocuments.ValidLinuxConfig };
            docs.AddRange(Directory.GetFiles(TestPaths.SchemaTests("config", "good"), "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllText));
            JsonNode root = JsonNode.Parse(docs[r.Next(docs.Count)])!;
            var objects = new List<JsonObject>();
            Collect(root, objects);
            for (int i = r.Next(1, 6); i > 0; i--)
                objects[r.Next(objects.Count)]["x-" + RandomSpecs.AnyString(r)] = RandomSpecs.AnyJson(r, 0);
            RuntimeSpec spec;
            try { spec = SpecLoader.ParseUnvalidated(Encoding.UTF8.GetBytes(root.ToJsonString())); }
            catch (SpecValidationException) { return true; }
            SameAsSerializer(spec);
            return true;
        });

    // ---- every property set ----

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void EveryPropertySet(int variant)
    {
        var filler = new Filler(variant);
        SameAsSerializer(filler.Make<RuntimeSpec>());
        SameAsSerializer(filler.Make<Process>());
        SameAsSerializer(filler.Make<LinuxResources>());
        SameAsSerializer(filler.Make<Features>());
    }

    [Property(MaxTest = 100)]
    public Property EveryPropertySetRandomly() =>
        Prop.ForAll(Seeds.ToArbitrary(), seed =>
        {
            var filler = new Filler(seed) { Random = new Random(seed) };
            SameAsSerializer(filler.Make<RuntimeSpec>());
            SameAsSerializer(filler.Make<Features>());
            return true;
        });

    /// <summary>Sets every serialized property of every type the documents reach (found by reflection, so a property
    /// added to the model and not to the writer fails here): strings odd, numbers extreme, lists and dictionaries
    /// with a null entry, extension data of every kind of JSON value.</summary>
    private sealed class Filler(int variant)
    {
        public Random? Random { get; init; }
        private int counter;

        private bool Coin() => Random is { } r ? r.Next(3) != 0 : true;

        public T Make<T>() => (T)Make(typeof(T), 0)!;

        private object? Make(Type type, int depth)
        {
            int n = counter++;
            if (type == typeof(string)) return Strings[(n + variant) % Strings.Length];
            if (Nullable.GetUnderlyingType(type) is { } underlying) return Make(underlying, depth);
            if (type == typeof(bool)) return (n + variant) % 2 == 0;
            if (type == typeof(int)) return Pick<int>([int.MinValue, int.MaxValue, 0, -1, 42], n);
            if (type == typeof(uint)) return Pick<uint>([uint.MaxValue, 0, 1, 4096], n);
            if (type == typeof(long)) return Pick<long>([long.MinValue, long.MaxValue, 0, -1, 1L << 53], n);
            if (type == typeof(ulong)) return Pick<ulong>([ulong.MaxValue, 0, 1, (1UL << 63) + 1], n);
            if (type == typeof(ushort)) return Pick<ushort>([ushort.MaxValue, 0, 10, 1000], n);
            if (type == typeof(Dictionary<string, JsonElement>)) return Extensions(n);
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
            {
                Type item = type.GetGenericArguments()[0];
                var list = (IList)Activator.CreateInstance(type)!;
                if (Coin()) list.Add(Make(item, depth + 1));
                if (!item.IsValueType && (variant + n) % 2 == 0) list.Add(null);
                if (Coin()) list.Add(Make(item, depth + 1));
                return list;
            }
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                Type value = type.GetGenericArguments()[1];
                var map = (IDictionary)Activator.CreateInstance(type)!;
                if (Coin()) map["k\u00e9\"<&>\u2028"] = Make(value, depth + 1);
                if ((variant + n) % 2 == 0) map["null"] = null;
                if (Coin()) map[Strings[(n + 3) % Strings.Length] + "key"] = Make(value, depth + 1);
                return map;
            }
            if (type.IsClass && type.Namespace == "Oci.Runtime.Spec")
            {
                object o = Activator.CreateInstance(type)!;
                foreach (PropertyInfo p in type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                {
                    if (p.GetCustomAttribute<JsonIgnoreAttribute>() is not null || p.SetMethod is null) continue;
                    bool serialized = p.GetCustomAttribute<JsonPropertyNameAttribute>() is not null || p.GetCustomAttribute<JsonExtensionDataAttribute>() is not null;
                    if (!serialized) continue;
                    // Leave some properties null (the random variant), and required ones null too: the serializer
                    // leaves those out as well.
                    if (Random is { } r && r.Next(4) == 0) { p.SetValue(o, null); continue; }
                    if (variant == 3 && !p.PropertyType.IsValueType && (counter++ % 3) == 0) { p.SetValue(o, null); continue; }
                    p.SetValue(o, Make(p.PropertyType, depth + 1));
                }
                return o;
            }
            throw new NotSupportedException($"no value for {type}");
        }

        private T Pick<T>(T[] values, int n) => values[(n + variant) % values.Length];

        private Dictionary<string, JsonElement>? Extensions(int n)
        {
            if ((n + variant) % 5 == 4) return null;
            if ((n + variant) % 5 == 3) return [];
            var ext = new Dictionary<string, JsonElement>();
            string[] values =
            [
                "null", "true", "false", "0", "-0", "1.50e3", "18446744073709551616", "-9223372036854775809", "1E-400",
                "\"\\u00e9\\ud83d\\ude00\\n\\\"\\/<>&'+\"", "\"plain\"", "[]", "{}", "[1,[2,[3,{\"deep\":[null]}]]]",
                "{\"nested\":{\"a\":1,\"b\":[true,\"\\u0000\"],\"c\\u0001\":{}}}",
            ];
            int count = 1 + (n + variant) % 4;
            for (int i = 0; i < count; i++)
            {
                string key = (i % 3) switch { 0 => "x-ext" + n, 1 => "\u00fcnknown\"\\\u0007" + i, _ => "😀" + i };
                ext[key] = JsonDocument.Parse(values[(n * 7 + i + variant) % values.Length]).RootElement.Clone();
            }
            return ext;
        }

        private static readonly string[] Strings =
        [
            "", "plain", "\"quoted\"", "back\\slash", "new\nline\r\t\b\f", "nul\0ctl\u0001\u001f\u007f", "ünïcödé",
            "😀 emoji", "<script>&'+", "\u2028\u2029", "/abs/path", "a\ud800b", "\udc00lone", "\uffff\ufffe",
            new string('x', 300) + "é",
        ];
    }

    // ---- hand-made cases ----

    [Fact]
    public void EmptyObjects()
    {
        SameAsSerializer(new RuntimeSpec());
        SameAsSerializer(new Process());
        SameAsSerializer(new LinuxResources());
        SameAsSerializer(new Features());
        SameAsSerializer(new RuntimeSpec
        {
            Root = new(), Mounts = [], Process = new(), Hooks = new() { Prestart = [], Poststop = [new()] }, Annotations = [],
            Linux = new()
            {
                Namespaces = [], TimeOffsets = [], NetDevices = [], Sysctl = [], Resources = new() { BlockIO = new(), Memory = new(), Cpu = new(), Pids = new(), Network = new(), Rdma = [], Unified = [] },
                Seccomp = new() { Syscalls = [new()] }, IntelRdt = new(), Personality = new(), MemoryPolicy = new(),
            },
        });
        SameAsSerializer(new Features { Linux = new() { Cgroup = new(), Seccomp = new(), AppArmor = new(), Selinux = new(), IntelRdt = new(), MountExtensions = new() { IdMap = new() }, NetDevices = new(), MemoryPolicy = new() } });
    }

    [Fact]
    public void ProcessUserAbsentOrDefault()
    {
        var process = new Process { Cwd = "/", Args = ["sh"] };
        SameAsSerializer(process); // no user: left out
        _ = process.User; // reading User creates the default user, which is then written
        SameAsSerializer(process);
        Assert.Contains("\"user\"", Encoding.UTF8.GetString(SpecWriter.ToUtf8(process)));
    }

    [Fact]
    public void NullsInsideListsAndDictionaries()
    {
        var spec = new RuntimeSpec
        {
            OciVersion = null!,
            Mounts = [null!, new() { Destination = null!, Options = [null!, "ro"] }],
            Annotations = new() { ["a"] = null!, ["b"] = "c" },
            Hooks = new() { CreateRuntime = [null!], Poststop = [new() { Path = "/h", Args = [null!] }] },
            Linux = new()
            {
                TimeOffsets = new() { ["monotonic"] = null! }, NetDevices = new() { ["eth0"] = null!, ["eth1"] = new() },
                Sysctl = new() { ["k"] = null! }, Namespaces = [null!], UidMappings = [null!], Devices = [null!],
                MaskedPaths = [null!],
                Resources = new()
                {
                    Devices = [null!], HugepageLimits = [null!], Rdma = new() { ["mlx"] = null! }, Unified = new() { ["memory.high"] = null! },
                    BlockIO = new() { WeightDevice = [null!], ThrottleReadBpsDevice = [null!], ThrottleWriteIOPSDevice = [null!] },
                    Network = new() { Priorities = [null!] },
                },
                Seccomp = new() { DefaultAction = null!, Syscalls = [null!, new() { Names = null!, Args = [null!] }] },
            },
            Process = new() { Cwd = null!, Rlimits = [null!], Env = [null!], User = new() { AdditionalGids = [] } },
        };
        SameAsSerializer(spec);
    }

    [Fact]
    public void ExtensionDataAtSeveralLevels()
    {
        static Dictionary<string, JsonElement> Ext(string json) =>
            JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        var spec = new RuntimeSpec
        {
            OciVersion = "1.3.0",
            Extensions = Ext("""{"windows":{"layerFolders":["C:\\a"]},"vm":{"hypervisor":{"path":"/hv"}},"ociVersion":"dup"}"""),
            Root = new() { Path = "rootfs", Extensions = Ext("""{"x":1e2,"y":-0.0}""") },
            Process = new()
            {
                Cwd = "/", Extensions = Ext("""{"z":null}"""),
                User = new() { Extensions = Ext("""{"sid":"S-1"}""") },
                ConsoleSize = new() { Height = 1, Width = 2, Extensions = Ext("""{"q":[]}""") },
                Rlimits = [new() { Type = "RLIMIT_NOFILE", Hard = ulong.MaxValue, Extensions = Ext("""{"r":{}}""") }],
            },
            Linux = new()
            {
                Extensions = Ext("""{"future":{"a":[1,2,3]}}"""),
                Resources = new() { Extensions = Ext("""{"misc":{"x":"\u00e9"}}"""), Memory = new() { Limit = -1, Extensions = Ext("""{"m":true}""") } },
                Seccomp = new() { DefaultAction = "SCMP_ACT_ALLOW", Extensions = Ext("""{"s":"\ud83d\ude00"}"""), Syscalls = [new() { Names = ["read"], Action = "SCMP_ACT_ALLOW", Extensions = Ext("""{"t":0}"""), Args = [new() { Op = "SCMP_CMP_EQ", Extensions = Ext("""{"u":1}""") }] }] },
            },
        };
        SameAsSerializer(spec);
    }

    [Fact]
    public void ExtremeNumbers()
    {
        var spec = new RuntimeSpec
        {
            Process = new()
            {
                OomScoreAdj = int.MinValue,
                User = new() { Uid = uint.MaxValue, Gid = 0, Umask = uint.MaxValue, AdditionalGids = [0, uint.MaxValue] },
                Rlimits = [new() { Hard = ulong.MaxValue, Soft = 0 }],
                Scheduler = new() { Nice = int.MinValue, Priority = int.MaxValue, Runtime = ulong.MaxValue, Deadline = 0, Period = 1 },
                IOPriority = new() { Priority = int.MinValue },
            },
            Linux = new()
            {
                TimeOffsets = new() { ["boottime"] = new() { Secs = long.MinValue, Nanosecs = uint.MaxValue } },
                Devices = [new() { Major = long.MinValue, Minor = long.MaxValue, FileMode = uint.MaxValue }],
                Resources = new()
                {
                    Memory = new() { Limit = long.MinValue, Swap = long.MaxValue, Swappiness = ulong.MaxValue },
                    Cpu = new() { Shares = ulong.MaxValue, Quota = long.MinValue, Idle = -1 },
                    BlockIO = new() { Weight = ushort.MaxValue, LeafWeight = 0, WeightDevice = [new() { Major = long.MaxValue, Minor = long.MinValue, Weight = ushort.MaxValue }] },
                    Network = new() { ClassId = uint.MaxValue },
                },
                Seccomp = new() { DefaultErrnoRet = uint.MaxValue, Syscalls = [new() { Args = [new() { Index = uint.MaxValue, Value = ulong.MaxValue, ValueTwo = 0 }] }] },
            },
        };
        SameAsSerializer(spec);
    }

    [Fact]
    public void DefaultJsonElementInExtensionDataThrowsAsTheSerializerDoes()
    {
        var root = new RuntimeSpec { Extensions = new() { ["x"] = default } };
        Assert.Throws<InvalidOperationException>(() => JsonSerializer.SerializeToUtf8Bytes(root, SpecJsonContext.Relaxed.RuntimeSpec));
        Assert.Throws<InvalidOperationException>(() => SpecWriter.ToUtf8(root));
    }

    // ---- the stored config of a container record ----

    [Fact]
    public void ChangedConfigOfARecordIsWrittenAsTheSerializerWroteIt()
    {
        RuntimeSpec spec = SpecLoader.Parse(Encoding.UTF8.GetBytes(SpecDocuments.ValidLinuxConfig));
        spec.Linux!.Resources!.Memory!.Limit = 1 << 20;
        spec.Extensions = new() { ["x-\u00e9"] = JsonDocument.Parse("""{"a":[1.0,"\u0001"]}""").RootElement.Clone() };
        var record = new ContainerRecord { Config = spec };
        JsonElement expected = JsonSerializer.SerializeToElement(spec, SpecJsonContext.Relaxed.RuntimeSpec);
        Same(WriteCompact(expected), WriteCompact(record.ConfigJson));
    }

    private static byte[] WriteCompact(JsonElement element)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = MinimalJsonEncoder.Instance }))
            element.WriteTo(writer);
        return buffer.WrittenSpan.ToArray();
    }

    // ---- helpers ----

    private static void Collect(JsonNode node, List<JsonObject> into)
    {
        if (node is JsonObject o)
        {
            into.Add(o);
            foreach (var (_, v) in o) if (v is not null) Collect(v, into);
        }
        if (node is JsonArray a) foreach (JsonNode? v in a) if (v is not null) Collect(v, into);
    }

}
