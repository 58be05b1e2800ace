using System.Diagnostics;
using Oci.Runtime.Tests.Integration;
using Xunit;

namespace Oci.Runtime.Tests.Packaging;

/// <summary>
/// Oci.Runtime as a package: packed, restored from a local folder into a new console program that has no C
/// toolchain step, no oci-run binary and nothing of its own in Main but the library's calls, which creates, starts,
/// waits for and deletes a container — run under the JIT host and published as NativeAOT.
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
    readonly string work = Directory.CreateTempSubdirectory("oci-run-package-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    const string Program = """
        using Oci.Runtime.Lifecycle;
        using Oci.Runtime.Spec;

        string rootfs = args[0];
        string bundle = Directory.CreateTempSubdirectory("package-bundle-").FullName;
        var spec = DefaultSpec.Create();
        spec.Root!.Path = rootfs;
        spec.Process!.Terminal = false;
        spec.Process.Args = ["sh", "-c", "echo hello from a container made by a package"];
        File.WriteAllBytes(Path.Combine(bundle, "config.json"), SpecLoader.Serialize(spec));
        var runtime = new ContainerRuntime(new RuntimeOptions { Root = Path.Combine(bundle, "state") });
        string id = "package-" + Guid.NewGuid().ToString("N")[..8];
        runtime.Create(id, bundle, new CreateOptions());
        try
        {
            runtime.Start(id);
            while (runtime.State(id).Status != "stopped") Thread.Sleep(10);
        }
        finally
        {
            runtime.Delete(id, force: true);
            Directory.Delete(bundle, recursive: true);
        }
        """;

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
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);
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
        Assert.Contains("hello from a container made by a package", jit.Stdout);

        string output = Path.Combine(work, "aot");
        Ok(Run(app, "dotnet", "publish", "-c", "Release", "-p:PublishAot=true", "-o", output, "-nologo", "-v", "quiet"), "publish (NativeAOT)");
        var aot = Run(app, Path.Combine(output, "app"), BusyboxRootfs.Path);
        Ok(aot, "NativeAOT program");
        Assert.Contains("hello from a container made by a package", aot.Stdout);
    }
}
