using System.Diagnostics;
using System.Globalization;

namespace Oci.Conformance.Framework;

/// <summary>One line of /proc/PID/mountinfo.</summary>
public sealed record MountInfo(int Id, int ParentId, string MajorMinor, string Root, string MountPoint,
    string MountOptions, string OptionalFields, string FsType, string Source, string SuperOptions)
{
    public bool HasOption(string opt) => MountOptions.Split(',').Contains(opt);
    public bool HasSuperOption(string opt) => SuperOptions.Split(',').Contains(opt);

    public static List<MountInfo> Parse(string text)
    {
        var list = new List<MountInfo>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0) continue;
            int dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0) continue;
            var left = line[..dash].Split(' ');
            var right = line[(dash + 3)..].Split(' ');
            if (left.Length < 6 || right.Length < 3) continue;
            if (!int.TryParse(left[0], out int id) || !int.TryParse(left[1], out int pid)) continue;
            list.Add(new MountInfo(id, pid, left[2], Unescape(left[3]), Unescape(left[4]), left[5],
                string.Join(' ', left.Skip(6)), right[0], Unescape(right[1]), right[2]));
        }
        return list;
    }

    private static string Unescape(string s) =>
        s.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
         .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}

/// <summary>Helpers that act on the host (outside any container).</summary>
public static class Host
{
    public static ProcResult Cmd(params string[] argv) => Cmd(argv, TimeSpan.FromSeconds(30));

    public static ProcResult Cmd(string[] argv, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {argv[0]}");
        p.StandardInput.Close();
        var so = p.StandardOutput.ReadToEndAsync();
        var se = p.StandardError.ReadToEndAsync();
        bool timedOut = !p.WaitForExit(timeout);
        if (timedOut) { try { p.Kill(true); } catch (InvalidOperationException) { } p.WaitForExit(5000); }
        string o = so.Wait(5000) ? so.Result : "", e = se.Wait(5000) ? se.Result : "";
        return new ProcResult(timedOut ? -1 : p.ExitCode, o, e, timedOut, string.Join(' ', argv));
    }

    public static void Chmod(string path, string mode) =>
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(mode, 8));

    /// <summary>Copies a directory tree, hard-linking regular files where possible (cp -a --link).</summary>
    public static void CopyTree(string from, string to)
    {
        var r = Cmd("cp", "-a", "--link", from + "/.", to + "/");
        if (!Directory.Exists(to)) Directory.CreateDirectory(to);
        if (!r.Ok)
        {
            r = Cmd("cp", "-a", from + "/.", to + "/");
            if (!r.Ok) throw new IOException("cannot copy rootfs: " + r.Brief);
        }
    }

    public static string Read(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    public static List<MountInfo> MountTable(string pid = "self") => MountInfo.Parse(Read($"/proc/{pid}/mountinfo"));

    public static string? NsLink(string pid, string ns)
    {
        try { return new FileInfo($"/proc/{pid}/ns/{ns}").LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>Value of a "Name:\tvalue" line in /proc/PID/status.</summary>
    public static string? StatusField(string pid, string name)
    {
        foreach (var line in Read($"/proc/{pid}/status").Split('\n'))
            if (line.StartsWith(name + ":", StringComparison.Ordinal)) return line[(name.Length + 1)..].Trim();
        return null;
    }

    public static bool ProcessAlive(int pid)
    {
        var stat = Read($"/proc/{pid}/stat");
        if (stat.Length == 0) return false;
        int close = stat.LastIndexOf(')');
        return close < 0 || close + 2 >= stat.Length || stat[close + 2] != 'Z';
    }

    /// <summary>Parses a /proc/PID/limits file: name → (soft, hard), "unlimited" as ulong.MaxValue.</summary>
    public static Dictionary<string, (ulong Soft, ulong Hard)> Limits(string text)
    {
        var d = new Dictionary<string, (ulong, ulong)>();
        foreach (var line in text.Split('\n').Skip(1))
        {
            if (line.Length < 26) continue;
            var name = line[..26].Trim();
            var parts = line[26..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2) continue;
            d[name] = (ParseLimit(parts[0]), ParseLimit(parts[1]));
        }
        return d;
    }

    private static ulong ParseLimit(string s) =>
        s == "unlimited" ? ulong.MaxValue : ulong.Parse(s, CultureInfo.InvariantCulture);

    public static void Mount(params string[] args)
    {
        var r = Cmd(["mount", .. args]);
        if (!r.Ok) throw new CheckFailedException("host mount failed: " + r.Brief);
    }

    public static void Umount(string path) => Cmd("umount", "-l", path);
}
