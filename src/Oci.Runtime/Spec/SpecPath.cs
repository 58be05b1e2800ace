namespace Oci.Runtime.Spec;

/// <summary>Builds the JSON paths that name values in validation errors, in the notation System.Text.Json uses
/// without its leading <c>$.</c>: <c>linux.namespaces[2].type</c>, <c>linux.sysctl['net.ipv4.ip_forward']</c>.</summary>
internal static class SpecPath
{
    private static readonly char[] NeedsBrackets = ['.', '\'', ' ', '[', ']', '"', '\\', '/', '(', ')', '\t', '\n', '\r', '\f', '\b', '\u0085', '\u2028', '\u2029'];

    /// <summary>The path of property <paramref name="name"/> of the object at <paramref name="parent"/>.</summary>
    public static string Property(string parent, string name)
    {
        if (name.Length > 0 && name.IndexOfAny(NeedsBrackets) < 0)
            return parent.Length == 0 ? name : $"{parent}.{name}";
        return $"{parent}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";
    }

    /// <summary>The path of element <paramref name="index"/> of the array at <paramref name="parent"/>.</summary>
    public static string Index(string parent, int index) => $"{parent}[{index}]";
}
