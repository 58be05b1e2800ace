using System.Text.Json;

namespace Oci.Runtime.Spec;

/// <summary>Checks the rules runtime-spec v1.3 states for a config (config.md, config-linux.md), a state
/// (runtime.md) and a features document (features.md, features-linux.md) beyond what the JSON types enforce.
/// Every finding names the JSON path of the offending value.</summary>
internal static partial class SpecValidator
{
    private static readonly string[] OtherPlatforms = ["windows", "solaris", "vm", "zos", "freebsd"];

    /// <summary>Validates a config and returns its warnings.</summary>
    /// <exception cref="SpecValidationException">The first error, as <c>path: problem</c>.</exception>
    public static IReadOnlyList<SpecProblem> Validate(RuntimeSpec spec) => ThrowOnError(Check(spec));

    /// <summary>Validates a state document and returns its warnings.</summary>
    /// <exception cref="SpecValidationException">The first error.</exception>
    public static IReadOnlyList<SpecProblem> Validate(ContainerStateDocument state) => ThrowOnError(Check(state));

    /// <summary>Validates a features document and returns its warnings.</summary>
    /// <exception cref="SpecValidationException">The first error.</exception>
    public static IReadOnlyList<SpecProblem> Validate(Features features) => ThrowOnError(Check(features));

    /// <summary>All errors and warnings of a config, in document order.</summary>
    public static IReadOnlyList<SpecProblem> Check(RuntimeSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var c = new SpecChecker();
        bool isWindows = spec.Extensions?.ContainsKey("windows") == true;
        bool isLinux = spec.Linux is not null || !OtherPlatforms.Any(p => spec.Extensions?.ContainsKey(p) == true);
        LinuxNamespace[] namespaces = spec.Linux?.Namespaces?.Where(n => n is not null).ToArray() ?? [];

        if (c.NonEmpty("ociVersion", spec.OciVersion))
            c.Matches("ociVersion", spec.OciVersion, SpecSyntax.IsSemVer, "a SemVer 2.0.0 version");

        if (spec.Root is null)
        {
            if (!isWindows) c.Error("root", "required property is missing");
        }
        else
        {
            c.NonEmpty("root.path", spec.Root.Path);
        }

        foreach (var (p, m) in c.Items("mounts", spec.Mounts)) CheckMount(c, p, m, isLinux, namespaces);
        if (spec.Process is not null) CheckProcess(c, "process", spec.Process, isLinux, isWindows);
        if (spec.Hooks is not null) CheckHooks(c, "hooks", spec.Hooks);
        c.StringMap("annotations", spec.Annotations);
        if (spec.Annotations?.GetValueOrDefault(SignalNames.StopSignalAnnotation) is { } stopSignal
            && (!SignalNames.TryParse(stopSignal, out var parsed) || parsed == 0))
            c.Error(SpecPath.Property("annotations", SignalNames.StopSignalAnnotation),
                $"\"{stopSignal}\" is not a signal (a name such as SIGTERM, or a number from 1 to 64)");

        // A Linux config without "linux" has no namespaces at all: the name would be dropped and the host's kept.
        // runc's words: clients match them.
        if (isLinux)
        {
            if (!string.IsNullOrEmpty(spec.Hostname) && !Has(namespaces, "uts"))
                c.Error("hostname", "unable to set hostname without a private UTS namespace");
            if (!string.IsNullOrEmpty(spec.Domainname) && !Has(namespaces, "uts"))
                c.Error("domainname", "unable to set domainname without a private UTS namespace");
        }
        if (spec.Linux is not null) CheckLinux(c, "linux", spec.Linux, namespaces);

        if (spec.Extensions?.TryGetValue("freebsd", out JsonElement freebsd) == true)
            CheckFreeBsd(c, "freebsd", freebsd);
        return c.Problems;
    }

    /// <summary>All errors and warnings of a state document.</summary>
    public static IReadOnlyList<SpecProblem> Check(ContainerStateDocument state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var c = new SpecChecker();
        if (c.NonEmpty("ociVersion", state.OciVersion))
            c.Matches("ociVersion", state.OciVersion, SpecSyntax.IsSemVer, "a SemVer 2.0.0 version");
        c.NonEmpty("id", state.Id);
        if (c.NonEmpty("status", state.Status))
            c.OneOf("status", state.Status, SpecNames.ContainerStatuses, "container status");
        c.InRange("pid", state.Pid, 0, int.MaxValue);
        if (state.Pid is null && state.Status is "created" or "running")
            c.Error("pid", $"required when the status is {state.Status}");
        c.Absolute("bundle", state.Bundle);
        c.StringMap("annotations", state.Annotations);
        return c.Problems;
    }

