using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Oci.Runtime.Cgroups;

namespace Oci.Cli;

/// <summary>
/// <c>events</c> and <c>ps --format json</c> output written by hand with <see cref="Utf8JsonWriter"/>, in the form
/// System.Text.Json's serializer gives for the attributes on <see cref="ContainerEvent"/> and its parts (compact,
/// declaration order, the members marked to be left out when null or zero left out). With this, no command of the
/// runtime uses the serializer: its run-time metadata cost more CPU than a command's own work, and the trimmer now
/// leaves it out of the binary. runc's presentation, so the CLI's: the library gives the events and statistics.
/// </summary>
internal static class EventJson
{
    /// <summary>An event as the JSON line runc prints.</summary>
    public static string Event(ContainerEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        // Ids (letters, digits, "_+-."), cgroup file keys and blkio's operations: "+" stays as it is.
        return Write(JavaScriptEncoder.UnsafeRelaxedJsonEscaping, w =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, e.Type);
            w.WriteString("id"u8, e.Id);
            if (e.Data is { } data)
            {
                w.WritePropertyName("data"u8);
                Stats(w, data);
            }
            w.WriteEndObject();
        });
    }

    /// <summary>Pids as the JSON array runc's <c>ps --format json</c> prints.</summary>
    public static string Pids(IReadOnlyList<int> pids)
    {
        ArgumentNullException.ThrowIfNull(pids);
        // Numbers only: no encoder to build.
        return Write(null, w =>
        {
            w.WriteStartArray();
            foreach (int pid in pids) w.WriteNumberValue(pid);
            w.WriteEndArray();
        });
    }

    static string Write(JavaScriptEncoder? encoder, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = encoder }))
            body(w);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    static void Stats(Utf8JsonWriter w, CgroupStats s)
    {
        w.WriteStartObject();
        w.WriteStartObject("cpu"u8);
        w.WriteStartObject("usage"u8);
        NonZero(w, "total"u8, s.Cpu.Usage.Total);
        Numbers(w, "percpu"u8, s.Cpu.Usage.Percpu);
        Numbers(w, "percpu_kernel"u8, s.Cpu.Usage.PercpuKernel);
        Numbers(w, "percpu_user"u8, s.Cpu.Usage.PercpuUser);
        w.WriteNumber("kernel"u8, s.Cpu.Usage.Kernel);
        w.WriteNumber("user"u8, s.Cpu.Usage.User);
        w.WriteEndObject();
        w.WriteStartObject("throttling"u8);
        NonZero(w, "periods"u8, s.Cpu.Throttling.Periods);
        NonZero(w, "throttledPeriods"u8, s.Cpu.Throttling.ThrottledPeriods);
        NonZero(w, "throttledTime"u8, s.Cpu.Throttling.ThrottledTime);
        w.WriteEndObject();
        w.WriteEndObject();

        var cpuset = s.Cpuset;
        w.WriteStartObject("cpuset"u8);
        Numbers(w, "cpus"u8, cpuset.Cpus);
        w.WriteNumber("cpu_exclusive"u8, cpuset.CpuExclusive);
        Numbers(w, "mems"u8, cpuset.Mems);
        w.WriteNumber("mem_hardwall"u8, cpuset.MemHardwall);
        w.WriteNumber("mem_exclusive"u8, cpuset.MemExclusive);
        w.WriteNumber("memory_migrate"u8, cpuset.MemoryMigrate);
        w.WriteNumber("memory_spread_page"u8, cpuset.MemorySpreadPage);
        w.WriteNumber("memory_spread_slab"u8, cpuset.MemorySpreadSlab);
        w.WriteNumber("memory_pressure"u8, cpuset.MemoryPressure);
        w.WriteNumber("sched_load_balance"u8, cpuset.SchedLoadBalance);
        w.WriteNumber("sched_relax_domain_level"u8, cpuset.SchedRelaxDomainLevel);
        w.WriteEndObject();

        var memory = s.Memory;
        w.WriteStartObject("memory"u8);
        NonZero(w, "cache"u8, memory.Cache);
        Memory(w, "usage"u8, memory.Usage);
        Memory(w, "swap"u8, memory.Swap);
        Memory(w, "kernel"u8, memory.Kernel);
        Memory(w, "kernelTCP"u8, memory.KernelTcp);
        if (memory.Raw is { } raw)
        {
            w.WriteStartObject("raw"u8);
            foreach (var (key, value) in raw) w.WriteNumber(key, value);
            w.WriteEndObject();
        }
        w.WriteEndObject();

        w.WriteStartObject("pids"u8);
        NonZero(w, "current"u8, s.Pids.Current);
        NonZero(w, "limit"u8, s.Pids.Limit);
        w.WriteEndObject();

        w.WriteStartObject("blkio"u8);
        Blkio(w, "ioServiceBytesRecursive"u8, s.Blkio.IoServiceBytesRecursive);
        Blkio(w, "ioServicedRecursive"u8, s.Blkio.IoServicedRecursive);
        w.WriteEndObject();

        w.WriteStartObject("hugetlb"u8);
        foreach (var (size, stats) in s.Hugetlb)
        {
            w.WriteStartObject(size);
            NonZero(w, "usage"u8, stats.Usage);
            NonZero(w, "max"u8, stats.Max);
            w.WriteNumber("failcnt"u8, stats.Failcnt);
            w.WriteEndObject();
        }
        w.WriteEndObject();

        w.WriteStartObject("intel_rdt"u8);
        w.WriteEndObject();
        // runc reports no network statistics for a container either: the member is always null.
        w.WriteNull("network_interfaces"u8);
        w.WriteEndObject();
    }

    static void Memory(Utf8JsonWriter w, ReadOnlySpan<byte> name, MemoryEntry entry)
    {
        w.WriteStartObject(name);
        w.WriteNumber("limit"u8, entry.Limit);
        NonZero(w, "usage"u8, entry.Usage);
        NonZero(w, "max"u8, entry.Max);
        w.WriteNumber("failcnt"u8, entry.Failcnt);
        w.WriteEndObject();
    }

    static void Blkio(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<BlkioEntry>? entries)
    {
        if (entries is null) return;
        w.WriteStartArray(name);
        foreach (var e in entries)
        {
            w.WriteStartObject();
            NonZero(w, "major"u8, e.Major);
            NonZero(w, "minor"u8, e.Minor);
            if (e.Op is { } op) w.WriteString("op"u8, op);
            NonZero(w, "value"u8, e.Value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    static void NonZero(Utf8JsonWriter w, ReadOnlySpan<byte> name, ulong value)
    {
        if (value != 0) w.WriteNumber(name, value);
    }

    static void Numbers(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<ulong>? values)
    {
        if (values is null) return;
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    static void Numbers(Utf8JsonWriter w, ReadOnlySpan<byte> name, List<ushort>? values)
    {
        if (values is null) return;
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }
}
