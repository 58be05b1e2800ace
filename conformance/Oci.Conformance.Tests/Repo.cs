namespace Oci.Conformance.Tests;

/// <summary>Paths in the repository the tests run from (found by walking up to third_party/runtime-spec).</summary>
internal static class Repo
{
    public static string Root { get; } = Find();

    public static string SpecDir => Path.Combine(Root, "third_party", "runtime-spec");
    public static string CatalogueFile => Path.Combine(Root, "conformance", "catalogue.json");

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "third_party", "runtime-spec", "VERSION"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository (third_party/runtime-spec/VERSION) above " + AppContext.BaseDirectory);
    }
}
