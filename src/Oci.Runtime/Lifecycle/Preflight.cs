using Oci.Runtime.Init;
using Oci.Runtime.Interop;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Lifecycle;

/// <summary>
/// Checks a valid config against what this runtime and this host can do, before anything of the container is made:
/// a field that cannot take effect here is an error naming it, never silently ignored. One method per field group;
/// a new field adds one line to <see cref="Check"/>.
/// </summary>
internal static class Preflight
{
    public static void Check(RuntimeSpec spec, ContainerPlan plan)
    {
        var process = spec.Process;
        var linux = spec.Linux;
        if (process is not null) UserIds(process.User);
        MountConfinement(spec, plan);
        if (process?.Capabilities is { } capabilities) Capabilities(capabilities);
        if (process?.Scheduler is { } scheduler) Scheduler(scheduler);
        if (!string.IsNullOrEmpty(process?.ApparmorProfile) && !SecurityModules.AppArmorEnabled())
            throw new SpecValidationException("process.apparmorProfile", "AppArmor is not enabled on this host");
        if (!string.IsNullOrEmpty(process?.SelinuxLabel) && !SecurityModules.SelinuxEnabled())
            throw new SpecValidationException("process.selinuxLabel", "SELinux is not enabled on this host");
        if (!string.IsNullOrEmpty(linux?.MountLabel) && !SecurityModules.SelinuxEnabled())
            throw new SpecValidationException("linux.mountLabel", "SELinux is not enabled on this host");
        if (linux?.Sysctl is { Count: > 0 } sysctl) Sysctl(sysctl, spec);
        if (linux?.IntelRdt is not null) IntelRdt();
        if (linux?.NetDevices is { Count: > 0 } netDevices) NetDevices(netDevices, plan);
        if (linux?.Personality is { } personality && !ProcessAttributes.Domains.ContainsKey(personality.Domain))
            throw new SpecValidationException("linux.personality.domain", $"unknown personality domain \"{personality.Domain}\"");
        if (linux?.MemoryPolicy is { } memoryPolicy) MemoryPolicy(memoryPolicy);
        AbsolutePaths("linux.maskedPaths", linux?.MaskedPaths);
        AbsolutePaths("linux.readonlyPaths", linux?.ReadonlyPaths);
    }

    /// <summary>The largest uid or gid a process may be given, as runc allows: (uid_t)-1 (4294967295) means "leave
    /// unchanged" to setresuid/setresgid, so it would keep init's uid 0 and run the process as root, and ids above
    /// 2^31-1 are negative to every interface that takes a signed id.</summary>
    public const uint MaxId = int.MaxValue;

    /// <summary>Refuses a process user whose uid, gid or additional gid is outside 0..<see cref="MaxId"/>, naming the
    /// field (runc's words). For <c>create</c> and for every process <c>exec</c> runs, however it was described.</summary>
    public static void UserIds(User user, string jsonPath = "process.user")
    {
        ArgumentNullException.ThrowIfNull(user);
        InRange($"{jsonPath}.uid", user.Uid);
        InRange($"{jsonPath}.gid", user.Gid);
        for (int i = 0; i < (user.AdditionalGids?.Count ?? 0); i++)
            InRange($"{jsonPath}.additionalGids[{i}]", user.AdditionalGids![i]);

        static void InRange(string path, uint id)
        {
            if (id > MaxId) throw new SpecValidationException(path, $"{id} is out of range: uids and gids must be in range 0-{MaxId}");
        }
    }

    /// <summary>
    /// Without a mount namespace of its own the container's process shares the mount namespace it is in (the
    /// runtime's, or the joined one), whose root is its root: oci-run makes a root filesystem, mounts, devices and
    /// masked or read-only paths only in a namespace it creates (it never changes a mount namespace it shares).
    /// So each of those is refused rather than silently dropped: a config that asked for confinement must not get
    /// the host's "/" instead. root.path must then name the root itself.
    /// </summary>
    static void MountConfinement(RuntimeSpec spec, ContainerPlan plan)
    {
        if (plan.Creates("mount")) return;
        var linux = spec.Linux;
        // runc's words for these two: clients match them.
        if (linux?.MaskedPaths is { Count: > 0 })
            throw new SpecValidationException("linux.maskedPaths", "unable to restrict sys entries without a private MNT namespace");
        if (linux?.ReadonlyPaths is { Count: > 0 })
            throw new SpecValidationException("linux.readonlyPaths", "unable to restrict sys entries without a private MNT namespace");
        if (spec.Root?.Readonly == true)
            throw new SpecValidationException("root.readonly", "cannot make the root read-only without a new mount namespace in linux.namespaces");
        if (spec.Mounts is { Count: > 0 })
            throw new SpecValidationException("mounts[0]", "cannot mount without a new mount namespace in linux.namespaces");
        if (linux?.Devices is { Count: > 0 })
            throw new SpecValidationException("linux.devices[0]", "cannot create a device without a new mount namespace in linux.namespaces");
        if (!string.IsNullOrEmpty(linux?.RootfsPropagation))
            throw new SpecValidationException("linux.rootfsPropagation", "cannot set the root's propagation without a new mount namespace in linux.namespaces");
        if (!IsOwnRoot(plan.Rootfs))
            throw new SpecValidationException("root.path",
                $"{plan.Rootfs} cannot be the container's root without a new mount namespace in linux.namespaces: " +
                "without one the container's root is the runtime's own \"/\"");
    }

