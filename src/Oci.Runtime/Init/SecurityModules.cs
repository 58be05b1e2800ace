namespace Oci.Runtime.Init;

/// <summary>AppArmor and SELinux: whether the host has them, and the labels a container's process executes
/// with.</summary>
internal static class SecurityModules
{
    /// <summary>Whether AppArmor is enabled in this kernel.</summary>
    public static bool AppArmorEnabled()
    {
        try
        {
            return File.ReadAllText("/sys/module/apparmor/parameters/enabled").StartsWith('Y');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Whether SELinux is enabled (selinuxfs is mounted).</summary>
    public static bool SelinuxEnabled() => File.Exists("/sys/fs/selinux/enforce");
}
