using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Spec;

/// <summary>config.json, exec's process file and update's resources file are read up to
/// <see cref="SpecLoader.MaxDocumentBytes"/>: a larger one is an error naming the file, before it is parsed (a
/// 200 MB config once ended in a stack trace and SIGABRT).</summary>
public sealed class DocumentSizeTests : IDisposable
{
    readonly string directory = Directory.CreateTempSubdirectory("oci-run-document-size-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    string FileOf(long length, string name = "config.json")
    {
        string path = Path.Combine(directory, name);
        using var file = File.Create(path);
        file.SetLength(length); // sparse: no need to write the bytes
        return path;
    }

    [Fact]
    public void A_config_larger_than_the_limit_is_refused_naming_it()
    {
        string path = FileOf(SpecLoader.MaxDocumentBytes + 1L);
        var e = Assert.Throws<OciException>(() => SpecLoader.ReadBundleConfig(directory));
        Assert.Equal($"{path}: larger than 8 MiB, the most oci-run reads of a document", e.Message);
    }

    [Fact]
    public void A_config_of_exactly_the_limit_is_read()
    {
        FileOf(SpecLoader.MaxDocumentBytes);
        Assert.Equal(SpecLoader.MaxDocumentBytes, SpecLoader.ReadBundleConfig(directory).Length);
    }

    [Fact]
    public void A_missing_config_keeps_runcs_words()
    {
        var e = Assert.Throws<OciException>(() => SpecLoader.ReadBundleConfig(directory));
        Assert.Equal($"JSON specification file {Path.Combine(directory, "config.json")} not found", e.Message);
    }

    [Fact]
    public void A_document_is_named_when_it_is_missing_a_directory_or_too_large()
    {
        string missing = Path.Combine(directory, "missing.json");
        Assert.Equal($"{missing}: does not exist", Assert.Throws<OciException>(() => SpecLoader.ReadDocument(missing)).Message);
        Assert.Equal($"{directory}: is a directory", Assert.Throws<OciException>(() => SpecLoader.ReadDocument(directory)).Message);
        string huge = FileOf(1L << 30, "process.json");
        Assert.StartsWith($"{huge}: larger than 8 MiB", Assert.Throws<OciException>(() => SpecLoader.ReadDocument(huge)).Message);
    }
}
