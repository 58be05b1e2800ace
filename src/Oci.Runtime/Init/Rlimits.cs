using Oci.Runtime.Spec;

namespace Oci.Runtime.Init;

/// <summary>POSIX resource limits by name (getrlimit(2)).</summary>
internal static class Rlimits
{
    /// <summary>The resource number of <paramref name="name"/>, or -1.</summary>
    public static int Number(string name)
    {
        for (int i = 0; i < SpecNames.RlimitsByNumber.Count; i++)
            if (SpecNames.RlimitsByNumber[i] == name) return i;
        return -1;
    }

}
