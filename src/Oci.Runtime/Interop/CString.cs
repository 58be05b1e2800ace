using System.Text;

namespace Oci.Runtime.Interop;

/// <summary>NUL-terminated UTF-8 copies of strings for calls that take <c>char*</c>.</summary>
internal static class CString
{
    public static byte[] Of(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    public static byte[]? OfNullable(string? value) => value is null ? null : Of(value);

    /// <summary>A NULL-terminated array of C strings kept alive by the returned handles.</summary>
    public static unsafe nint[] Array(IReadOnlyList<string> values, List<System.Runtime.InteropServices.GCHandle> pins)
    {
        var pointers = new nint[values.Count + 1];
        for (int i = 0; i < values.Count; i++)
        {
            var handle = System.Runtime.InteropServices.GCHandle.Alloc(Of(values[i]), System.Runtime.InteropServices.GCHandleType.Pinned);
            pins.Add(handle);
            pointers[i] = handle.AddrOfPinnedObject();
        }
        return pointers;
    }
}
