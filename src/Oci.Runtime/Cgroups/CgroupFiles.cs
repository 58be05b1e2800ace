using System.Globalization;
using System.Runtime.InteropServices;
using Oci.Runtime.Interop;

namespace Oci.Runtime.Cgroups;

/// <summary>A cgroup interface file that could not be written: names the config field it came from.</summary>
public sealed class CgroupResourceException : OciException
{
    /// <summary>Creates the error for <paramref name="field"/>.</summary>
    public CgroupResourceException(string field, string message, int errno = 0) : base($"{field}: {message}")
    {
        Field = field;
        Errno = errno;
    }

    /// <summary>The config field, such as <c>linux.resources.memory.limit</c>.</summary>
    public string Field { get; }

    /// <summary>The errno of the failed write, or 0.</summary>
    public int Errno { get; }
}

/// <summary>How a set of resources is being applied.</summary>
internal sealed class ResourceApplyOptions
{
    /// <summary>An <c>update</c> of a running container, not its creation.</summary>
    public bool IsUpdate { get; init; }

    /// <summary>Where warnings about settings that are ignored go.</summary>
    public Action<string>? Warn { get; init; }
}

/// <summary>Reading and writing cgroup interface files, with errors that name the field.</summary>
internal static class CgroupFiles
{
    public const int ENOENT = 2, EINVAL = 22, EBUSY = 16;

    public static void Write(string dir, string file, string value, string field)
    {
        int errno = TryWrite(dir, file, value);
        if (errno != 0) throw Failure(dir, file, value, field, errno);
    }

    public static int TryWrite(string dir, string file, string value) => Sys.TryWriteFile(Path.Combine(dir, file), value);

    public static CgroupResourceException Failure(string dir, string file, string value, string field, int errno)
    {
        string path = Path.Combine(dir, file);
        string reason = errno == ENOENT
            ? $"this host cannot apply it: {path} does not exist"
            : $"writing \"{value.TrimEnd('\n')}\" to {path}: {Marshal.GetPInvokeErrorMessage(errno)}";
        return new CgroupResourceException(field, reason, errno);
    }

    public static bool Exists(string dir, string file) => File.Exists(Path.Combine(dir, file));

    public static string? TryRead(string dir, string file) => Sys.TryReadText(Path.Combine(dir, file));

    public static ulong? TryReadUInt(string dir, string file)
    {
        var text = TryRead(dir, file)?.Trim();
        if (text is null) return null;
        if (text == "max") return ulong.MaxValue;
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    /// <summary>"key value" lines (memory.stat, cpu.stat) as a dictionary.</summary>
    public static Dictionary<string, ulong> ReadKeyValues(string dir, string file)
    {
        var result = new Dictionary<string, ulong>();
        var text = TryRead(dir, file);
        if (text is null) return result;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                result[parts[0]] = v;
        }
        return result;
    }

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
