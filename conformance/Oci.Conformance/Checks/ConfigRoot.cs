using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>config.md: Specification version, Root; config-linux.md: Default Filesystems.</summary>
internal static class ConfigRoot
{
    private const string Doc = "config.md";

    public static IEnumerable<Check> Checks()
    {
        yield return new("root.relative-path", Doc, "Root", Level.MUST,
            "root.path relative to the bundle (`rootfs`) is the container's /", ctx =>
            {
                var output = ctx.RunProbe(ctx.NewBundle("cat /etc/conformance-marker"));
                Equal("oci-conformance-rootfs", output.Trim(), "/etc/conformance-marker");
                return Pass();
            });
        yield return new("root.absolute-path", Doc, "Root", Level.MUST,
            "an absolute root.path is the container's /", ctx =>
            {
                var b = ctx.NewBundle("cat /etc/conformance-marker; cat /abs-marker");
                b.WriteRootfsFile("/abs-marker", "absolute\n");
                Bundle.Obj(b.Config, "root")["path"] = b.Rootfs;
                var output = ctx.RunProbe(b);
                Equal("oci-conformance-rootfs\nabsolute", output.Trim(), "markers");
                return Pass();
            });
        yield return new("root.missing", Doc, "Root", Level.MUST,
            "a root.path that does not exist generates an error", ctx =>
            {
                var b = ctx.NewBundle("true");
                Bundle.Obj(b.Config, "root")["path"] = "no-such-rootfs";
                var r = ctx.TryCreate(b, ctx.NewId());
                That(!r.Ok, "create succeeded with a missing root.path");
                return Pass();
            });
        yield return new("root.readonly", Doc, "Root", Level.MUST,
            "root.readonly true makes the root filesystem read-only inside the container", ctx =>
            {
                var output = ctx.RunProbe(ctx.NewBundle("touch /should-fail 2>/dev/null; echo rc=$?; cat /proc/self/mountinfo"));
                var kv = KV(output);
                That(kv.Get("rc", output) != "0", "writing to / succeeded");
                var root = MountInfo.Parse(output).LastOrDefault(m => m.MountPoint == "/");
                That(root is not null && root.HasOption("ro"), $"/ is not mounted ro: {Show(output)}");
                return Pass();
            });
        yield return new("root.writable", Doc, "Root", Level.MUST,
            "root.readonly false (default) leaves the root filesystem writable", ctx =>
            {
                var b = ctx.NewBundle("touch /written && echo rc=$?");
                Bundle.Obj(b.Config, "root").Remove("readonly");
                var output = ctx.RunProbe(b);
                Equal("0", KV(output).Get("rc", output), "touch /written exit code");
                That(File.Exists(Path.Combine(b.Rootfs, "written")), "file did not land in the rootfs");
                return Pass();
            });
        yield return new("root.confined", Doc, "Root", Level.MUST,
            "the container cannot see the host filesystem outside root.path", ctx =>
            {
                var b = ctx.NewBundle();
                b.Sh($"test -e {b.Dir}/config.json && echo visible=yes || echo visible=no; ls /proc/1/root/ | wc -l > /dev/null; echo done=1");
                var output = ctx.RunProbe(b);
                Equal("no", KV(output).Get("visible", output), "bundle config.json visible inside the container");
                return Pass();
            });
        yield return new("version.accepted", Doc, "Specification version", Level.MUST,
            "a config with ociVersion 1.0.0 (a released version) is accepted", ctx =>
            {
                var b = ctx.NewBundle("echo ok=1");
                b.Config["ociVersion"] = "1.0.0";
                var output = ctx.RunProbe(b);
                Equal("1", KV(output).Get("ok", output), "probe");
                return Pass();
            });

        const string LDoc = "config-linux.md";
        foreach (var (path, type) in new[] { ("/proc", "proc"), ("/sys", "sysfs"), ("/dev/pts", "devpts"), ("/dev/shm", "tmpfs") })
        {
            yield return new($"default-fs{path.Replace('/', '.')}", LDoc, "Default Filesystems", Level.SHOULD,
                $"{path} is a {type} mount in a container made from the default (runc spec) config", ctx =>
                {
                    var output = ctx.RunProbe(ctx.NewBundle("cat /proc/self/mountinfo"));
                    var m = MountInfo.Parse(output).LastOrDefault(x => x.MountPoint == path);
                    That(m is not null, $"{path} is not a mount point");
                    Equal(type, m!.FsType, $"{path} filesystem type");
                    return Pass();
                });
        }
    }
}
