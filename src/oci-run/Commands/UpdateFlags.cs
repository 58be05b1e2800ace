using System.Globalization;
using System.Text.RegularExpressions;
using Oci.Runtime;
using Oci.Runtime.Spec;

namespace Oci.Cli.Commands;

/// <summary><c>update</c>'s input as runc takes it: a <c>--resources</c> document, or its flags (memory sizes such as
/// "64k", CPU and pids numbers) as the library's <see cref="LinuxResources"/>. Flag errors are
/// <see cref="ArgumentException"/>s, which the command reports as usage errors.</summary>
internal static partial class UpdateFlags
{
    /// <summary>The update flags runc takes, by name (without dashes).</summary>
    public static readonly IReadOnlyList<string> FlagNames =
    [
        "memory", "memory-reservation", "memory-swap", "kernel-memory", "kernel-memory-tcp", "cpu-share", "cpu-quota",
        "cpu-period", "cpu-rt-runtime", "cpu-rt-period", "cpuset-cpus", "cpuset-mems", "pids-limit", "blkio-weight",
        "l3-cache-schema", "mem-bw-schema",
    ];

    /// <summary>A <c>--resources</c> document (a LinuxResources object; absent fields stay unchanged).</summary>
    /// <exception cref="OciException">The document is malformed, null, or a value has the wrong type; the message
    /// names the value's path.</exception>
    public static LinuxResources Parse(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return SpecLoader.ParseResources(utf8Json);
        }
        catch (SpecValidationException e)
        {
            throw new OciException($"--resources: {e.Message}", e);
        }
    }

    /// <summary>The resources runc's update flags ask for (flag name without dashes to its value; flags absent
    /// stay unchanged). Intel RDT schemas are not cgroup resources and are refused here.</summary>
    public static LinuxResources FromFlags(IReadOnlyDictionary<string, string> flags)
    {
        var r = new LinuxResources();
        LinuxMemory Memory() => r.Memory ??= new LinuxMemory();
        LinuxCPU Cpu() => r.Cpu ??= new LinuxCPU();
        foreach (var (name, value) in flags)
        {
            switch (name)
            {
                case "memory": Memory().Limit = ParseBytes(value, name); break;
                case "memory-reservation": Memory().Reservation = ParseBytes(value, name); break;
                case "memory-swap": Memory().Swap = ParseBytes(value, name); break;
                case "kernel-memory": Memory().Kernel = ParseBytes(value, name); break;
                case "kernel-memory-tcp": Memory().KernelTcp = ParseBytes(value, name); break;
                case "cpu-share" or "cpu-shares": Cpu().Shares = ParseUnsigned(value, name); break;
                case "cpu-period": Cpu().Period = ParseUnsigned(value, name); break;
                case "cpu-rt-period": Cpu().RealtimePeriod = ParseUnsigned(value, name); break;
                case "cpu-quota": Cpu().Quota = ParseSigned(value, name); break;
                case "cpu-rt-runtime": Cpu().RealtimeRuntime = ParseSigned(value, name); break;
                case "cpuset-cpus": Cpu().Cpus = value; break;
                case "cpuset-mems": Cpu().Mems = value; break;
                case "pids-limit": r.Pids = new LinuxPids { Limit = ParseSigned(value, name) }; break;
                case "blkio-weight":
                    ulong weight = ParseUnsigned(value, name);
                    if (weight > ushort.MaxValue) throw new ArgumentException($"invalid value \"{value}\" for flag --{name}: out of range");
                    r.BlockIO = new LinuxBlockIO { Weight = (ushort)weight };
                    break;
                case "l3-cache-schema" or "mem-bw-schema":
                    throw new OciException($"--{name}: Intel RDT is not supported by this runtime");
                default:
                    throw new ArgumentException($"flag provided but not defined: -{name}");
            }
        }
        return r;
    }

    static ulong ParseUnsigned(string text, string flag) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ArgumentException($"invalid value \"{text}\" for flag --{flag}: parse error");

    static long ParseSigned(string text, string flag) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ArgumentException($"invalid value \"{text}\" for flag --{flag}: parse error");

    /// <summary>A byte size as runc's flags take it (docker's units.RAMInBytes): "512", "64k", "1.5g", "100MiB";
    /// "-1" is unlimited.</summary>
    public static long ParseBytes(string text, string flag)
    {
        if (text == "-1") return -1;
        var match = SizePattern().Match(text);
        if (!match.Success)
            throw new ArgumentException($"invalid value \"{text}\" for flag --{flag}: invalid size: '{text}'");
        double value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        long multiplier = match.Groups[2].Value.ToLowerInvariant() switch
        {
            "k" => 1L << 10,
            "m" => 1L << 20,
            "g" => 1L << 30,
            "t" => 1L << 40,
            "p" => 1L << 50,
            _ => 1,
        };
        return (long)(value * multiplier);
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$")]
    private static partial Regex SizePattern();
}
