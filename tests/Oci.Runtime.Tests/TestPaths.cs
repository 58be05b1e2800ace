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
