namespace Oci.Runtime.Init;

/// <summary>AppArmor and SELinux: whether the host has them, and the labels a container's process executes
/// with.</summary>
public static class SecurityModules
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

    /// <summary>Makes the next execve of this thread enter AppArmor profile <paramref name="profile"/>.</summary>
    internal static void SetAppArmorProfile(string profile)
    {
        string path = File.Exists("/proc/thread-self/attr/apparmor/exec") ? "/proc/thread-self/attr/apparmor/exec" : "/proc/thread-self/attr/exec";
        Write("process.apparmorProfile", path, "exec " + profile);
    }

    /// <summary>Makes the next execve of this thread run with SELinux label <paramref name="label"/>.</summary>
    internal static void SetSelinuxExecLabel(string label) =>
        Write("process.selinuxLabel", "/proc/thread-self/attr/exec", label);

    static void Write(string jsonPath, string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OciException($"{jsonPath}: setting \"{value}\" through {path}: {e.Message}", e);
        }
    }
}
