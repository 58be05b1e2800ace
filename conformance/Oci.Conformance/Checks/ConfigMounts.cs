using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>config.md: Mounts, Linux mount options, POSIX-platform Mounts.</summary>
internal static class ConfigMounts
{
    private const string Doc = "config.md";
    private const string Opts = "Linux mount options";
    private const string T = "/mnt/t";

    private static List<MountInfo> MountsSeenInside(CheckContext ctx, Bundle b, string extra = "")
    {
        b.Sh(extra + "cat /proc/self/mountinfo");
        var output = ctx.RunProbe(b);
        return MountInfo.Parse(output);
    }

    private static MountInfo Find(List<MountInfo> ms, string mountPoint) =>
        ms.LastOrDefault(m => m.MountPoint == mountPoint) ?? throw Fail($"{mountPoint} is not a mount point inside the container");

    private static string Desc(MountInfo m) => $"{m.MountPoint} {m.MountOptions} {m.OptionalFields} - {m.FsType} {m.SuperOptions}";

    /// <summary>A plain (non-recursive) option tested on a tmpfs mount.</summary>
    private static Check TmpfsOption(string name, Level level, string[] options, Func<MountInfo, bool> ok, string expectation, string? deviation = null) =>
        new($"mounts.option.{name}", Doc, Opts, level,
            $"mount option{(options.Length > 1 ? "s" : "")} `{string.Join(",", options)}` on a tmpfs: {expectation}", ctx =>
            {
                var b = ctx.NewBundle();
                b.AddMount(T, "tmpfs", "tmpfs", options);
                var m = Find(MountsSeenInside(ctx, b), T);
                That(m.FsType == "tmpfs", $"{T} is {m.FsType}, not tmpfs");
                That(ok(m), $"expected {expectation}; mountinfo: {Desc(m)}");
                return Pass();
            }) { RuncDeviation = deviation };

    /// <summary>Makes host dir D with a tmpfs submount D/sub (mounted with subOptions), for rbind/recursive checks.</summary>
    private static string HostTreeWithSubmount(CheckContext ctx, string subOptions)
    {
        var d = ctx.NewDir("tree");
        File.WriteAllText(Path.Combine(d, "top-file"), "top");
        var sub = Path.Combine(d, "sub");
        Directory.CreateDirectory(sub);
        ctx.HostMount(sub, "-t", "tmpfs", "-o", "size=1m" + (subOptions.Length > 0 ? "," + subOptions : ""), "conformance-sub", sub);
        return d;
    }

    private static Check Recursive(string name, Level level, string hostSubOptions, Func<MountInfo, bool> ok, string expectation, string? deviation = null) =>
        new($"mounts.option.{name}", Doc, Opts, level,
            $"recursive mount option `{name}` on an rbind mount applies to submounts: {expectation}", ctx =>
            {
                ctx.Host.RequireFeature(f => ctx.Host.FeatureListContains("mountOptions", name), $"mount option `{name}`");
                var d = HostTreeWithSubmount(ctx, hostSubOptions);
                var b = ctx.NewBundle();
                b.AddMount(T, "none", d, "rbind", name);
                var ms = MountsSeenInside(ctx, b);
                var sub = Find(ms, T + "/sub");
                That(ok(sub), $"submount: expected {expectation}; mountinfo: {Desc(sub)}");
                return Pass();
            }) { RuncDeviation = deviation };

