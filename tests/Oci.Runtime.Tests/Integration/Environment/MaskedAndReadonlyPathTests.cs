using Xunit;

namespace Oci.Runtime.Tests.Integration.ContainerEnvironment;

/// <summary><c>linux.maskedPaths</c> and <c>linux.readonlyPaths</c>.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class MaskedAndReadonlyPathTests
{
    [ContainerFact]
    public void MaskedFilesReadEmptyAndMaskedDirectoriesAreEmptyAndReadOnly()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("echo \"file:$(cat /etc/passwd | wc -c)\"; echo \"dir:$(ls -A /home | wc -l)\"; " +
                          "touch /home/x 2>/dev/null && echo dir-writable; echo x > /etc/passwd 2>/dev/null; " +
                          "echo \"after:$(cat /etc/passwd | wc -c)\"; cat /proc/self/mountinfo");
        spec.Linux!.MaskedPaths = ["/etc/passwd", "/home", "/does/not/exist"];
        string output = Env.Output(h, spec);
        Assert.Contains("file:0\n", output);
        Assert.Contains("dir:0\n", output);
        Assert.Contains("after:0\n", output);
        Assert.DoesNotContain("dir-writable", output);
        var home = Env.MountInfo(output, "/home");
        Assert.Equal("tmpfs", home.Type);
        Assert.Contains("ro", home.Options);
        Assert.NotEqual("", File.ReadAllText(Path.Combine(BusyboxRootfs.Path, "etc", "passwd")));
    }

    [ContainerFact]
    public void ReadonlyPathsCannotBeWritten()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("touch /scratch/ro/file 2>/dev/null && echo ro-writable; touch /scratch/rw/file && echo rw-ok; " +
                          "echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo proc-sys-writable; cat /proc/self/mountinfo");
        spec.Mounts!.Add(Env.Tmpfs("/scratch"));
        spec.Mounts.Add(Env.Tmpfs("/scratch/ro"));
        spec.Mounts.Add(Env.Tmpfs("/scratch/rw"));
        spec.Linux!.ReadonlyPaths = [.. spec.Linux.ReadonlyPaths!, "/scratch/ro", "/missing/path"];
        string output = Env.Output(h, spec);
        Assert.DoesNotContain("ro-writable", output);
        Assert.DoesNotContain("proc-sys-writable", output);
        Assert.Contains("rw-ok", output);
        Assert.Contains("ro", Env.MountInfo(output, "/scratch/ro").Options);
        Assert.Contains("ro", Env.MountInfo(output, "/proc/sys").Options);
    }

    [ContainerFact]
    public void ARelativeOrNullPathFailsNamingIt()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Linux!.MaskedPaths = ["/proc/kcore", "relative/path"];
        Env.Fails(h, spec, "linux.maskedPaths[1]");
        spec.Linux.MaskedPaths = null;
        spec.Linux.ReadonlyPaths = ["relative"];
        Env.Fails(h, spec, "linux.readonlyPaths[0]");
    }
}
