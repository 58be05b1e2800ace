using System.Text.Json.Nodes;
using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>config-linux.md: Devices, Default Devices; runtime-linux.md: Dev symbolic links; cgroup device allowlist.</summary>
internal static class ConfigLinuxDevices
{
    private const string Doc = "config-linux.md";

    private static JsonObject Dev(string path, string type, long major = 0, long minor = 0, long? mode = null, long? uid = null, long? gid = null)
    {
        var o = Obj(("path", path), ("type", type));
        if (type != "p") { o["major"] = major; o["minor"] = minor; }
        if (mode is not null) o["fileMode"] = mode.Value;
        if (uid is not null) o["uid"] = uid.Value;
        if (gid is not null) o["gid"] = gid.Value;
        return o;
    }

    private static string StatInside(CheckContext ctx, Bundle b, string path)
    {
        b.Sh($"stat -c '%F|%t:%T|%a|%u:%g' {path}");
        return ctx.RunProbe(b).Trim();
    }

    public static IEnumerable<Check> Checks()
    {
        yield return new("devices.char", Doc, "Devices", Level.MUST, "a `c` device is created with its major:minor", ctx =>
        {
            var b = ctx.NewBundle();
            b.Linux["devices"] = new JsonArray(Dev("/dev/conf-fuse", "c", 10, 229, 438, 0, 0));
            var s = StatInside(ctx, b, "/dev/conf-fuse").Split('|');
            Equal("character special file|a:e5", $"{s[0]}|{s.ElementAtOrDefault(1)}", "type and major:minor (hex)");
            return Pass();
        });
        yield return new("devices.block", Doc, "Devices", Level.MUST, "a `b` device is created with its major:minor", ctx =>
        {
            var b = ctx.NewBundle();
            b.Linux["devices"] = new JsonArray(Dev("/dev/conf-loop", "b", 7, 0, 432, 0, 0));
            var s = StatInside(ctx, b, "/dev/conf-loop").Split('|');
            Equal("block special file|7:0", $"{s[0]}|{s.ElementAtOrDefault(1)}", "type and major:minor (hex)");
            return Pass();
        });
        yield return new("devices.unbuffered", Doc, "Devices", Level.MUST, "a `u` (unbuffered character) device is a character device", ctx =>
        {
            var b = ctx.NewBundle();
            b.Linux["devices"] = new JsonArray(Dev("/dev/conf-u", "u", 1, 3, 438));
            var s = StatInside(ctx, b, "/dev/conf-u").Split('|');
            Equal("character special file|1:3", $"{s[0]}|{s.ElementAtOrDefault(1)}", "type and major:minor");
            return Pass();
        });
        yield return new("devices.fifo", Doc, "Devices", Level.MUST, "a `p` device is a FIFO", ctx =>
        {
            var b = ctx.NewBundle();
            b.Linux["devices"] = new JsonArray(Dev("/dev/conf-fifo", "p", mode: 420));
            var s = StatInside(ctx, b, "/dev/conf-fifo").Split('|');
            Equal("fifo", s[0], "file type");
            return Pass();
        });
        yield return new("devices.fileMode", Doc, "Devices", Level.MUST, "fileMode (decimal 432 = 0660) is the node's permission bits", ctx =>
        {
            var b = ctx.NewBundle();
            b.Linux["devices"] = new JsonArray(Dev("/dev/conf-mode", "c", 1, 3, 432, 0, 0));
            Equal("660", StatInside(ctx, b, "/dev/conf-mode").Split('|').ElementAtOrDefault(2), "mode");
            return Pass();
        });
        yield return new("devices.owner", Doc, "Devices", Level.MUST, "uid/gid of a device are its owner in the container", ctx =>
        {
            var b = ctx.NewBundle();
            b.Linux["devices"] = new JsonArray(Dev("/dev/conf-owned", "c", 1, 3, 438, 1000, 2000));
            Equal("1000:2000", StatInside(ctx, b, "/dev/conf-owned").Split('|').ElementAtOrDefault(3), "owner");
            return Pass();
        });
        yield return new("devices.outside-dev", Doc, "Devices", Level.MUST, "a device path outside /dev is honoured", ctx =>
        {
            var b = ctx.NewBundle().Writable();
            b.Linux["devices"] = new JsonArray(Dev("/conf-devs/null2", "c", 1, 3, 438));
            var s = StatInside(ctx, b, "/conf-devs/null2").Split('|');
            Equal("character special file|1:3", $"{s[0]}|{s.ElementAtOrDefault(1)}", "type and major:minor");
            return Pass();
        });
        yield return new("devices.conflict", Doc, "Devices", Level.MUST,
            "a device path where a non-matching file already exists generates an error", ctx =>
            {
                return ExpectInvalid(ctx, "device over a regular file",
                    b => b.Writable().Linux["devices"] = new JsonArray(Dev("/conf-devs/existing", "c", 1, 3, 438)),
                    b =>
                    {
                        b.Writable().WriteRootfsFile("/conf-devs/existing", "regular file");
                        b.Linux["devices"] = new JsonArray(Dev("/conf-devs/existing", "c", 1, 3, 438));
                    });
            }) { RuncDeviation = "runc ignores EEXIST when creating device nodes and keeps the existing file" };
        yield return new("devices.usable", Doc, "Devices", Level.MUST,
            "a configured device (c 1:3) is usable when the cgroup allows it", ctx =>
            {
                var b = ctx.NewBundle("echo data > /dev/conf-null2 && echo rc=$?");
                b.Linux["devices"] = new JsonArray(Dev("/dev/conf-null2", "c", 1, 3, 438));
                var o = ctx.RunProbe(b);
                Equal("0", KV(o).Get("rc", o), "write to the device");
                return Pass();
            });

        // --- default devices
        foreach (var (dev, mm, probe) in new[] {
            ("null", "1:3", "echo x > /dev/null && [ -z \"$(cat /dev/null)\" ] && echo works=1"),
            ("zero", "1:5", "[ \"$(head -c 4 /dev/zero | od -An -tx1 | tr -d ' ')\" = 00000000 ] && echo works=1"),
            ("full", "1:7", "echo x > /dev/full 2>/dev/null || echo works=1"),
            ("random", "1:8", "[ \"$(head -c 16 /dev/random | wc -c)\" = 16 ] && echo works=1"),
            ("urandom", "1:9", "[ \"$(head -c 16 /dev/urandom | wc -c)\" = 16 ] && echo works=1"),
            ("tty", "5:0", "[ -c /dev/tty ] && echo works=1") })
        {
            yield return new($"default-devices.{dev}", Doc, "Default Devices", Level.MUST,
                $"/dev/{dev} is supplied as character device {mm} and works", ctx =>
                {
                    var b = ctx.NewBundle($"stat -L -c '%F|%t:%T' /dev/{dev}; {probe}");
                    var o = ctx.RunProbe(b);
                    var first = o.Split('\n')[0].Trim().Split('|');
                    var hex = string.Join(':', mm.Split(':').Select(x => int.Parse(x).ToString("x")));
                    Equal($"character special file|{hex}", $"{first[0]}|{first.ElementAtOrDefault(1)}", $"/dev/{dev}");
                    Equal("1", KV(o).Get("works", o), $"/dev/{dev} behaviour");
                    return Pass();
                });
        }
        yield return new("default-devices.ptmx", Doc, "Default Devices", Level.MUST,
            "/dev/ptmx is a bind mount or symlink of the container's /dev/pts/ptmx", ctx =>
            {
                var o = ctx.RunProbe(ctx.NewBundle("readlink /dev/ptmx; stat -c %i /dev/pts/ptmx; stat -L -c %i /dev/ptmx"));
                var l = o.Split('\n');
                bool symlink = l[0].Trim() is "pts/ptmx" or "/dev/pts/ptmx";
                bool same = l.Length >= 3 && l[1].Trim() == l[2].Trim() && l[1].Trim().Length > 0;
                That(symlink || same, $"/dev/ptmx is neither a symlink to pts/ptmx nor the same inode: {Show(o)}");
                return Pass();
            });
        const string RL = "runtime-linux.md";
        foreach (var (link, target) in new[] { ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2") })
        {
            yield return new($"dev-symlinks.{link}", RL, "Dev symbolic links", Level.MUST, $"/dev/{link} is a symlink to {target}", ctx =>
            {
                Equal(target, ctx.RunProbe(ctx.NewBundle($"readlink /dev/{link}")).Trim(), $"/dev/{link}");
                return Pass();
            });
        }

        // --- cgroup device allowlist
        const string AL = "Allowed Device list";
        yield return new("cgroup-devices.deny", Doc, AL, Level.MUST,
            "with `deny all` first, a device node not in the allowlist (c 1:11) cannot be opened", ctx =>
            {
                var b = ctx.NewBundle("(exec 3>/dev/conf-kmsg) 2>/dev/null && echo open=ok || echo open=denied");
                b.Linux["devices"] = new JsonArray(Dev("/dev/conf-kmsg", "c", 1, 11, 438));
                var o = ctx.RunProbe(b);
                Equal("denied", KV(o).Get("open", o), "opening c 1:11 for writing");
                return Pass();
            });
        yield return new("cgroup-devices.allow", Doc, AL, Level.MUST,
            "an allow rule (c 1:11 w) after `deny all` lets the device be opened", ctx =>
            {
                var b = ctx.NewBundle("(exec 3>/dev/conf-kmsg) && echo open=ok || echo open=denied");
                b.Linux["devices"] = new JsonArray(Dev("/dev/conf-kmsg", "c", 1, 11, 438));
                Bundle.Arr(b.Resources, "devices").Add((JsonNode)Obj(("allow", true), ("type", "c"), ("major", 1), ("minor", 11), ("access", "w")));
                var o = ctx.RunProbe(b);
                Equal("ok", KV(o).Get("open", o), "opening c 1:11 for writing");
                return Pass();
            });
        yield return new("cgroup-devices.order", Doc, AL, Level.MUST,
            "rules apply in order: allow c 1:11 then deny c 1:11 leaves it denied", ctx =>
            {
                var b = ctx.NewBundle("(exec 3>/dev/conf-kmsg) 2>/dev/null && echo open=ok || echo open=denied");
                b.Linux["devices"] = new JsonArray(Dev("/dev/conf-kmsg", "c", 1, 11, 438));
                var rules = Bundle.Arr(b.Resources, "devices");
                rules.Add((JsonNode)Obj(("allow", true), ("type", "c"), ("major", 1), ("minor", 11), ("access", "rwm")));
                rules.Add((JsonNode)Obj(("allow", false), ("type", "c"), ("major", 1), ("minor", 11), ("access", "rwm")));
                var o = ctx.RunProbe(b);
                Equal("denied", KV(o).Get("open", o), "opening c 1:11 for writing");
                return Pass();
            });
        yield return new("cgroup-devices.v1-list", Doc, AL, Level.MUST,
            "(cgroup v1) the container's devices.list has the configured allow rule c 10:229 rw", ctx =>
            {
                if (!ctx.Host.V1.ContainsKey("devices")) throw Skip("no cgroup v1 devices controller (v2 uses eBPF, checked functionally)");
                var b = ctx.NewBundle("true");
                Bundle.Arr(b.Resources, "devices").Add((JsonNode)Obj(("allow", true), ("type", "c"), ("major", 10), ("minor", 229), ("access", "rw")));
                var c = ctx.Create(b);
                var loc = ctx.Host.CgroupOf(c.Pid, "devices") ?? throw Fail("container has no devices cgroup");
                var list = Host.Read(Path.Combine(loc.Dir, "devices.list"));
                That(list.Split('\n').Contains("c 10:229 rw"), "devices.list: " + Show(list));
                That(!list.Split('\n').Contains("a *:* rwm"), "devices.list still allows everything");
                return Pass();
            });
    }
}