    /// <summary>All errors and warnings of a features document.</summary>
    public static IReadOnlyList<SpecProblem> Check(Features features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var c = new SpecChecker();
        foreach (var (path, version) in new[] { ("ociVersionMin", features.OciVersionMin), ("ociVersionMax", features.OciVersionMax) })
            if (c.NonEmpty(path, version)) c.Matches(path, version, SpecSyntax.IsSemVer, "a SemVer 2.0.0 version");
        c.Strings("hooks", features.Hooks);
        c.Strings("mountOptions", features.MountOptions);
        c.StringMap("annotations", features.Annotations);
        c.Strings("potentiallyUnsafeConfigAnnotations", features.PotentiallyUnsafeConfigAnnotations);
        if (features.Linux is { } linux)
        {
            c.AllOneOf("linux.namespaces", linux.Namespaces, SpecNames.NamespaceTypes, "namespace type");
            foreach (var (p, cap) in c.Items("linux.capabilities", linux.Capabilities))
                c.Matches(p, cap, SpecSyntax.IsCapabilityName, "a capability name (CAP_[A-Z_]+)");
            if (linux.Seccomp is { } s)
            {
                c.AllOneOf("linux.seccomp.actions", s.Actions, SpecNames.SeccompActions, "seccomp action");
                c.AllOneOf("linux.seccomp.operators", s.Operators, SpecNames.SeccompOperators, "seccomp operator");
                c.AllOneOf("linux.seccomp.archs", s.Archs, SpecNames.SeccompArchitectures, "seccomp architecture");
                c.AllOneOf("linux.seccomp.knownFlags", s.KnownFlags, SpecNames.SeccompFlags, "seccomp flag");
                c.AllOneOf("linux.seccomp.supportedFlags", s.SupportedFlags, SpecNames.SeccompFlags, "seccomp flag");
            }
            if (linux.MemoryPolicy is { } mp)
            {
                c.AllOneOf("linux.memoryPolicy.modes", mp.Modes, SpecNames.MemoryPolicyModes, "memory policy mode");
                c.AllOneOf("linux.memoryPolicy.flags", mp.Flags, SpecNames.MemoryPolicyFlags, "memory policy flag");
            }
        }
        return c.Problems;
    }

    private static IReadOnlyList<SpecProblem> ThrowOnError(IReadOnlyList<SpecProblem> problems)
    {
        foreach (SpecProblem p in problems)
            if (!p.IsWarning) throw p.ToException();
        return problems;
    }

    /// <summary>Whether the config creates a new namespace of <paramref name="type"/> (an entry without a path).</summary>
    private static bool Creates(LinuxNamespace[] namespaces, string type) =>
        namespaces.Any(n => n.Type == type && string.IsNullOrEmpty(n.Path));

    /// <summary>Whether the container has a namespace of <paramref name="type"/> of its own, created or joined.</summary>
    private static bool Has(LinuxNamespace[] namespaces, string type) => namespaces.Any(n => n.Type == type);

    private static void CheckMount(SpecChecker c, string p, Mount m, bool isLinux, LinuxNamespace[] namespaces)
    {
        string dest = $"{p}.destination";
        if (c.NonEmpty(dest, m.Destination) && m.Destination[0] != '/' && !IsWindowsPath(m.Destination))
        {
            if (isLinux) c.Warn(dest, $"relative mount destination \"{m.Destination}\" is deprecated; it is taken relative to /");
            else c.Error(dest, $"must be an absolute path, got \"{m.Destination}\"");
        }
        c.Strings($"{p}.options", m.Options);
        CheckIdMappings(c, $"{p}.uidMappings", m.UidMappings);
        CheckIdMappings(c, $"{p}.gidMappings", m.GidMappings);
        bool hasUid = m.UidMappings is { Count: > 0 }, hasGid = m.GidMappings is { Count: > 0 };
        if (hasUid && !hasGid) c.Error($"{p}.gidMappings", "required when uidMappings is set");
        if (hasGid && !hasUid) c.Error($"{p}.uidMappings", "required when gidMappings is set");
        foreach (var (op, option) in c.Items($"{p}.options", m.Options))
            if (option is "idmap" or "ridmap" && !hasUid && !hasGid && !Has(namespaces, "user"))
                c.Error(op, $"{option} needs uidMappings and gidMappings or a user namespace");
    }

