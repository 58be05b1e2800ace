using System.Text;

namespace Oci.Cli.Logging;

/// <summary>
/// The one place where text from the input becomes safe to print: error messages quote ids, paths and values as
/// they were given, and a newline or a terminal escape in them would forge a log line or repaint the caller's
/// terminal. Every message oci-run prints (<see cref="StdStreams.ErrorLine"/>) or logs (<see cref="RuncLogProvider"/>)
/// passes through <see cref="Escape"/>, which keeps it on one line.
/// </summary>
internal static class OneLine
{
    /// <summary><paramref name="text"/> with control characters (C0, DEL, C1) and the Unicode line and paragraph
    /// separators written as Go's %q writes them: <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\x1b</c>, <c>\u2028</c>.</summary>
    public static string Escape(string text)
    {
        int first = 0;
        while (first < text.Length && !NeedsEscape(text[first])) first++;
        if (first == text.Length) return text;
        var escaped = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (!NeedsEscape(c)) escaped.Append(c);
            else if (c == '\n') escaped.Append("\\n");
            else if (c == '\r') escaped.Append("\\r");
            else if (c == '\t') escaped.Append("\\t");
            else if (c < 0x100) escaped.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            else escaped.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        }
        return escaped.ToString();
    }

    static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
