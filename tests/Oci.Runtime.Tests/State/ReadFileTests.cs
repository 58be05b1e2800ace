using Oci.Runtime.Interop;
using Xunit;

namespace Oci.Runtime.Tests.State;

/// <summary>Sys.TryReadFile sizes its buffer by fstat; what it returns must not depend on that guess being right.</summary>
public sealed class ReadFileTests : IDisposable
{
    readonly string directory = Directory.CreateTempSubdirectory("oci-read-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2185)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(100_000)]
    public void A_regular_file_is_read_whole(int size)
    {
        var content = new byte[size];
        new Random(size).NextBytes(content);
        string path = Path.Combine(directory, "f");
        File.WriteAllBytes(path, content);
        Assert.Equal(content, Sys.TryReadFile(path));
    }

    [Fact]
    public void A_proc_file_that_reports_no_size_is_read_whole_beyond_the_first_guess()
    {
        // /proc/self/maps of a .NET process is far longer than 4 KiB and its st_size is 0.
        var bytes = Sys.TryReadFile("/proc/self/maps")!;
        Assert.True(bytes.Length > 8192, $"only {bytes.Length} bytes");
        Assert.Equal((byte)'\n', bytes[^1]);
    }

    [Fact]
    public void A_missing_file_is_null() => Assert.Null(Sys.TryReadFile(Path.Combine(directory, "missing")));
}
