using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Oci.Runtime.Cgroups;
using Xunit;

namespace Oci.Runtime.Tests.Cgroups;

/// <summary>The hand-written events output is what the serializer writes for the model's attributes.</summary>
public class CgroupEventJsonTests
{
    static readonly JsonSerializerOptions Reflection = new() { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    static ulong U(Random r) => r.Next(3) switch { 0 => 0, 1 => (ulong)r.Next(1000), _ => ulong.MaxValue - (ulong)r.Next(10) };

    static List<T>? ListOf<T>(Random r, Func<T> item) => r.Next(3) == 0 ? null : Enumerable.Range(0, r.Next(4)).Select(_ => item()).ToList();

    static ContainerEvent RandomEvent(Random r)
    {
        if (r.Next(4) == 0) return new ContainerEvent { Type = "oom", Id = "c" + r.Next(100) };
        MemoryEntry Entry() => new() { Limit = U(r), Usage = U(r), Max = U(r), Failcnt = U(r) };
        var stats = new CgroupStats();
        stats.Cpu.Usage = new CpuUsage
        {
            Total = U(r), Kernel = U(r), User = U(r),
            Percpu = ListOf(r, () => U(r)), PercpuKernel = ListOf(r, () => U(r)), PercpuUser = ListOf(r, () => U(r)),
        };
        stats.Cpu.Throttling = new Throttling { Periods = U(r), ThrottledPeriods = U(r), ThrottledTime = U(r) };
        stats.Cpuset = new CpusetStats
        {
            Cpus = ListOf(r, () => (ushort)r.Next(64)), Mems = ListOf(r, () => (ushort)r.Next(4)), CpuExclusive = U(r),
            MemHardwall = U(r), MemExclusive = U(r), MemoryMigrate = U(r), MemorySpreadPage = U(r), MemorySpreadSlab = U(r),
            MemoryPressure = U(r), SchedLoadBalance = U(r), SchedRelaxDomainLevel = r.Next(3) - 1,
        };
        stats.Memory = new MemoryStats
        {
            Cache = U(r), Usage = Entry(), Swap = Entry(), Kernel = Entry(), KernelTcp = Entry(),
            Raw = r.Next(2) == 0 ? null : new SortedDictionary<string, ulong>(StringComparer.Ordinal) { ["rss"] = U(r), ["cache"] = U(r) },
        };
        stats.Pids = new PidsStats { Current = U(r), Limit = U(r) };
        stats.Blkio = new BlkioStats
        {
            IoServiceBytesRecursive = ListOf(r, () => new BlkioEntry { Major = U(r), Minor = U(r), Op = r.Next(2) == 0 ? null : "Read", Value = U(r) }),
            IoServicedRecursive = ListOf(r, () => new BlkioEntry { Major = U(r), Op = "Total", Value = U(r) }),
        };
        if (r.Next(2) == 0) stats.Hugetlb["2MB"] = new HugetlbStats { Usage = U(r), Max = U(r), Failcnt = U(r) };
        return new ContainerEvent { Type = "stats", Id = "c" + r.Next(100), Data = stats };
    }

    [Fact]
    public void EventsAreWrittenAsTheSerializerWritesThem()
    {
        for (int seed = 0; seed < 300; seed++)
        {
            var e = RandomEvent(new Random(seed));
            Assert.Equal(JsonSerializer.Serialize(e, Reflection), Oci.Cli.EventJson.Event(e));
        }
    }

    [Theory]
    [InlineData(new int[0], "[]")]
    [InlineData(new[] { 1, 42, 7 }, "[1,42,7]")]
    public void PidsAreAJsonArray(int[] pids, string expected) => Assert.Equal(expected, Oci.Cli.EventJson.Pids(pids));
}
