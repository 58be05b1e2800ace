using System.Text.Json.Nodes;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Tests.Spec;

/// <summary>Builds random configs from a seed: with <c>valid</c>, values that pass <see cref="SpecValidator"/>;
/// otherwise any value of the right type, including odd strings and extreme numbers.</summary>
internal static class RandomSpecs
{
    private static readonly string[] OddStrings = ["", " ", "\"quoted\"", "back\\slash", "new\nline", "tab\t", "nul\0",
        "ünïcödé", "😀", "<script>&'", "+plus", "\u2028", "/abs/path", "rel/path"];

    public static string AnyString(Random r) => r.Next(3) switch
    {
        0 => OddStrings[r.Next(OddStrings.Length)],
        1 => new string(Enumerable.Range(0, r.Next(12)).Select(_ => (char)r.Next(0x20, 0x7f)).ToArray()),
        _ => new string(Enumerable.Range(0, r.Next(6)).Select(_ => (char)r.Next(0xa0, 0xd7ff)).ToArray()),
    };

    private static string Name(Random r) => "n" + r.Next(100000);
    private static string AbsPath(Random r) => "/" + string.Join('/', Enumerable.Range(0, r.Next(1, 4)).Select(_ => Name(r)));
    private static string Pick(Random r, IReadOnlySet<string> set) => set.ElementAt(r.Next(set.Count));
    private static string Pick(Random r, string[] items) => items[r.Next(items.Length)];
    private static bool Maybe(Random r) => r.Next(2) == 0;
    private static T? Opt<T>(Random r, Func<T> make) where T : class => Maybe(r) ? make() : null;
    private static T? OptV<T>(Random r, Func<T> make) where T : struct => Maybe(r) ? make() : null;
    private static List<T> ListOf<T>(Random r, int max, Func<T> make) => Enumerable.Range(0, r.Next(max + 1)).Select(_ => make()).ToList();
    private static ulong U64(Random r) => (ulong)r.NextInt64() * 2 + (ulong)r.Next(2);
    private static uint U32(Random r) => (uint)r.NextInt64(0, (long)uint.MaxValue + 1);
    private static long I64(Random r) => Maybe(r) ? r.NextInt64(long.MinValue, long.MaxValue) : r.NextInt64(-1, 1 << 30);

