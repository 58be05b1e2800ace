namespace Oci.Runtime.Tests;

/// <summary>Locates the repository's test inputs and the published binary.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> RuntimeSpec = new(FindRuntimeSpec);

    /// <summary>The runtime-spec documents, schemas and schema test documents, vendored in the repository
    /// (<c>third_party/runtime-spec</c>, its version in <c>VERSION</c>) so that a clone alone builds and passes.</summary>
    public static string RuntimeSpecDirectory => RuntimeSpec.Value;

    /// <summary>A folder of the spec's schema test documents, such as <c>config/good</c>.</summary>
    public static string SchemaTests(string kind, string goodOrBad) =>
        Path.Combine(RuntimeSpecDirectory, "schema", "test", kind, goodOrBad);

    /// <summary>The repository root (the folder holding Oci.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Oci.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException($"Oci.sln not found above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>The published oci-run binary: $OCI_RUN_BINARY, else artifacts/oci-run of the repository (built by
    /// <c>dotnet publish src/oci-run -c Release -o artifacts</c>).</summary>
    public static string OciRunBinary
    {
        get
        {
            string path = Environment.GetEnvironmentVariable("OCI_RUN_BINARY") ?? Path.Combine(RepositoryRoot, "artifacts", "oci-run");
            if (!File.Exists(path))
                throw new FileNotFoundException($"{path} is missing: run `dotnet publish src/oci-run -c Release -o artifacts` first");
            return path;
        }
    }

    private static string FindRuntimeSpec()
    {
        string dir = Path.Combine(RepositoryRoot, "third_party", "runtime-spec");
        return Directory.Exists(dir) ? dir : throw new DirectoryNotFoundException($"{dir} is missing");
    }
}
