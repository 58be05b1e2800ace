using Oci.Runtime.Interop;

namespace Oci.Runtime.Cgroups;

/// <summary>Loads the device program of a <see cref="DeviceRuleSet"/> and attaches it to a cgroup2 directory
/// (BPF_CGROUP_DEVICE with BPF_F_ALLOW_MULTI), then detaches the programs an earlier create or update attached, so
/// that exactly one program of ours enforces the rules and there is no moment without one.</summary>
internal static class BpfDeviceFilter
{
    /// <summary>The license the program is loaded under (it calls no GPL-only helper).</summary>
    const string License = "Apache";

    public static void Apply(string cgroupDir, DeviceRuleSet rules)
    {
        var instructions = DeviceFilterProgram.Build(rules).Select(i => i.Encode()).ToArray();
        int program = -1, cgroup = -1;
        try
        {
            program = Sys.BpfLoadCgroupDeviceProgram(instructions, License);
            cgroup = Sys.Open(cgroupDir, Sys.O_RDONLY | Sys.O_DIRECTORY);
            var previous = Sys.BpfQuery(cgroup, Sys.BPF_CGROUP_DEVICE);
            Sys.BpfAttach(cgroup, program, Sys.BPF_CGROUP_DEVICE, Sys.BPF_F_ALLOW_MULTI);
            foreach (var id in previous)
            {
                int old = Sys.BpfProgramFd(id);
                try
                {
                    Sys.BpfDetach(cgroup, old, Sys.BPF_CGROUP_DEVICE);
                }
                finally
                {
                    Sys.Close(old);
                }
            }
        }
        catch (SyscallException e)
        {
            throw new CgroupResourceException("linux.resources.devices", $"cgroup v2 device program for {cgroupDir}: {e.Message}", e.Errno);
        }
        finally
        {
            // The attached program is held by the cgroup; our descriptors are not needed.
            Sys.Close(program);
            Sys.Close(cgroup);
        }
    }

    /// <summary>How many device programs are attached to the cgroup itself.</summary>
    public static int AttachedCount(string cgroupDir)
    {
        int cgroup = Sys.Open(cgroupDir, Sys.O_RDONLY | Sys.O_DIRECTORY);
        try
        {
            return Sys.BpfQuery(cgroup, Sys.BPF_CGROUP_DEVICE).Length;
        }
        finally
        {
            Sys.Close(cgroup);
        }
    }
}
