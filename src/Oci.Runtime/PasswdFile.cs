using Oci.Runtime.Interop;

namespace Oci.Runtime;

/// <summary>Look-ups in an <c>/etc/passwd</c>: the host's (the owner of a container) or the image's, read by the
/// runtime through the container's root (the user's home directory).</summary>
internal static class PasswdFile
{
    /// <summary>The entry of <paramref name="uid"/> split into its fields (name, password, uid, gid, gecos, home,
    /// shell), or null when the file or the entry does not exist.</summary>
    // Read with plain system calls, and a missing file (common in images) answered without an exception: both
    // cost a short-lived process more than the look-up.
    public static string[]? EntryOf(uint uid, string path = "/etc/passwd") => Find(uid, Sys.TryReadText(path));

    /// <summary>The entry of <paramref name="uid"/> in the text of a passwd file, or null.</summary>
    public static string[]? Find(uint uid, string? text)
    {
        if (text is null) return null;
        string id = uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[2] == id) return fields;
        }
        return null;
    }
}