    private static bool IsWindowsPath(string path) =>
        path.Length >= 2 && char.IsAsciiLetter(path[0]) && path[1] == ':' || path.StartsWith(@"\\", StringComparison.Ordinal);

    private static void CheckIdMappings(SpecChecker c, string path, List<LinuxIdMapping>? mappings)
    {
        foreach (var (p, m) in c.Items(path, mappings))
            if (m.Size == 0) c.Error($"{p}.size", "must be greater than 0");
    }

    private static void CheckProcess(SpecChecker c, string p, Process process, bool isLinux, bool isWindows)
    {
        if (!isWindows)
        {
            c.Absolute($"{p}.cwd", process.Cwd);
            if (process.Args is null || process.Args.Count == 0)
                c.Error($"{p}.args", "must have at least one entry");
        }
        c.Strings($"{p}.args", process.Args);
        foreach (var (ep, env) in c.Items($"{p}.env", process.Env))
        {
            int eq = env.IndexOf('=');
            if (eq < 0) c.Error(ep, $"\"{env}\" is not KEY=value");
            else if (eq == 0) c.Error(ep, $"\"{env}\" has an empty variable name");
            else if (env.Contains('\0')) c.Error(ep, "must not contain a NUL character");
        }

        var rlimitTypes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (rp, r) in c.Items($"{p}.rlimits", process.Rlimits))
        {
            if (isLinux) c.OneOf($"{rp}.type", r.Type, SpecNames.Rlimits, "rlimit");
            else c.Matches($"{rp}.type", r.Type, SpecSyntax.IsRlimitName, "an rlimit name (RLIMIT_[A-Z]+)");
            if (!rlimitTypes.Add(r.Type)) c.Error($"{rp}.type", $"duplicate rlimit \"{r.Type}\"");
            if (r.Soft > r.Hard) c.Error($"{rp}.soft", $"soft limit {r.Soft} exceeds hard limit {r.Hard}");
        }

        if (process.Capabilities is { } caps)
        {
            foreach (var (set, list) in new[] { ("bounding", caps.Bounding), ("effective", caps.Effective),
                         ("inheritable", caps.Inheritable), ("permitted", caps.Permitted), ("ambient", caps.Ambient) })
            {
                foreach (var (cp, cap) in c.Items($"{p}.capabilities.{set}", list))
                {
                    if (!SpecSyntax.IsCapabilityName(cap)) c.Error(cp, $"invalid capability name \"{cap}\"");
                    // config.md lets a runtime go on with a warning; this runtime refuses a capability it cannot
                    // grant, so that a container never runs with fewer privileges than its config asks for.
                    else if (!SpecNames.Capabilities.Contains(cap)) c.Error(cp, $"unknown capability \"{cap}\"");
                }
            }
        }