    public static RuntimeSpec Build(Random r, bool valid)
    {
        string S() => valid ? Name(r) : AnyString(r);
        string P() => valid ? AbsPath(r) : AnyString(r);
        string E(IReadOnlySet<string> set) => valid || Maybe(r) ? Pick(r, set) : AnyString(r);

        var namespaces = SpecNames.NamespaceTypes.Where(_ => Maybe(r))
            .Select(t => new LinuxNamespace { Type = t, Path = valid && t is "user" or "uts" or "time" or "network" ? null : Opt(r, () => P()) })
            .ToList();
        bool newUser = namespaces.Any(n => n.Type == "user" && n.Path is null);
        bool anyUser = namespaces.Any(n => n.Type == "user");
        bool uts = namespaces.Any(n => n.Type == "uts"), time = namespaces.Any(n => n.Type == "time");
        bool net = namespaces.Any(n => n.Type == "network");
        LinuxIdMapping Mapping() => new() { ContainerId = U32(r), HostId = U32(r), Size = valid ? (uint)r.Next(1, 65536) : U32(r) };
        List<LinuxIdMapping>? Mappings() => valid ? (newUser ? ListOf(r, 2, Mapping).Append(Mapping()).ToList() : null) : Opt(r, () => ListOf(r, 3, Mapping));
        var uidMappings = Mappings();
        var gidMappings = valid ? (newUser ? ListOf(r, 2, Mapping).Append(Mapping()).ToList() : null) : Opt(r, () => ListOf(r, 3, Mapping));

        var rlimitTypes = SpecNames.Rlimits.Where(_ => r.Next(4) == 0).ToList();
        var spec = new RuntimeSpec
        {
            OciVersion = valid ? $"{r.Next(3)}.{r.Next(10)}.{r.Next(10)}" + (Maybe(r) ? "-rc.1" : "") : AnyString(r),
            Root = valid ? new Root { Path = S(), Readonly = OptV(r, () => Maybe(r)) } : Opt(r, () => new Root { Path = S(), Readonly = OptV(r, () => Maybe(r)) }),
            Hostname = valid && !uts ? null : Opt(r, () => S()),
            Domainname = valid && !uts ? null : Opt(r, () => S()),
            Annotations = Opt(r, () => ListOf(r, 3, () => KeyValuePair.Create(S() + "x", AnyString(r))).DistinctBy(kv => kv.Key).ToDictionary()),
            Mounts = Opt(r, () => ListOf(r, 3, () => new Mount
            {
                Destination = P(), Type = Opt(r, () => S()), Source = Opt(r, () => P()),
                Options = Opt(r, () => ListOf(r, 3, () => valid ? Pick(r, ["ro", "nosuid", "rbind", "mode=755"]) : AnyString(r))),
            })),
            Process = Opt(r, () => new Process
            {
                Terminal = OptV(r, () => Maybe(r)),
                ConsoleSize = Opt(r, () => new Box { Height = U32(r), Width = U32(r) }),
                User = new User { Uid = U32(r), Gid = U32(r), Umask = OptV(r, () => U32(r)), AdditionalGids = Opt(r, () => ListOf(r, 3, () => U32(r))) },
                Args = valid ? ListOf(r, 3, () => AnyString(r)).Prepend("sh").ToList() : Opt(r, () => ListOf(r, 3, () => AnyString(r))),
                Env = Opt(r, () => ListOf(r, 3, () => valid ? Name(r) + "=" + AnyString(r).Replace("\0", "") : AnyString(r))),
                Cwd = P(),
                Capabilities = Opt(r, () => new LinuxCapabilities
                {
                    Bounding = Opt(r, () => ListOf(r, 4, () => E(SpecNames.Capabilities))),
                    Effective = Opt(r, () => ListOf(r, 4, () => E(SpecNames.Capabilities))),
                    Permitted = Opt(r, () => ListOf(r, 4, () => E(SpecNames.Capabilities))),
                    Inheritable = Opt(r, () => ListOf(r, 4, () => E(SpecNames.Capabilities))),
                    Ambient = Opt(r, () => ListOf(r, 4, () => E(SpecNames.Capabilities))),
                }),
                Rlimits = Opt(r, () => rlimitTypes.Select(t =>
                {
                    ulong hard = U64(r), soft = valid ? hard / (ulong)r.Next(1, 5) : U64(r);
                    return new PosixRlimit { Type = valid ? t : AnyString(r), Hard = hard, Soft = soft };
                }).ToList()),
                NoNewPrivileges = OptV(r, () => Maybe(r)),
                ApparmorProfile = Opt(r, () => S()),
                OomScoreAdj = OptV(r, () => valid ? r.Next(-1000, 1001) : r.Next(int.MinValue, int.MaxValue)),
                SelinuxLabel = Opt(r, () => AnyString(r)),
                IOPriority = Opt(r, () => new LinuxIOPriority { Class = E(SpecNames.IOPriorityClasses), Priority = valid ? r.Next(8) : r.Next() }),
                Scheduler = Opt(r, () => new LinuxScheduler
                {
                    Policy = E(SpecNames.SchedulerPolicies), Nice = OptV(r, () => valid ? r.Next(-20, 20) : r.Next()),
                    Priority = OptV(r, () => r.Next()), Flags = Opt(r, () => ListOf(r, 2, () => E(SpecNames.SchedulerFlags))),
                    Runtime = OptV(r, () => U64(r)), Deadline = OptV(r, () => U64(r)), Period = OptV(r, () => U64(r)),
                }),
                ExecCpuAffinity = Opt(r, () => new CpuAffinity { Initial = Opt(r, () => valid ? $"0-{r.Next(8)}" : AnyString(r)), Final = Opt(r, () => valid ? $"{r.Next(8)}" : AnyString(r)) }),
            }),
            Hooks = Opt(r, () => new Hooks
            {
                Prestart = Opt(r, () => ListOf(r, 2, () => Hook(r, valid, P))),
                CreateRuntime = Opt(r, () => ListOf(r, 2, () => Hook(r, valid, P))),
                CreateContainer = Opt(r, () => ListOf(r, 2, () => Hook(r, valid, P))),
                StartContainer = Opt(r, () => ListOf(r, 2, () => Hook(r, valid, P))),
                Poststart = Opt(r, () => ListOf(r, 2, () => Hook(r, valid, P))),
                Poststop = Opt(r, () => ListOf(r, 2, () => Hook(r, valid, P))),
            }),
        };

        spec.Linux = new Linux
        {
            Namespaces = namespaces,
            UidMappings = uidMappings,
            GidMappings = gidMappings,
            TimeOffsets = valid && !time ? null : Opt(r, () => SpecNames.TimeNamespaceClocks.Where(_ => Maybe(r)).ToDictionary(c => c, _ => new LinuxTimeOffset { Secs = I64(r), Nanosecs = valid ? (uint)r.Next(1_000_000_000) : U32(r) })),
            Devices = Opt(r, () => ListOf(r, 3, () => new LinuxDevice
            {
                Path = P(), Type = valid ? "c" : E(SpecNames.DeviceTypes), Major = valid ? r.Next(300) : OptV(r, () => I64(r)), Minor = valid ? r.Next(300) : OptV(r, () => I64(r)),
                FileMode = OptV(r, () => (uint)r.Next(512)), Uid = OptV(r, () => U32(r)), Gid = OptV(r, () => U32(r)),
            })),
            CgroupsPath = Opt(r, () => P()),
            Resources = Opt(r, () => Resources(r, valid, S)),
            NetDevices = valid && !net ? null : Opt(r, () => ListOf(r, 3, () => "eth" + r.Next(100)).Distinct().ToDictionary(n => n, _ => new LinuxNetDevice { Name = Opt(r, () => valid ? "c" + r.Next(100) : AnyString(r)) })),
            IntelRdt = Opt(r, () => new LinuxIntelRdt
            {
                ClosId = Opt(r, () => S()), Schemata = Opt(r, () => ListOf(r, 2, () => valid ? "L3:0=" + r.Next(100) : AnyString(r))),
                L3CacheSchema = Opt(r, () => valid ? "L3:0=ff" : AnyString(r)), MemBwSchema = Opt(r, () => valid ? "MB:0=" + r.Next(100) : AnyString(r)),
                EnableMonitoring = OptV(r, () => Maybe(r)),
            }),
            Sysctl = Opt(r, () => ListOf(r, 3, () => KeyValuePair.Create("net." + Name(r), AnyString(r))).DistinctBy(kv => kv.Key).ToDictionary()),
            Seccomp = Opt(r, () => Seccomp(r, valid, S)),
            RootfsPropagation = Opt(r, () => E(SpecNames.RootfsPropagations)),
            MaskedPaths = Opt(r, () => ListOf(r, 3, () => P())),
            ReadonlyPaths = Opt(r, () => ListOf(r, 3, () => P())),
            MountLabel = Opt(r, () => AnyString(r)),
            Personality = Opt(r, () => new LinuxPersonality { Domain = E(SpecNames.PersonalityDomains), Flags = valid ? null : Opt(r, () => ListOf(r, 2, () => AnyString(r))) }),
            MemoryPolicy = Opt(r, () => new LinuxMemoryPolicy
            {
                Mode = valid ? "MPOL_BIND" : E(SpecNames.MemoryPolicyModes), Nodes = valid ? $"0-{r.Next(4)}" : Opt(r, () => AnyString(r)),
                Flags = Opt(r, () => ListOf(r, 2, () => E(SpecNames.MemoryPolicyFlags))),
            }),
        };
        if (!valid && Maybe(r)) spec.Linux = null;
        return spec;
    }