    /// <summary>Skips unless the runtime's features say it uses uid/gidMappings of mounts (mountExtensions.idmap.enabled).</summary>
    private static void RequireIdmap(CheckContext ctx) =>
        ctx.Host.RequireFeature(f => f["linux"]?["mountExtensions"]?["idmap"]?["enabled"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<bool>(out var e) ? e : null,
            "linux.mountExtensions.idmap.enabled");

    private static bool NoAtimeFlags(MountInfo m) => !m.HasOption("noatime") && !m.HasOption("relatime");

    public static IEnumerable<Check> Checks()
    {
        // --- generic mounts semantics
        yield return new("mounts.order", Doc, "Mounts", Level.MUST,
            "mounts are mounted in the listed order (a later mount on the same destination is on top)", ctx =>
            {
                var b = ctx.NewBundle();
                b.AddMount(T, "tmpfs", "first", "size=1m");
                b.AddMount(T, "tmpfs", "second", "size=2m");
                var ms = MountsSeenInside(ctx, b).Where(m => m.MountPoint == T).ToList();
                That(ms.Count == 2, $"expected two mounts on {T}, got {ms.Count}");
                That(ms[0].Source == "first" && ms[1].Source == "second", $"order: {string.Join(" | ", ms.Select(Desc))}");
                return Pass();
            });
        yield return new("mounts.nested-order", Doc, "Mounts", Level.MUST,
            "a mount nested under an earlier mount's destination is visible (mounted after its parent)", ctx =>
            {
                var b = ctx.NewBundle();
                b.AddMount(T, "tmpfs", "parent", "size=1m");
                b.AddMount(T + "/child", "tmpfs", "child", "size=1m");
                var ms = MountsSeenInside(ctx, b);
                var child = Find(ms, T + "/child");
                var parent = Find(ms, T);
                That(child.ParentId == parent.Id, $"child mount is not on top of the parent tmpfs: {Desc(child)}");
                return Pass();
            });
        yield return new("mounts.destination-relative", Doc, "Mounts", Level.MUST,
            "a relative destination (deprecated) is interpreted relative to /", ctx =>
            {
                var b = ctx.NewBundle();
                b.AddMount("mnt/relative", "tmpfs", "rel", "size=1m");
                Find(MountsSeenInside(ctx, b), "/mnt/relative");
                return Pass();
            });
        yield return new("mounts.bind-dir", Doc, "Mounts", Level.MUST, "a `bind` mount of a host directory shows its content", ctx =>
        {
            var d = ctx.NewDir("bind");
            File.WriteAllText(Path.Combine(d, "hello"), "from-host");
            var b = ctx.NewBundle($"cat {T}/hello");
            b.AddMount(T, "none", d, "bind");
            Equal("from-host", ctx.RunProbe(b).Trim(), "file content");
            return Pass();
        });
        yield return new("mounts.bind-file", Doc, "Mounts", Level.MUST, "a `bind` mount of a single host file", ctx =>
        {
            var d = ctx.NewDir("bindf");
            var f = Path.Combine(d, "file");
            File.WriteAllText(f, "single-file");
            var b = ctx.NewBundle("cat /mnt/file");
            b.AddMount("/mnt/file", "none", f, "bind");
            Equal("single-file", ctx.RunProbe(b).Trim(), "file content");
            return Pass();
        });
        yield return new("mounts.bind-relative-source", Doc, "Mounts", Level.MUST,
            "a bind mount source relative to the bundle directory", ctx =>
            {
                var b = ctx.NewBundle($"cat {T}/rel");
                Directory.CreateDirectory(Path.Combine(b.Dir, "reldata"));
                File.WriteAllText(Path.Combine(b.Dir, "reldata", "rel"), "relative-source");
                b.AddMount(T, "none", "reldata", "bind");
                Equal("relative-source", ctx.RunProbe(b).Trim(), "file content");
                return Pass();
            });
        yield return new("mounts.option.bind", Doc, Opts, Level.MUST,
            "`bind` is not recursive: a host submount is not visible", ctx =>
            {
                var d = HostTreeWithSubmount(ctx, "");
                File.WriteAllText(Path.Combine(d, "sub", "in-sub"), "x");
                var b = ctx.NewBundle($"test -e {T}/top-file && echo top=yes; test -e {T}/sub/in-sub && echo sub=yes || echo sub=no");
                b.AddMount(T, "none", d, "bind");
                var o = ctx.RunProbe(b);
                var kv = KV(o);
                Equal("yes", kv.Get("top", o), "top-level file");
                Equal("no", kv.Get("sub", o), "file in the host submount");
                return Pass();
            });
        yield return new("mounts.option.rbind", Doc, Opts, Level.MUST,
            "`rbind` is recursive: a host submount is visible", ctx =>
            {
                var d = HostTreeWithSubmount(ctx, "");
                File.WriteAllText(Path.Combine(d, "sub", "in-sub"), "x");
                var b = ctx.NewBundle($"cat {T}/sub/in-sub");
                b.AddMount(T, "none", d, "rbind");
                Equal("x", ctx.RunProbe(b).Trim(), "file in the submount");
                return Pass();
            });
        yield return new("mounts.readonly-bind", Doc, Opts, Level.MUST,
            "`bind,ro` makes a read-only bind mount (writes fail)", ctx =>
            {
                var d = ctx.NewDir("robind");
                var b = ctx.NewBundle($"touch {T}/x 2>/dev/null; echo rc=$?");
                b.AddMount(T, "none", d, "bind", "ro");
                var o = ctx.RunProbe(b);
                That(KV(o).Get("rc", o) != "0", "write to a ro bind mount succeeded");
                That(!File.Exists(Path.Combine(d, "x")), "file appeared on the host");
                return Pass();
            });
        yield return new("mounts.fs-data.size", Doc, Opts, Level.SHOULD,
            "unknown options (`size=1m`) are passed to the filesystem as data", ctx =>
            {
                var b = ctx.NewBundle();
                b.AddMount(T, "tmpfs", "tmpfs", "size=1m");
                var m = Find(MountsSeenInside(ctx, b), T);
                That(m.SuperOptions.Split(',').Contains("size=1024k"), $"size not applied: {Desc(m)}");
                return Pass();
            });
        yield return new("mounts.fs-data.mode", Doc, Opts, Level.SHOULD,
            "filesystem-specific `mode=700` reaches tmpfs (stat shows 700)", ctx =>
            {
                var b = ctx.NewBundle();
                b.AddMount(T, "tmpfs", "tmpfs", "mode=700", "nosuid");
                b.Sh($"stat -c %a {T}");
                Equal("700", ctx.RunProbe(b).Trim(), "mode of the tmpfs root");
                return Pass();
            });
        yield return new("mounts.option.noexec-enforced", Doc, Opts, Level.MUST,
            "`noexec` is enforced: executing a binary from the mount fails", ctx =>
            {
                var b = ctx.NewBundle($"cp /bin/busybox {T}/true && {T}/true 2>/dev/null; echo rc=$?");
                b.AddMount(T, "tmpfs", "tmpfs", "noexec");
                var o = ctx.RunProbe(b);
                That(KV(o).Get("rc", o) != "0", "executing from a noexec mount succeeded");
                return Pass();
            });
        yield return new("mounts.option.exec-enforced", Doc, Opts, Level.MUST,
            "`exec` after `noexec` allows executing a binary from the mount", ctx =>
            {
                var b = ctx.NewBundle($"cp /bin/busybox {T}/true && {T}/true; echo rc=$?");
                b.AddMount(T, "tmpfs", "tmpfs", "noexec", "exec");
                var o = ctx.RunProbe(b);
                Equal("0", KV(o).Get("rc", o), "exec from the mount");
                return Pass();
            });

        // --- per-option checks on a tmpfs (flags verified in the container's /proc/self/mountinfo)
        yield return TmpfsOption("ro", Level.MUST, ["ro"], m => m.HasOption("ro"), "mount is ro");
        yield return TmpfsOption("rw", Level.MUST, ["ro", "rw"], m => m.HasOption("rw"), "later `rw` wins: mount is rw");
        yield return TmpfsOption("nosuid", Level.MUST, ["nosuid"], m => m.HasOption("nosuid"), "nosuid set");
        yield return TmpfsOption("suid", Level.MUST, ["nosuid", "suid"], m => !m.HasOption("nosuid"), "later `suid` clears nosuid");
        yield return TmpfsOption("nodev", Level.MUST, ["nodev"], m => m.HasOption("nodev"), "nodev set");
        yield return TmpfsOption("dev", Level.MUST, ["nodev", "dev"], m => !m.HasOption("nodev"), "later `dev` clears nodev");
        yield return TmpfsOption("noexec", Level.MUST, ["noexec"], m => m.HasOption("noexec"), "noexec set");
        yield return TmpfsOption("exec", Level.MUST, ["noexec", "exec"], m => !m.HasOption("noexec"), "later `exec` clears noexec");
        yield return TmpfsOption("noatime", Level.MUST, ["noatime"], m => m.HasOption("noatime"), "noatime set");
        yield return TmpfsOption("atime", Level.MUST, ["noatime", "atime"], m => !m.HasOption("noatime"), "later `atime` clears noatime");
        yield return TmpfsOption("strictatime", Level.MUST, ["strictatime"], NoAtimeFlags, "neither relatime nor noatime");
        yield return TmpfsOption("nostrictatime", Level.MUST, ["strictatime", "nostrictatime"], m => m.HasOption("relatime"), "later `nostrictatime` restores the default relatime");
        yield return TmpfsOption("relatime", Level.MUST, ["relatime"], m => m.HasOption("relatime") && !m.HasOption("noatime"), "relatime set");
        yield return TmpfsOption("norelatime", Level.MUST, ["norelatime"], m => !m.HasOption("noatime") && m.HasOption("rw"), "accepted (the kernel then applies its default atime mode)");
        yield return TmpfsOption("nodiratime", Level.MUST, ["nodiratime"], m => m.HasOption("nodiratime"), "nodiratime set");
        yield return TmpfsOption("diratime", Level.MUST, ["nodiratime", "diratime"], m => !m.HasOption("nodiratime"), "later `diratime` clears nodiratime");
        yield return TmpfsOption("sync", Level.MUST, ["sync"], m => m.HasSuperOption("sync") || m.HasOption("sync"), "superblock is sync");
        yield return TmpfsOption("async", Level.MUST, ["sync", "async"], m => !m.HasSuperOption("sync"), "later `async` clears sync");
        yield return TmpfsOption("dirsync", Level.MUST, ["dirsync"], m => m.HasSuperOption("dirsync") || m.HasOption("dirsync"), "superblock is dirsync");
        yield return TmpfsOption("lazytime", Level.MUST, ["lazytime"], m => m.HasSuperOption("lazytime") || m.HasOption("lazytime"), "superblock is lazytime");
        yield return TmpfsOption("nolazytime", Level.MUST, ["lazytime", "nolazytime"], m => !m.HasSuperOption("lazytime"), "later `nolazytime` clears lazytime");
        yield return TmpfsOption("defaults", Level.MUST, ["defaults"], m => m.HasOption("rw") && !m.HasOption("nosuid") && !m.HasOption("nodev") && !m.HasOption("noexec"), "rw, suid, dev, exec",
            "runc 1.1 maps `defaults` to flag 0 and then passes it to the filesystem as data, which tmpfs rejects");
        yield return TmpfsOption("silent", Level.MUST, ["silent"], m => m.HasOption("rw"), "accepted (no visible flag)");
        yield return TmpfsOption("loud", Level.MUST, ["loud"], m => m.HasOption("rw"), "accepted (no visible flag)");
        yield return TmpfsOption("iversion", Level.MUST, ["iversion"], m => m.HasOption("rw"), "accepted (no visible flag)");
        yield return TmpfsOption("noiversion", Level.MUST, ["noiversion"], m => m.HasOption("rw"), "accepted (no visible flag)");
        yield return TmpfsOption("mand", Level.MAY, ["mand"], m => m.HasOption("rw"), "accepted (mandatory locking is gone since Linux 5.15)");
        yield return TmpfsOption("nomand", Level.MAY, ["nomand"], m => m.HasOption("rw"), "accepted");
        yield return TmpfsOption("nosymfollow", Level.SHOULD, ["nosymfollow"], m => m.HasOption("nosymfollow"), "nosymfollow set");
        yield return TmpfsOption("symfollow", Level.SHOULD, ["nosymfollow", "symfollow"], m => !m.HasOption("nosymfollow"), "later `symfollow` clears nosymfollow");
        yield return new("mounts.option.tmpcopyup", Doc, Opts, Level.MAY,
            "`tmpcopyup` copies the rootfs content of the destination into the new tmpfs", ctx =>
            {
                ctx.Host.RequireFeature(f => ctx.Host.FeatureListContains("mountOptions", "tmpcopyup"), "mount option `tmpcopyup`");
                var b = ctx.NewBundle("cat /etc/conformance-marker; grep ' /etc ' /proc/self/mountinfo | cut -d' ' -f9");
                b.AddMount("/etc", "tmpfs", "tmpfs", "tmpcopyup");
                var o = ctx.RunProbe(b).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                That(o.Length >= 2 && o[0] == "oci-conformance-rootfs" && o[^1] == "tmpfs", $"output: {Show(string.Join("|", o))}");
                return Pass();
            });

        // --- propagation options on a bind mount of a host directory that is itself a shared mount
        foreach (var (opt, expect) in new[] { ("shared", "shared"), ("rshared", "shared"), ("slave", "master"), ("rslave", "master"),
                                              ("private", "private"), ("rprivate", "private"), ("unbindable", "unbindable"), ("runbindable", "unbindable") })
        {
            yield return new($"mounts.option.{opt}", Doc, Opts, Level.MUST,
                $"`bind,{opt}` gives the mount {(expect == "private" ? "no propagation (private)" : expect == "master" ? "slave propagation (master:N)" : expect)} propagation", ctx =>
                {
                    var d = ctx.NewDir("prop");
                    ctx.HostMount(d, "--bind", d, d);
                    Host.Mount("--make-shared", d);
                    var b = ctx.NewBundle();
                    b.AddMount(T, "none", d, opt.StartsWith('r') ? "rbind" : "bind", opt);
                    var m = Find(MountsSeenInside(ctx, b), T);
                    var f = m.OptionalFields;
                    bool ok = expect switch
                    {
                        "shared" => f.Contains("shared:", StringComparison.Ordinal),
                        "master" => f.Contains("master:", StringComparison.Ordinal) && !f.Contains("shared:", StringComparison.Ordinal),
                        "unbindable" => f.Contains("unbindable", StringComparison.Ordinal),
                        _ => !f.Contains("shared:", StringComparison.Ordinal) && !f.Contains("master:", StringComparison.Ordinal),
                    };
                    That(ok, $"propagation fields '{f}' do not match `{opt}`; mountinfo: {Desc(m)}");
                    return Pass();
                });
        }

        // --- recursive (AT_RECURSIVE) options: verified on a submount of an rbind mount
        yield return Recursive("rro", Level.SHOULD, "", m => m.HasOption("ro"), "submount is ro");
        yield return Recursive("rrw", Level.SHOULD, "ro", m => m.HasOption("rw"), "ro submount becomes rw");
        yield return Recursive("rnosuid", Level.SHOULD, "", m => m.HasOption("nosuid"), "submount is nosuid");
        yield return Recursive("rsuid", Level.SHOULD, "nosuid", m => !m.HasOption("nosuid"), "nosuid submount loses nosuid");
        yield return Recursive("rnodev", Level.SHOULD, "", m => m.HasOption("nodev"), "submount is nodev");
        yield return Recursive("rdev", Level.SHOULD, "nodev", m => !m.HasOption("nodev"), "nodev submount loses nodev");
        yield return Recursive("rnoexec", Level.SHOULD, "", m => m.HasOption("noexec"), "submount is noexec");
        yield return Recursive("rexec", Level.SHOULD, "noexec", m => !m.HasOption("noexec"), "noexec submount loses noexec");
        yield return Recursive("rnoatime", Level.SHOULD, "", m => m.HasOption("noatime"), "submount is noatime");
        yield return Recursive("ratime", Level.SHOULD, "noatime", m => !m.HasOption("noatime"), "noatime submount loses noatime",
            "runc 1.1 fails the mount with EINVAL: its mount_setattr request for `ratime` clears only part of the atime mask");
        yield return Recursive("rnodiratime", Level.SHOULD, "", m => m.HasOption("nodiratime"), "submount is nodiratime");
        yield return Recursive("rdiratime", Level.SHOULD, "nodiratime", m => !m.HasOption("nodiratime"), "nodiratime submount loses nodiratime");
        yield return Recursive("rrelatime", Level.SHOULD, "noatime", m => m.HasOption("relatime") && !m.HasOption("noatime"), "noatime submount becomes relatime");
        yield return Recursive("rnorelatime", Level.SHOULD, "", m => !m.HasOption("noatime"), "accepted (like norelatime, the kernel keeps its default atime mode)");
        yield return Recursive("rstrictatime", Level.SHOULD, "", NoAtimeFlags, "relatime submount becomes strictatime");
        yield return Recursive("rnostrictatime", Level.SHOULD, "strictatime", m => m.HasOption("relatime"), "strictatime submount gets the default relatime back",
            "runc 1.1 fails the mount with EINVAL: its mount_setattr request for `rnostrictatime` clears only part of the atime mask");
        yield return Recursive("rnosymfollow", Level.SHOULD, "", m => m.HasOption("nosymfollow"), "submount is nosymfollow");
        yield return Recursive("rsymfollow", Level.SHOULD, "nosymfollow", m => !m.HasOption("nosymfollow"), "nosymfollow submount loses nosymfollow");

        foreach (var opt in new[] { "idmap", "ridmap" })
        {
            bool recursive = opt == "ridmap";
            yield return new($"mounts.option.{opt}", Doc, Opts, Level.SHOULD,
                recursive
                    ? "`ridmap` with uid/gidMappings on an rbind mount maps the owner of files on the mount and on its submount"
                    : "`idmap` with uid/gidMappings on a bind mount shows host-owned files with the mapped owner", ctx =>
                {
                    RequireIdmap(ctx);
                    var d = recursive ? HostTreeWithSubmount(ctx, "") : ctx.NewDir("idmap");
                    File.WriteAllText(Path.Combine(d, "owned"), "x");
                    if (recursive) File.WriteAllText(Path.Combine(d, "sub", "owned"), "x");
                    var b = ctx.NewBundle($"stat -c %u:%g {T}/owned" + (recursive ? $"; stat -c %u:%g {T}/sub/owned" : ""));
                    b.AddMount(T, "none", d, recursive ? "rbind" : "bind", opt);
                    var m = b.Mounts[^1]!.AsObject();
                    // like a user namespace map: id 0 of the source filesystem is presented as host id 1000 / 2000
                    m["uidMappings"] = new System.Text.Json.Nodes.JsonArray(Obj(("containerID", 0), ("hostID", 1000), ("size", 1)));
                    m["gidMappings"] = new System.Text.Json.Nodes.JsonArray(Obj(("containerID", 0), ("hostID", 2000), ("size", 1)));
                    var seen = ctx.RunProbe(b).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    Equal("1000:2000", seen.ElementAtOrDefault(0), "owner of a root-owned host file through the idmapped mount");
                    if (recursive) Equal("1000:2000", seen.ElementAtOrDefault(1), "owner of a root-owned file on the submount");
                    return Pass();
                });
            yield return new($"mounts.option.{opt}.userns", Doc, Opts, Level.MUST,
                $"`{opt}` without mappings in a container with a user namespace either uses the container's mapping (host root's file is root's inside) or generates an error", ctx =>
                {
                    RequireIdmap(ctx);
                    var d = ctx.NewDir("idmap-userns");
                    File.WriteAllText(Path.Combine(d, "owned"), "x");
                    Host.Chmod(d, "755");
                    Bundle Make(bool idmap)
                    {
                        var b = ctx.NewBundle($"stat -c %u:%g {T}/owned");
                        ConfigLinuxNamespaces.AddUserNs(b);
                        b.RemoveMount("/sys/fs/cgroup");
                        // the mount point exists already: the container's root (host uid 100000) could not make it in a root-owned rootfs
                        Directory.CreateDirectory(Path.Combine(b.Rootfs, T.TrimStart('/')));
                        if (idmap) b.AddMount(T, "none", d, recursive ? "rbind" : "bind", opt);
                        else b.AddMount(T, "none", d, recursive ? "rbind" : "bind");
                        return b;
                    }
                    // the same bind mount without the option must work, else an error with it says nothing
                    var (plainOk, plainOut, plainError) = ctx.TryRunProbe(Make(false));
                    if (!plainOk) throw Skip("the runtime cannot make this bind mount in a user namespace even without the option: " + plainError);
                    if (plainOut.Trim() == "0:0") throw Skip("without the option the host-root-owned file already shows as 0:0, so a mapping cannot be seen");
                    var (ok, output, error) = ctx.TryRunProbe(Make(true));
                    if (!ok) return Pass("an error was generated, as allowed: " + error);
                    Equal("0:0", output.Trim(), "owner (inside) of a host-root-owned file through the mount mapped with the container's user namespace mapping");
                    return Pass();
                });
            yield return new($"mounts.option.{opt}.no-userns", Doc, Opts, Level.MUST,
                $"`{opt}` without uid/gidMappings in a container without a user namespace generates an error", ctx =>
                {
                    RequireIdmap(ctx);
                    var d = ctx.NewDir("idmap-nouserns");
                    return ExpectInvalid(ctx, $"{opt} without mappings and without a user namespace",
                        b =>
                        {
                            b.AddMount(T, "none", d, recursive ? "rbind" : "bind", opt);
                            var m = b.Mounts[^1]!.AsObject();
                            m["uidMappings"] = new System.Text.Json.Nodes.JsonArray(Obj(("containerID", 0), ("hostID", 1000), ("size", 1)));
                            m["gidMappings"] = new System.Text.Json.Nodes.JsonArray(Obj(("containerID", 0), ("hostID", 2000), ("size", 1)));
                        },
                        b => b.AddMount(T, "none", d, recursive ? "rbind" : "bind", opt));
                });
        }
        yield return new("mounts.option.remount", Doc, Opts, Level.MUST,
            "`remount` (with `ro`) on a destination mounted by an earlier entry changes that mount instead of stacking a new one", ctx =>
            {
                var b = ctx.NewBundle();
                b.AddMount(T, "tmpfs", "tmpfs", "size=1m");
                b.AddMount(T, "tmpfs", "tmpfs", "remount", "ro");
                var ms = MountsSeenInside(ctx, b);
                var at = ms.Where(m => m.MountPoint == T).ToList();
                That(at.Count == 1, $"{at.Count} mounts at {T} (expected the first one, remounted): {string.Join(" | ", at.Select(Desc))}");
                That(at[0].HasOption("ro"), $"the remounted tmpfs is not read-only: {Desc(at[0])}");
                return Pass();
            });
        yield return new("mounts.option.mount8-nofail", Doc, Opts, Level.SHOULD,
            "`nofail`, an option mount(8) knows (and does not pass to the filesystem), is accepted on a tmpfs", ctx =>
            {
                var b = ctx.NewBundle();
                b.AddMount(T, "tmpfs", "tmpfs", "nofail", "size=1m");
                var m = Find(MountsSeenInside(ctx, b), T);
                That(m.FsType == "tmpfs", $"{T} is {m.FsType}");
                return Pass();
            });
    }
}
