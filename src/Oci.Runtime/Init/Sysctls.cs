namespace Oci.Runtime.Init;

/// <summary><c>linux.sysctl</c>: kernel parameters written under /proc/sys inside the container.</summary>
internal static class Sysctls
{
    public static void Apply(IReadOnlyDictionary<string, string>? sysctls)
    {
        foreach (var (key, value) in sysctls ?? new Dictionary<string, string>())
        {
            if (key.Contains("..") || key.StartsWith('/') || key.StartsWith('.'))
                throw new SpecValidationException($"linux.sysctl.{key}", "invalid sysctl name");
            string path = "/proc/sys/" + key.Replace('.', '/');
            try
            {
                File.WriteAllText(path, value);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OciException($"linux.sysctl.{key}: writing {path}: {e.Message}", e);
            }
        }
    }
}
