using System.Diagnostics;
using Oci.Runtime.Interop;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Lifecycle;

/// <summary>What a runtime without privileges (rootless, as runc's) decides differently: it needs a user namespace,
/// uses a cgroup only where one is delegated to it, and maps ids other than its own through newuidmap/newgidmap.</summary>
internal static class Rootless
{
    /// <summary>Refuses a config that cannot run without privileges, naming the field (runc's words).</summary>
    public static void Check(ContainerPlan plan)
    {
        if (!plan.Creates("user") && !plan.Joins.Any(j => j.Type.Name == "user"))
            throw new SpecValidationException("linux.namespaces", "rootless container requires user namespaces");
    }

    /// <summary>The first of the container's cgroup directories (or its nearest existing ancestor) the caller may
    /// not write, or null when every one is delegated to it.</summary>
    public static string? UndelegatedCgroup(IEnumerable<string> paths)
    {
        foreach (string path in paths)
        {
            string? existing = path;
            while (existing is not null && !Directory.Exists(existing)) existing = Path.GetDirectoryName(existing);
            if (existing is null || !Sys.MayWrite(existing)) return existing ?? path;
            // A directory already there must also take the container's processes.
            if (existing == path && !Sys.MayWrite(Path.Combine(path, "cgroup.procs")) && !Sys.MayWrite(Path.Combine(path, "tasks")))
                return path;
        }
        return null;
    }

    /// <summary>Whether <paramref name="mappings"/> map nothing but <paramref name="id"/> (the caller's own), which an
    /// unprivileged process may write to a map file itself.</summary>
    public static bool OnlyOwnId(IReadOnlyList<LinuxIdMapping>? mappings, uint id) => mappings is [{ Size: 1 } m] && m.HostId == id;

    /// <summary>Writes a map with newuidmap or newgidmap (<paramref name="program"/>), the setuid helpers that grant
    /// what /etc/subuid and /etc/subgid allow the caller.</summary>
    public static void WriteWithHelper(string program, int pid, IReadOnlyList<LinuxIdMapping> mappings, string field)
    {
        string? path = new[] { "/usr/bin", "/bin", "/usr/sbin", "/sbin" }.Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
        if (path is null)
            throw new OciException($"{field}: mapping ids other than the caller's own without privileges needs {program} (package uidmap)");
        var start = new ProcessStartInfo(path) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var m in mappings)
        {
            start.ArgumentList.Add(m.ContainerId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            start.ArgumentList.Add(m.HostId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            start.ArgumentList.Add(m.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        using var process = System.Diagnostics.Process.Start(start) ?? throw new OciException($"{field}: cannot start {path}");
        process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd().Trim();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new OciException($"{field}: {program} failed (exit {process.ExitCode}): {error.ReplaceLineEndings(" ")}");
    }
}