    private static Hook Hook(Random r, bool valid, Func<string> path) => new()
    {
        Path = path(), Args = Opt(r, () => ListOf(r, 3, () => AnyString(r))), Env = Opt(r, () => ListOf(r, 2, () => AnyString(r))),
        Timeout = OptV(r, () => valid ? r.Next(1, 100) : r.Next(int.MinValue, int.MaxValue)),
    };

    private static LinuxResources Resources(Random r, bool valid, Func<string> s)
    {
        long quota = r.NextInt64(1, 1_000_000);
        return new LinuxResources
        {
            Devices = Opt(r, () => ListOf(r, 3, () => new LinuxDeviceCgroup
            {
                Allow = Maybe(r), Type = Opt(r, () => valid ? Pick(r, SpecNames.DeviceCgroupTypes) : AnyString(r)),
                Major = OptV(r, () => I64(r)), Minor = OptV(r, () => I64(r)), Access = Opt(r, () => valid ? Pick(r, ["r", "rw", "rwm", "m"]) : AnyString(r)),
            })),
            Memory = Opt(r, () => new LinuxMemory
            {
                Limit = OptV(r, () => I64(r)), Reservation = OptV(r, () => I64(r)), Swap = OptV(r, () => I64(r)), Kernel = OptV(r, () => I64(r)),
                KernelTcp = OptV(r, () => I64(r)), Swappiness = OptV(r, () => valid ? (ulong)r.Next(101) : U64(r)),
                DisableOomKiller = OptV(r, () => Maybe(r)), UseHierarchy = OptV(r, () => Maybe(r)), CheckBeforeUpdate = OptV(r, () => Maybe(r)),
            }),
            Cpu = Opt(r, () => new LinuxCPU
            {
                Shares = OptV(r, () => U64(r)), Quota = valid ? quota : OptV(r, () => I64(r)), Burst = OptV(r, () => valid ? (ulong)r.NextInt64(0, quota + 1) : U64(r)),
                Period = OptV(r, () => U64(r)), RealtimeRuntime = OptV(r, () => I64(r)), RealtimePeriod = OptV(r, () => U64(r)),
                Cpus = Opt(r, () => valid ? "0-3" : AnyString(r)), Mems = Opt(r, () => valid ? "0" : AnyString(r)), Idle = OptV(r, () => I64(r)),
            }),
            Pids = Opt(r, () => new LinuxPids { Limit = OptV(r, () => I64(r)) }),
            BlockIO = Opt(r, () => new LinuxBlockIO
            {
                Weight = OptV(r, () => (ushort)r.Next(65536)), LeafWeight = OptV(r, () => (ushort)r.Next(65536)),
                WeightDevice = Opt(r, () => ListOf(r, 2, () => new LinuxWeightDevice { Major = I64(r), Minor = I64(r), Weight = valid ? (ushort)r.Next(10, 1001) : OptV(r, () => (ushort)r.Next(65536)), LeafWeight = OptV(r, () => (ushort)r.Next(65536)) })),
                ThrottleReadBpsDevice = Opt(r, () => ListOf(r, 2, () => new LinuxThrottleDevice { Major = I64(r), Minor = I64(r), Rate = U64(r) })),
                ThrottleWriteBpsDevice = Opt(r, () => ListOf(r, 2, () => new LinuxThrottleDevice { Major = I64(r), Minor = I64(r), Rate = U64(r) })),
                ThrottleReadIOPSDevice = Opt(r, () => ListOf(r, 2, () => new LinuxThrottleDevice { Major = I64(r), Minor = I64(r), Rate = U64(r) })),
                ThrottleWriteIOPSDevice = Opt(r, () => ListOf(r, 2, () => new LinuxThrottleDevice { Major = I64(r), Minor = I64(r), Rate = U64(r) })),
            }),
            HugepageLimits = Opt(r, () => ListOf(r, 2, () => new LinuxHugepageLimit { PageSize = valid ? Pick(r, ["64KB", "2MB", "1GB"]) : AnyString(r), Limit = U64(r) })),
            Network = Opt(r, () => new LinuxNetwork { ClassId = OptV(r, () => U32(r)), Priorities = Opt(r, () => ListOf(r, 2, () => new LinuxInterfacePriority { Name = s(), Priority = U32(r) })) }),
            Rdma = Opt(r, () => ListOf(r, 2, () => "mlx" + r.Next(10)).Distinct().ToDictionary(k => k, _ => new LinuxRdma { HcaHandles = valid ? U32(r) : OptV(r, () => U32(r)), HcaObjects = OptV(r, () => U32(r)) })),
            Unified = Opt(r, () => ListOf(r, 2, () => KeyValuePair.Create("memory." + Name(r), AnyString(r))).DistinctBy(kv => kv.Key).ToDictionary()),
        };
    }

