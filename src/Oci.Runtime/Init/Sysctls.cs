using Oci.Runtime.Spec;

namespace Oci.Runtime.Init;

/// <summary><c>linux.sysctl</c>: kernel parameters written under /proc/sys inside the container. Which keys are
/// allowed at all is decided before the container is made (<see cref="SysctlRules"/>).</summary>
internal static class Sysctls
{
    public static void Apply(IReadOnlyDictionary<string, string>? sysctls)
    {
        foreach (var (key, value) in sysctls ?? new Dictionary<string, string>())
        {
            string path = SysctlRules.ProcPath(key);
            string jsonPath = SpecPath.Property("linux.sysctl", key);
            try
            {
                File.WriteAllText(path, value);
            }
            catch (FileNotFoundException)
            {
                throw new OciException($"{jsonPath}: no such kernel parameter ({path} does not exist)");
            }
            catch (DirectoryNotFoundException)
            {
                throw new OciException($"{jsonPath}: no such kernel parameter ({path} does not exist)");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OciException($"{jsonPath}: writing \"{value}\" to {path}: {e.Message}", e);
            }
        }
    }
}
