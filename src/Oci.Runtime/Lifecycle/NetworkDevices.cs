using Oci.Runtime.Interop;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Lifecycle;

/// <summary><c>linux.netDevices</c>: host interfaces moved into the container's new network namespace, renamed to
/// <c>name</c> when given. The kernel keeps MTU and MAC address across the move; it drops IP addresses.</summary>
internal static class NetworkDevices
{
    public static void MoveInto(Dictionary<string, LinuxNetDevice>? devices, int initPid)
    {
        foreach (var (hostName, device) in devices ?? [])
        {
            string name = string.IsNullOrEmpty(device.Name) ? hostName : device.Name;
            try
            {
                Sys.MoveLinkToNetns(hostName, initPid, name);
            }
            catch (SyscallException e)
            {
                throw new OciException($"{SpecPath.Property("linux.netDevices", hostName)}: {e.Message}", e);
            }
        }
    }
}
