using Oci.Conformance.Framework;

namespace Oci.Conformance.Checks;

/// <summary>All checks, in run order. Each spec area lives in its own file.</summary>
public static class Registry
{
    public static List<Check> All() => Annotated(
    [
        .. RuntimeState.Checks(),
        .. RuntimeCreate.Checks(),
        .. RuntimeStart.Checks(),
        .. RuntimeKill.Checks(),
        .. RuntimeDelete.Checks(),
        .. RuntimeLifecycle.Checks(),
        .. ConfigHooks.Checks(),
        .. ConfigRoot.Checks(),
        .. ConfigMounts.Checks(),
        .. ConfigProcess.Checks(),
        .. ConfigCapabilities.Checks(),
        .. ConfigRlimits.Checks(),
        .. ConfigLinuxNamespaces.Checks(),
        .. ConfigLinuxDevices.Checks(),
        .. ConfigLinuxCgroups.Checks(),
        .. ConfigLinuxSecurity.Checks(),
        .. ConfigLinuxSeccompMore.Checks(),
        .. ConfigLinuxNetDevices.Checks(),
        .. ConfigLinuxIntelRdt.Checks(),
        .. ConfigValidity.Checks(),
        .. Features.Checks(),
    ]);

    /// <summary>
    /// runc 1.1's failures of the checks added with the statement catalogue, as observed with runc 1.1.5; a check that
    /// names its own deviation keeps it.
    /// </summary>
    private static readonly Dictionary<string, string> RuncDeviations = new(StringComparer.Ordinal)
    {
        ["mounts.option.idmap"] = "runc 1.1 does not know idmap mounts: the option goes to the filesystem as data and the mappings are ignored",
        ["mounts.option.ridmap"] = "runc 1.1 does not know idmap mounts: the option goes to the filesystem as data and the mappings are ignored",
        ["mounts.option.idmap.userns"] = "runc 1.1 does not know idmap mounts",
        ["mounts.option.ridmap.userns"] = "runc 1.1 does not know idmap mounts",
        ["mounts.option.idmap.no-userns"] = "runc 1.1 does not know idmap mounts",
        ["mounts.option.ridmap.no-userns"] = "runc 1.1 does not know idmap mounts",
        ["mounts.idmap.uid-without-gid"] = "runc 1.1 ignores the uid/gidMappings of mounts",
        ["mounts.idmap.gid-without-uid"] = "runc 1.1 ignores the uid/gidMappings of mounts",
        ["mounts.option.mount8-nofail"] = "runc passes options it does not know, nofail included, to the filesystem as data",
        ["netDevices.move"] = "runc 1.1 ignores linux.netDevices",
        ["netDevices.keep-name"] = "runc 1.1 ignores linux.netDevices",
        ["netDevices.missing-device"] = "runc 1.1 ignores linux.netDevices",
        ["netDevices.name-exists"] = "runc 1.1 ignores linux.netDevices",
        ["netDevices.name-template"] = "runc 1.1 ignores linux.netDevices",
        ["netDevices.addresses"] = "runc 1.1 ignores linux.netDevices",
        ["netDevices.up"] = "runc 1.1 ignores linux.netDevices",
        ["netDevices.not-moved-back"] = "runc 1.1 ignores linux.netDevices",
        ["version.invalid"] = "runc 1.1 does not validate ociVersion",
        ["maskedPaths.relative"] = "runc 1.1 accepts relative maskedPaths",
        ["readonlyPaths.relative"] = "runc 1.1 accepts relative readonlyPaths",
        ["annotations.empty-key"] = "runc 1.1 does not validate annotation keys",
        ["seccomp.defaultErrnoRet-invalid-action"] = "runc 1.1 accepts defaultErrnoRet whatever the defaultAction",
        ["seccomp.names-empty"] = "runc 1.1 accepts a seccomp rule without names",
        ["seccomp.notify.metadata-without-path"] = "runc 1.1 accepts listenerMetadata without listenerPath",
        ["cgroups.blockIO.weightDevice-empty"] = "runc 1.1 accepts a weightDevice entry without weights",
    };

    private static List<Check> Annotated(List<Check> checks) =>
        checks.Select(c => c.RuncDeviation is null && RuncDeviations.TryGetValue(c.Id, out var d) ? c with { RuncDeviation = d } : c).ToList();
}
