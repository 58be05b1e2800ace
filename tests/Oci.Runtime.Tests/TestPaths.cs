namespace Oci.Runtime.Tests;

/// <summary>Locates test inputs that live outside the repository.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> RuntimeSpec = new(FindRuntimeSpec);

    /// <summary>The runtime-spec documents and schemas: the first <c>shared/runtime-spec</c> found walking up from
    /// the test binaries, which finds the <c>shared/</c> folder cloned beside the repository
    /// (<c>/work/main</c> and <c>/work/shared</c>) as well as one inside it.</summary>
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
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "runtime-spec");
            if (Directory.Exists(candidate)) return candidate;
            // The repository root (it holds Oci.sln) with shared/ beside it.
            if (File.Exists(Path.Combine(dir.FullName, "Oci.sln")))
            {
                candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "runtime-spec"));
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        throw new DirectoryNotFoundException(
            $"shared/runtime-spec not found above {AppContext.BaseDirectory}; clone shared/ beside the repository");
    }
}