        c.InRange($"{p}.oomScoreAdj", process.OomScoreAdj, -1000, 1000);
        if (process.IOPriority is { } io)
        {
            c.OneOf($"{p}.ioPriority.class", io.Class, SpecNames.IOPriorityClasses, "I/O priority class");
            c.InRange($"{p}.ioPriority.priority", io.Priority, 0, 7);
        }
        if (process.Scheduler is { } sched)
        {
            c.OneOf($"{p}.scheduler.policy", sched.Policy, SpecNames.SchedulerPolicies, "scheduler policy");
            c.AllOneOf($"{p}.scheduler.flags", sched.Flags, SpecNames.SchedulerFlags, "scheduler flag");
            c.InRange($"{p}.scheduler.nice", sched.Nice, -20, 19);
        }
        if (process.ExecCpuAffinity is { } aff)
        {
            foreach (var (name, list) in new[] { ("initial", aff.Initial), ("final", aff.Final) })
                if (!string.IsNullOrEmpty(list) && CpuList.TryParse(list, out _) is { } problem)
                    c.Error($"{p}.execCPUAffinity.{name}", problem);
        }
    }

    private static void CheckHooks(SpecChecker c, string p, Hooks hooks)
    {
        foreach (var (name, list) in new[] { ("prestart", hooks.Prestart), ("createRuntime", hooks.CreateRuntime),
                     ("createContainer", hooks.CreateContainer), ("startContainer", hooks.StartContainer),
                     ("poststart", hooks.Poststart), ("poststop", hooks.Poststop) })
        {
            foreach (var (hp, hook) in c.Items($"{p}.{name}", list))
            {
                c.Absolute($"{hp}.path", hook.Path);
                if (hook.Timeout is <= 0) c.Error($"{hp}.timeout", $"must be greater than zero, got {hook.Timeout}");
                c.Strings($"{hp}.args", hook.Args);
                c.Strings($"{hp}.env", hook.Env);
            }
        }
    }

    private static void CheckLinux(SpecChecker c, string p, Linux linux, LinuxNamespace[] namespaces)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (np, ns) in c.Items($"{p}.namespaces", linux.Namespaces))
        {
            if (!SpecNames.NamespaceTypes.Contains(ns.Type)) c.Error($"{np}.type", $"unknown namespace type \"{ns.Type}\"");
            else if (!seen.Add(ns.Type)) c.Error($"{np}.type", $"duplicate namespace type \"{ns.Type}\"");
            c.Absolute($"{np}.path", ns.Path);
        }

        CheckIdMappings(c, $"{p}.uidMappings", linux.UidMappings);
        CheckIdMappings(c, $"{p}.gidMappings", linux.GidMappings);
        bool hasUid = linux.UidMappings is { Count: > 0 }, hasGid = linux.GidMappings is { Count: > 0 };
        if (!Has(namespaces, "user"))
        {
            if (hasUid) c.Error($"{p}.uidMappings", "requires a user namespace in linux.namespaces");
            if (hasGid) c.Error($"{p}.gidMappings", "requires a user namespace in linux.namespaces");
        }
        else if (Creates(namespaces, "user"))
        {
            if (!hasUid) c.Error($"{p}.uidMappings", "required when a new user namespace is created");
            if (!hasGid) c.Error($"{p}.gidMappings", "required when a new user namespace is created");
        }

        foreach (var (tp, clock, offset) in c.Entries($"{p}.timeOffsets", linux.TimeOffsets))
        {
            c.OneOf(tp, clock, SpecNames.TimeNamespaceClocks, "time namespace clock");
            if (offset.Nanosecs >= 1_000_000_000) c.Error($"{tp}.nanosecs", $"{offset.Nanosecs} must be less than 1000000000");
        }
        if (linux.TimeOffsets is { Count: > 0 } && !Creates(namespaces, "time"))
            c.Error($"{p}.timeOffsets", "requires a new time namespace in linux.namespaces");

        foreach (var (dp, dev) in c.Items($"{p}.devices", linux.Devices))
        {
            c.Absolute($"{dp}.path", dev.Path);
            c.OneOf($"{dp}.type", dev.Type, SpecNames.DeviceTypes, "device type");
            if (dev.Type != "p")
            {
                if (dev.Major is null) c.Error($"{dp}.major", $"required for device type \"{dev.Type}\"");
                if (dev.Minor is null) c.Error($"{dp}.minor", $"required for device type \"{dev.Type}\"");
            }
        }

        if (linux.Resources is { } res) CheckResources(c, $"{p}.resources", res);

        foreach (var (dp, hostName, dev) in c.Entries($"{p}.netDevices", linux.NetDevices))
        {
            CheckInterfaceName(c, dp, hostName);
            if (dev.Name is not null) CheckInterfaceName(c, $"{dp}.name", dev.Name);
        }

        c.StringMap($"{p}.sysctl", linux.Sysctl);
        if (linux.Seccomp is { } seccomp) CheckSeccomp(c, $"{p}.seccomp", seccomp);
        c.OneOf($"{p}.rootfsPropagation", linux.RootfsPropagation, SpecNames.RootfsPropagations, "rootfs propagation");
        c.Strings($"{p}.maskedPaths", linux.MaskedPaths);
        c.Strings($"{p}.readonlyPaths", linux.ReadonlyPaths);

        if (linux.IntelRdt is { } rdt)
        {
            string mb = $"{p}.intelRdt.memBwSchema";
            if (rdt.MemBwSchema is { } schema && (!schema.StartsWith("MB:", StringComparison.Ordinal) || schema.Contains('\n')))
                c.Error(mb, "must start with \"MB:\" and contain no newline");
            if (rdt.L3CacheSchema?.Contains('\n') == true) c.Error($"{p}.intelRdt.l3CacheSchema", "must not contain a newline");
            foreach (var (sp, line) in c.Items($"{p}.intelRdt.schemata", rdt.Schemata))
                if (line.Contains('\n')) c.Error(sp, "must not contain a newline");
        }

        if (linux.Personality is { } pers)
        {
            c.OneOf($"{p}.personality.domain", pers.Domain, SpecNames.PersonalityDomains, "personality domain");
            foreach (var (fp, flag) in c.Items($"{p}.personality.flags", pers.Flags))
                c.Warn(fp, $"personality flag \"{flag}\" is not supported and is ignored");
        }

        if (linux.MemoryPolicy is { } mp)
        {
            string mode = $"{p}.memoryPolicy.mode";
            c.OneOf(mode, mp.Mode, SpecNames.MemoryPolicyModes, "memory policy mode");
            c.AllOneOf($"{p}.memoryPolicy.flags", mp.Flags, SpecNames.MemoryPolicyFlags, "memory policy flag");
            bool hasNodes = !string.IsNullOrEmpty(mp.Nodes);
            if (hasNodes) c.Matches($"{p}.memoryPolicy.nodes", mp.Nodes, SpecSyntax.IsNodeList, "a node list such as 0-3,7");
            if (mp.Mode is "MPOL_DEFAULT" or "MPOL_LOCAL" && hasNodes)
                c.Error($"{p}.memoryPolicy.nodes", $"must be empty for {mp.Mode}");
            if (mp.Mode is "MPOL_BIND" or "MPOL_INTERLEAVE" or "MPOL_WEIGHTED_INTERLEAVE" or "MPOL_PREFERRED_MANY" && !hasNodes)
                c.Error($"{p}.memoryPolicy.nodes", $"required for {mp.Mode}");
        }
    }

    private static void CheckInterfaceName(SpecChecker c, string path, string name)
    {
        // The kernel's dev_valid_name: at most IFNAMSIZ-1 bytes, not "." or "..", no '/', ':' or white space.
        if (name.Length == 0 || name.Length > 15 || name is "." or ".." || name.Any(ch => ch is '/' or ':' || char.IsWhiteSpace(ch)))
            c.Error(path, $"invalid network interface name \"{name}\"");
    }

    private static void CheckResources(SpecChecker c, string p, LinuxResources r)
    {
        foreach (var (dp, rule) in c.Items($"{p}.devices", r.Devices))
        {
            c.OneOf($"{dp}.type", rule.Type, SpecNames.DeviceCgroupTypes, "device cgroup type");
            if (Cgroups.ContainerDeviceRules.AccessWarning(rule.Access) is { } unknownLetters) c.Warn($"{dp}.access", unknownLetters);
        }
        if (r.Memory is { } mem)
            c.InRange($"{p}.memory.swappiness", mem.Swappiness is ulong s ? (long)Math.Min(s, long.MaxValue) : null, 0, 100);
        if (r.Cpu is { } cpu && cpu.Quota > 0 && cpu.Burst is ulong burst && burst > (ulong)cpu.Quota.Value)
            c.Error($"{p}.cpu.burst", $"{burst} must not exceed quota {cpu.Quota}");
        if (r.BlockIO is { } bio)
        {
            foreach (var (wp, w) in c.Items($"{p}.blockIO.weightDevice", bio.WeightDevice))
                if (w.Weight is null && w.LeafWeight is null) c.Error(wp, "at least one of weight and leafWeight is required");
            foreach (var (name, list) in new[] { ("throttleReadBpsDevice", bio.ThrottleReadBpsDevice),
                         ("throttleWriteBpsDevice", bio.ThrottleWriteBpsDevice), ("throttleReadIOPSDevice", bio.ThrottleReadIOPSDevice),
                         ("throttleWriteIOPSDevice", bio.ThrottleWriteIOPSDevice) })
                foreach (var _ in c.Items($"{p}.blockIO.{name}", list)) { }
        }
        foreach (var (hp, limit) in c.Items($"{p}.hugepageLimits", r.HugepageLimits))
            c.Matches($"{hp}.pageSize", limit.PageSize, SpecSyntax.IsPageSize, "a page size such as 2MB (^[1-9][0-9]*[KMG]B$)");
        if (r.Network is { } net)
            foreach (var (np, prio) in c.Items($"{p}.network.priorities", net.Priorities))
                c.NonEmpty($"{np}.name", prio.Name);
        foreach (var (rp, _, rdma) in c.Entries($"{p}.rdma", r.Rdma))
            if (rdma.HcaHandles is null && rdma.HcaObjects is null) c.Error(rp, "at least one of hcaHandles and hcaObjects is required");
        c.StringMap($"{p}.unified", r.Unified);
    }

    private static void CheckSeccomp(SpecChecker c, string p, LinuxSeccomp s)
    {
        c.OneOf($"{p}.defaultAction", s.DefaultAction, SpecNames.SeccompActions, "seccomp action");
        if (s.DefaultErrnoRet is not null && SpecNames.SeccompActions.Contains(s.DefaultAction)
            && !SpecNames.SeccompErrnoActions.Contains(s.DefaultAction))
            c.Error($"{p}.defaultErrnoRet", $"not allowed with default action {s.DefaultAction}");
        c.AllOneOf($"{p}.architectures", s.Architectures, SpecNames.SeccompArchitectures, "seccomp architecture");
        c.AllOneOf($"{p}.flags", s.Flags, SpecNames.SeccompFlags, "seccomp flag");
        if (!string.IsNullOrEmpty(s.ListenerMetadata) && string.IsNullOrEmpty(s.ListenerPath))
            c.Error($"{p}.listenerMetadata", "must not be set without listenerPath");
        foreach (var (sp, call) in c.Items($"{p}.syscalls", s.Syscalls))
        {
            if (call.Names.Count == 0) c.Error($"{sp}.names", "must have at least one entry");
            foreach (var (np, name) in c.Items($"{sp}.names", call.Names)) c.NonEmpty(np, name);
            c.OneOf($"{sp}.action", call.Action, SpecNames.SeccompActions, "seccomp action");
            if (call.ErrnoRet is not null && SpecNames.SeccompActions.Contains(call.Action)
                && !SpecNames.SeccompErrnoActions.Contains(call.Action))
                c.Error($"{sp}.errnoRet", $"not allowed with action {call.Action}");
            foreach (var (ap, arg) in c.Items($"{sp}.args", call.Args))
            {
                if (arg.Index > 5) c.Error($"{ap}.index", $"{arg.Index} is out of range; system calls have 6 arguments (0 to 5)");
                c.OneOf($"{ap}.op", arg.Op, SpecNames.SeccompOperators, "seccomp operator");
            }
        }
    }

    /// <summary>The schema rules of the FreeBSD section this runtime checks although it does not run FreeBSD jails:
    /// the section keeps its JSON for round-trips, but a config the schema rejects is still rejected.</summary>
    private static void CheckFreeBsd(SpecChecker c, string p, JsonElement freebsd)
    {
        if (freebsd.ValueKind != JsonValueKind.Object) { c.Error(p, "expected an object"); return; }
        if (!freebsd.TryGetProperty("jail", out JsonElement jail)) return;
        if (jail.ValueKind != JsonValueKind.Object) { c.Error($"{p}.jail", "expected an object"); return; }
        foreach (var (name, allowed) in new[] { ("host", SpecNames.FreeBsdSharingModesNoDisable),
                     ("vnet", SpecNames.FreeBsdSharingModesNoDisable), ("ip4", SpecNames.FreeBsdSharingModes),
                     ("ip6", SpecNames.FreeBsdSharingModes) })
        {
            // The section is kept as read, unchecked: a name or a string in it may not be valid text (invalid UTF-8,
            // a lone surrogate escape), which JsonElement reports as InvalidOperationException.
            JsonElement value;
            try
            {
                if (!jail.TryGetProperty(name, out value)) continue;
            }
            catch (InvalidOperationException)
            {
                c.Error($"{p}.jail", "a property name is not valid text");
                return;
            }
            string vp = $"{p}.jail.{name}";
            if (value.ValueKind != JsonValueKind.String || TryGetString(value) is not { } text) c.Error(vp, "expected a string");
            else c.OneOf(vp, text, allowed, "jail sharing mode");
        }
    }

    private static string? TryGetString(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
