using System.Text;
using Oci.Runtime.Spec;

namespace Oci.Cli.Commands;

/// <summary><c>list</c>'s table, laid out as runc's tabwriter does (minimum width 12, padding 3).</summary>
internal static class ListTable
{
    public static string Format(IReadOnlyList<ContainerStateDocument> containers)
    {
        var rows = new List<string[]> { new[] { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" } };
        foreach (var c in containers)
            rows.Add([c.Id, (c.Pid ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture), c.Status, c.Bundle, c.Created ?? "", c.Owner ?? ""]);
        var widths = new int[6];
        foreach (var row in rows)
            for (int i = 0; i < 5; i++)
                widths[i] = Math.Max(widths[i], Math.Max(12, row[i].Length + 3));
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (int i = 0; i < 5; i++) text.Append(row[i].PadRight(widths[i]));
            text.Append(row[5]).Append('\n');
        }
        return text.ToString();
    }
}
