using Oci.Conformance.Framework;

namespace Oci.Conformance.Checks;

/// <summary>All checks, in run order. Each spec area lives in its own file.</summary>
public static class Registry
{
    public static List<Check> All() =>
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
    ];
}
