using Oci.Runtime.Interop;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Init;

/// <summary>POSIX resource limits by name (getrlimit(2)).</summary>
public static class Rlimits
{
    /// <summary>The resource number of <paramref name="name"/>, or -1.</summary>
    public static int Number(string name)
    {
        for (int i = 0; i < SpecNames.RlimitsByNumber.Count; i++)
            if (SpecNames.RlimitsByNumber[i] == name) return i;
        return -1;
    }

    /// <summary>Sets every limit on the calling process; execve keeps them.</summary>
    internal static void Apply(IReadOnlyList<PosixRlimit>? limits)
    {
        for (int i = 0; i < (limits?.Count ?? 0); i++)
        {
            var limit = limits![i];
            int resource = Number(limit.Type);
            if (resource < 0) throw new SpecValidationException($"process.rlimits[{i}].type", $"unknown rlimit \"{limit.Type}\"");
            try
            {
                Sys.SetRlimit(resource, limit.Soft, limit.Hard);
            }
            catch (SyscallException e)
            {
                throw new OciException($"process.rlimits[{i}]: setting {limit.Type} to soft {limit.Soft}, hard {limit.Hard}: {e.Message}", e);
            }
        }
    }
}