    private static LinuxSeccomp Seccomp(Random r, bool valid, Func<string> s)
    {
        string E(IReadOnlySet<string> set) => valid || Maybe(r) ? Pick(r, set) : AnyString(r);
        string errnoAction = Pick(r, SpecNames.SeccompErrnoActions);
        bool listener = Maybe(r);
        return new LinuxSeccomp
        {
            DefaultAction = valid ? errnoAction : E(SpecNames.SeccompActions), DefaultErrnoRet = OptV(r, () => U32(r)),
            Architectures = Opt(r, () => ListOf(r, 3, () => E(SpecNames.SeccompArchitectures))),
            Flags = Opt(r, () => ListOf(r, 2, () => E(SpecNames.SeccompFlags))),
            ListenerPath = valid ? (listener ? "/run/" + s() : null) : Opt(r, () => AnyString(r)),
            ListenerMetadata = valid ? (listener ? Opt(r, () => AnyString(r)) : null) : Opt(r, () => AnyString(r)),
            Syscalls = Opt(r, () => ListOf(r, 3, () => new LinuxSyscall
            {
                Names = valid ? ListOf(r, 2, () => s()).Append(s()).ToList() : ListOf(r, 3, () => AnyString(r)),
                Action = valid ? errnoAction : E(SpecNames.SeccompActions), ErrnoRet = OptV(r, () => U32(r)),
                Args = Opt(r, () => ListOf(r, 2, () => new LinuxSeccompArg { Index = valid ? (uint)r.Next(6) : U32(r), Value = U64(r), ValueTwo = OptV(r, () => U64(r)), Op = E(SpecNames.SeccompOperators) })),
            })),
        };
    }

