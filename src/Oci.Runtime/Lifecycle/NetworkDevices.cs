using Oci.Runtime.Interop;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Lifecycle;

/// <summary><c>linux.netDevices</c>: host interfaces moved into the container's new network namespace, renamed to
/// <c>name</c> when given, with their permanent addresses of global scope, and set up (config-linux.md, Network
/// Devices). The kernel keeps MTU and MAC address across the move but drops every address, so the addresses are
/// read before the move and added again inside.</summary>
internal static class NetworkDevices
{
    public static void MoveInto(Dictionary<string, LinuxNetDevice>? devices, int initPid)
    {
        if (devices is not { Count: > 0 }) return;
        int netns = Sys.Open($"/proc/{initPid}/ns/net", Sys.O_RDONLY);
        try
        {
            using var host = RtNetlink.Open();
            using var container = RtNetlink.OpenIn(netns);
            foreach (var (hostName, device) in devices)
            {
                string name = string.IsNullOrEmpty(device.Name) ? hostName : device.Name;
                try
                {
                    Move(host, container, netns, hostName, name);
                }
                catch (SyscallException e)
                {
                    // The create fails; the interface goes with the container's network namespace (a physical one
                    // back to the host's), as after any failed create.
                    throw new OciException($"{SpecPath.Property("linux.netDevices", hostName)}: {e.Message}", e);
                }
            }
        }
        finally
        {
            Sys.Close(netns);
        }
    }

    static void Move(RtNetlink host, RtNetlink container, int netns, string hostName, string name)
    {
        int index = Sys.InterfaceIndex(hostName);
        var addresses = host.Addresses(index, $"reading the addresses of network device {hostName}").Where(a => a.IsPermanentGlobal).ToList();
        host.MoveLink(index, netns, name, $"moving network device {hostName} into the container as {name}");
        // The kernel keeps an interface's index across the move unless the namespace has one with that index
        // already; the container's namespace is new and holds only its loopback (index 1, as the host's) and
        // interfaces moved from the host, whose indexes are distinct. So the index still names it, whatever name
        // a %d template gave it.
        foreach (var address in addresses)
            container.AddAddress(index, address, $"adding address {address} to network device {name} in the container");
        container.SetUp(index, $"setting network device {name} up in the container");
    }
}
