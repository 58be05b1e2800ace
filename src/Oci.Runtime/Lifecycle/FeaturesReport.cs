using Oci.Runtime.Rootfs;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Lifecycle;

/// <summary>What this runtime implements, as features.md describes it (the <c>features</c> command).</summary>
public static class FeaturesReport
{
    /// <summary>The features document of this build on this host.</summary>
    public static Features Create()
    {
        var features = Describe();
        // As runc: the libseccomp that compiles the filters (linked into oci-run; the host's for a .NET program).
        if (Seccomp.SeccompCompiler.LibseccompVersion() is { } version)
            features.Annotations!["io.github.seccomp.libseccomp.version"] = version;
        return features;
    }

    static Features Describe() => new()
    {
        OciVersionMin = "1.0.0",
        OciVersionMax = SpecNames.OciVersion,
        Hooks = [.. SpecNames.Hooks.Order(StringComparer.Ordinal)],
        MountOptions = [.. MountOptions.Known],
        Linux = new LinuxFeatures
        {
            Namespaces = [.. Namespaces.NamespaceType.All.Select(n => n.Name)],
            Capabilities = [.. SpecNames.CapabilitiesByNumber],
            Cgroup = new CgroupFeatures { V1 = true, V2 = true, Systemd = true, SystemdUser = false, Rdma = false },
            Seccomp = new SeccompFeatures
            {
                Enabled = true,
                Actions = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"],
                Operators = ["SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"],
                Archs = [.. Seccomp.SeccompCompiler.SupportedArchitectures()],
                KnownFlags = [.. SpecNames.SeccompFlags.Order(StringComparer.Ordinal)],
                SupportedFlags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
            },
            AppArmor = new AppArmorFeatures { Enabled = false },
            Selinux = new SelinuxFeatures { Enabled = false },
            IntelRdt = new IntelRdtFeatures { Enabled = false },
            MountExtensions = new MountExtensionsFeatures { IdMap = new IdMapFeatures { Enabled = true } },
        },
        Annotations = new Dictionary<string, string>
        {
            ["io.github.oci-run.version"] = typeof(FeaturesReport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            // Each container joins a new session keyring named _ses.<id>, unless --no-new-keyring (as runc).
            ["io.github.oci-run.keyring.session"] = "per-container",
            // runc's key: checkpoint and restore exist (through CRIU, which the host must have: see --criu).
            ["org.opencontainers.runc.checkpoint.enabled"] = "true",
        },
    };
}
