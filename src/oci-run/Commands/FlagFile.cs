using Oci.Runtime;
using Oci.Runtime.Spec;

namespace Oci.Cli.Commands;

/// <summary>A document a flag names (<c>exec --process</c>, <c>update --resources</c>), read within
/// <see cref="SpecLoader.MaxDocumentBytes"/>; a failure names the flag and the file.</summary>
internal static class FlagFile
{
    public static byte[] Read(string flag, string path)
    {
        try
        {
            return SpecLoader.ReadDocument(path);
        }
        catch (OciException e)
        {
            throw new OciException($"{flag} {e.Message}", e);
        }
    }
}
