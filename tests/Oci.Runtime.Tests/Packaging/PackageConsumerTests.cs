using System.Diagnostics;
using Oci.Runtime.Tests.Integration;
using Xunit;

namespace Oci.Runtime.Tests.Packaging;

/// <summary>
/// Oci.Runtime as a package: packed, restored from a local folder into a new console program whose Program.cs is
/// exactly the README's first C# block (no C toolchain step, no oci-run binary), which builds a spec in code, runs a
/// container and prints what it wrote through stdio pipes — run under the JIT host and published as NativeAOT.
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
    readonly string work = Directory.CreateTempSubdirectory("oci-run-package-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    /// <summary>The README's first C# code block: the Program.cs it shows a new user.</summary>
    static string ReadmeProgram()
    {
        string readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        var match = System.Text.RegularExpressions.Regex.Match(readme, "```csharp\n(.*?)\n```", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.True(match.Success, "README.md has no C# code block");
        return match.Groups[1].Value + "\n";
    }

    /// <summary>What the README's program prints from its container (busybox's sh, hostname "demo", pid 1 in its
    /// PID namespace).</summary>
    const string ContainerOutput = "hello from demo, pid 1\nstderr: to stderr\n";

    static CommandResult Run(string directory, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new CommandResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    static void Ok(CommandResult result, string what) => Assert.True(result.ExitCode == 0, $"{what}: {result}");

    [ContainerFact]
    public void A_console_program_that_references_the_package_runs_a_container_under_JIT_and_NativeAOT()
    {
        string feed = Path.Combine(work, "feed");
        // A version of its own, so that no package restored before (in the machine's package folder) stands in.
        string version = $"0.0.0-test.{Guid.NewGuid():N}";
        Ok(Run(TestPaths.RepositoryRoot, "dotnet", "pack", "src/Oci.Runtime", "-c", "Release", "-o", feed, $"-p:PackageVersion={version}", "-nologo", "-v", "quiet"), "pack");
        // A real package: its README, license, repository and symbols, and only the logging abstractions.
        Assert.True(File.Exists(Path.Combine(feed, $"Oci.Runtime.{version}.snupkg")), "no symbol package");
        using (var zip = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, $"Oci.Runtime.{version}.nupkg")))
        {
            Assert.NotNull(zip.GetEntry("README.md"));
            // MIT asks for its text to go with every copy: the license expression names it, the file carries it.
            Assert.NotNull(zip.GetEntry("LICENSE"));
            using var reader = new StreamReader(zip.GetEntry("Oci.Runtime.nuspec")!.Open());
            string nuspec = reader.ReadToEnd();
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
            Assert.Contains("<readme>README.md</readme>", nuspec);
            Assert.Matches("<repository type=\"git\" url=\"https://[^\"]+\"[^>]* commit=\"[0-9a-f]{40}\"", nuspec);
            Assert.Contains("id=\"Microsoft.Extensions.Logging.Abstractions\"", nuspec);
            Assert.DoesNotContain("id=\"Microsoft.Extensions.Logging\"", nuspec);
        }

        string app = Path.Combine(work, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <RuntimeIdentifier>linux-x64</RuntimeIdentifier>
                <InvariantGlobalization>true</InvariantGlobalization>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Oci.Runtime" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), ReadmeProgram());
        // The package from the local folder only; its dependencies from the configured feeds. Outside the
        // repository, so that its Directory.Build.props does not apply.
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        Ok(Run(app, "dotnet", "restore", "-nologo", "-v", "quiet"), "restore");

        var jit = Run(app, "dotnet", "run", "--no-restore", "--", BusyboxRootfs.Path);
        Ok(jit, "dotnet run (JIT)");
        Assert.Contains(ContainerOutput, jit.Stdout);
        Assert.Contains("exited with code 0", jit.Stdout);

        string output = Path.Combine(work, "aot");
        Ok(Run(app, "dotnet", "publish", "-c", "Release", "-p:PublishAot=true", "-o", output, "-nologo", "-v", "quiet"), "publish (NativeAOT)");
        var aot = Run(app, Path.Combine(output, "app"), BusyboxRootfs.Path);
        Ok(aot, "NativeAOT program");
        Assert.Contains(ContainerOutput, aot.Stdout);
        Assert.Contains("exited with code 0", aot.Stdout);
    }
}