    /// <summary>Every node of a JSON tree, the root first.</summary>
    public static List<JsonNode> Nodes(JsonNode root)
    {
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        return nodes;

        static void Collect(JsonNode node, List<JsonNode> into)
        {
            into.Add(node);
            if (node is JsonObject o) foreach (var (_, v) in o) { if (v is not null) Collect(v, into); }
            if (node is JsonArray a) foreach (JsonNode? v in a) { if (v is not null) Collect(v, into); }
        }
    }

    /// <summary>A random JSON value (null included), nested a few levels at most.</summary>
    public static JsonNode? AnyJson(Random r, int depth = 0) => r.Next(depth > 2 ? 6 : 8) switch
    {
        0 => null,
        1 => JsonValue.Create(r.Next(2) == 0),
        2 => JsonValue.Create(r.NextInt64(long.MinValue, long.MaxValue)),
        3 => JsonValue.Create(r.NextDouble() * 1e20),
        4 => JsonValue.Create(AnyString(r)),
        5 => JsonValue.Create(ulong.MaxValue),
        6 => new JsonArray(Enumerable.Range(0, r.Next(3)).Select(_ => AnyJson(r, depth + 1)).ToArray()),
        _ => new JsonObject(Enumerable.Range(0, r.Next(3)).Select(i => KeyValuePair.Create("k" + i, AnyJson(r, depth + 1)))),
    };
}