    /// <summary>Whether <paramref name="path"/> is this process's root directory (the same file, however named).</summary>
    static bool IsOwnRoot(string path)
    {
        try
        {
            return Sys.FileIdentity(path) == Sys.FileIdentity("/");
        }
        catch (SyscallException)
        {
            return false;
        }
    }

    /// <summary>Masked and read-only paths name places inside the container: runc refuses relative ones.</summary>
    static void AbsolutePaths(string jsonPath, List<string>? paths)
    {
        for (int i = 0; i < (paths?.Count ?? 0); i++)
            if (!paths![i].StartsWith('/'))
                throw new SpecValidationException($"{jsonPath}[{i}]", $"\"{paths[i]}\" is not an absolute path");
    }

    static void Capabilities(LinuxCapabilities capabilities)
    {
        int lastCap = Init.Capabilities.LastCapability();
        foreach (var (set, names) in new[] { ("bounding", capabilities.Bounding), ("effective", capabilities.Effective),
                     ("inheritable", capabilities.Inheritable), ("permitted", capabilities.Permitted), ("ambient", capabilities.Ambient) })
        {
            for (int i = 0; i < (names?.Count ?? 0); i++)
            {
                int number = Init.Capabilities.Number(names![i]);
                if (number < 0)
                    throw new SpecValidationException($"process.capabilities.{set}[{i}]", $"unknown capability \"{names[i]}\"");
                if (number > lastCap)
                    throw new SpecValidationException($"process.capabilities.{set}[{i}]", $"capability \"{names[i]}\" is not supported by this kernel");
            }
        }
    }

    /// <summary>runc's rules on which scheduler fields go with which policy.</summary>
    static void Scheduler(LinuxScheduler scheduler)
    {
        bool realtime = scheduler.Policy is "SCHED_FIFO" or "SCHED_RR";
        if (scheduler.Priority is { } priority and not 0 && !realtime)
            throw new SpecValidationException("process.scheduler.priority", $"can only be set for SCHED_FIFO or SCHED_RR, not {scheduler.Policy}");
        if (realtime && scheduler.Priority is not (>= 1 and <= 99))
            throw new SpecValidationException("process.scheduler.priority", $"must be 1 to 99 for {scheduler.Policy}");
        if (scheduler.Policy != "SCHED_DEADLINE" && (scheduler.Runtime is > 0 || scheduler.Deadline is > 0 || scheduler.Period is > 0))
            throw new SpecValidationException("process.scheduler", "runtime, deadline and period can only be set for SCHED_DEADLINE");
        if (scheduler.Policy == "SCHED_ISO")
            throw new SpecValidationException("process.scheduler.policy", "SCHED_ISO is not implemented by Linux");
    }

    /// <summary>A sysctl may only change a kernel namespace of the container's own (as runc decides); one of a
    /// joined namespace that is in fact the runtime's own is refused too.</summary>
    static void Sysctl(Dictionary<string, string> sysctl, RuntimeSpec spec)
    {
        var namespaces = spec.Linux?.Namespaces ?? [];
        foreach (var key in sysctl.Keys)
        {
            string jsonPath = SpecPath.Property("linux.sysctl", key);
            if (SysctlRules.Refusal(key, namespaces) is { } refusal) throw new SpecValidationException(jsonPath, refusal);
            string type = SysctlRules.NamespaceOf(key)!;
            var joined = namespaces.FirstOrDefault(n => n.Type == type && !string.IsNullOrEmpty(n.Path));
            if (joined is not null && IsRuntimeNamespace(type, joined.Path!))
                throw new SpecValidationException(jsonPath, $"sysctl \"{key}\" is not allowed: {joined.Path} is the host's {type} namespace");
            if (SysctlRules.Dotted(key) == "kernel.hostname" && !string.IsNullOrEmpty(spec.Hostname) && sysctl[key] != spec.Hostname)
                throw new SpecValidationException(jsonPath, $"conflicts with hostname \"{spec.Hostname}\"");
        }
    }

    static bool IsRuntimeNamespace(string type, string path)
    {
        string own = type switch { "network" => "net", _ => type };
        try
        {
            return Sys.FileIdentity(path) == Sys.FileIdentity($"/proc/self/ns/{own}");
        }
        catch (SyscallException)
        {
            return false;
        }
    }

    static void IntelRdt()
    {
        if (!Directory.Exists("/sys/fs/resctrl/info"))
            throw new SpecValidationException("linux.intelRdt", "Intel RDT is not available on this host (no resctrl filesystem at /sys/fs/resctrl)");
        throw new SpecValidationException("linux.intelRdt", "Intel RDT is not supported by oci-run");
    }

    static void NetDevices(Dictionary<string, LinuxNetDevice> devices, ContainerPlan plan)
    {
        if (!plan.Creates("network"))
            throw new SpecValidationException("linux.netDevices", "requires a new network namespace in linux.namespaces");
        foreach (var name in devices.Keys)
            if (!Directory.Exists($"/sys/class/net/{name}"))
                throw new SpecValidationException(SpecPath.Property("linux.netDevices", name), $"no network device \"{name}\" on the host");
    }

    static void MemoryPolicy(LinuxMemoryPolicy policy)
    {
        if (!File.Exists("/proc/self/numa_maps"))
            throw new SpecValidationException("linux.memoryPolicy", "this kernel has no NUMA support");
        if (!string.IsNullOrEmpty(policy.Nodes) && CpuList.TryParse(policy.Nodes, out var nodes) is null)
            foreach (int node in nodes)
                if (!Directory.Exists($"/sys/devices/system/node/node{node}"))
                    throw new SpecValidationException("linux.memoryPolicy.nodes", $"no NUMA node {node} on this host");
    }
}
