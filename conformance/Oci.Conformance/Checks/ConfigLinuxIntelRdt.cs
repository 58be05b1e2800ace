using System.Text.Json.Nodes;
using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>
/// config-linux.md: IntelRdt. The checks need a mounted resctrl filesystem (Intel RDT or AMD QoS hardware) and skip
/// without one; they read the container's group (tasks, schemata, mon_groups) in resctrl on the host. Schemata values
/// are taken from the root group, so that they are valid on the host's hardware.
/// </summary>
internal static class ConfigLinuxIntelRdt
{
    private const string Doc = "config-linux.md";
    private const string S = "IntelRdt";

    private sealed record Resctrl(string Root)
    {
        public string[] RootSchemata => Lines(Path.Combine(Root, "schemata"));
        /// <summary>The root group's line for a resource (e.g. "L3:0=fff;1=fff"), or null.</summary>
        public string? Line(string resource) => RootSchemata.FirstOrDefault(l => l.StartsWith(resource + ":", StringComparison.Ordinal));
        public string Group(string name) => name == "/" ? Root : Path.Combine(Root, name);
        public bool InTasks(string group, int pid) => Lines(Path.Combine(group, "tasks")).Contains(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        public string[] Groups() => Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>()
            .Where(n => n is not ("info" or "mon_groups" or "mon_data")).Order(StringComparer.Ordinal).ToArray();
    }

    private static string[] Lines(string file) =>
        Host.Read(file).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Resctrl Need(CheckContext ctx, string? feature = null)
    {
        ctx.Host.RequireFeature(f => Bool(f["linux"]?["intelRdt"]?["enabled"]), "linux.intelRdt.enabled");
        if (feature is not null) ctx.Host.RequireFeature(f => Bool(f["linux"]?["intelRdt"]?[feature]), $"linux.intelRdt.{feature}");
        var m = Host.MountTable().FirstOrDefault(x => x.FsType == "resctrl")
            ?? throw Skip("the host has no resctrl filesystem mounted (Intel RDT / AMD QoS hardware)");
        return new Resctrl(m.MountPoint);
    }

    private static bool? Bool(JsonNode? n) => n is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    private static string NeedLine(Resctrl r, string resource) =>
        r.Line(resource) ?? throw Skip($"the host's resctrl has no {resource} resource in its schemata");

    /// <summary>A group made by the suite for closID checks, removed at cleanup.</summary>
    private static string MakeGroup(CheckContext ctx, Resctrl r)
    {
        var name = "oci-conf-" + Guid.NewGuid().ToString("N")[..8];
        var dir = r.Group(name);
        try { Directory.CreateDirectory(dir); }
        catch (IOException e) { throw Skip("resctrl refuses a new group (no free CLOSID?): " + e.Message); }
        ctx.Defer(() => Host.Cmd("rmdir", dir));
        return name;
    }

    private static void RemoveLater(CheckContext ctx, string dir) => ctx.Defer(() => { if (Directory.Exists(dir)) Host.Cmd("rmdir", dir); });

    private static Bundle WithMonitoring(CheckContext ctx)
    {
        var b = ctx.NewBundle("true");
        b.Linux["intelRdt"] = Obj(("enableMonitoring", true));
        return b;
    }

    public static IEnumerable<Check> Checks()
    {
        yield return new("intelRdt.container-id-dir", Doc, S, Level.MUST,
            "without closID the runtime makes the group <container-id> with the l3CacheSchema, puts the process in its tasks, and removes it at delete", ctx =>
            {
                var r = Need(ctx);
                var l3 = NeedLine(r, "L3");
                var b = ctx.NewBundle("true");
                b.Linux["intelRdt"] = Obj(("l3CacheSchema", l3));
                var c = ctx.Create(b);
                var group = r.Group(c.Id);
                RemoveLater(ctx, group);
                That(Directory.Exists(group), $"no group {group}");
                That(r.InTasks(group, c.Pid), $"pid {c.Pid} is not in {group}/tasks");
                That(Lines(Path.Combine(group, "schemata")).Contains(l3), $"{group}/schemata lacks {l3}: {Show(Host.Read(Path.Combine(group, "schemata")))}");
                c.Delete(force: true);
                That(!Directory.Exists(group), $"{group} is still there after delete");
                return Pass();
            });
        yield return new("intelRdt.not-set", Doc, S, Level.MUST,
            "without intelRdt the runtime leaves resctrl alone: no group made, the root schemata unchanged, the process in the root group", ctx =>
            {
                var r = Need(ctx);
                var groups = r.Groups();
                var schemata = r.RootSchemata;
                var c = ctx.Create(ctx.NewBundle("true"));
                That(r.InTasks(r.Root, c.Pid), $"pid {c.Pid} is not in the root group's tasks");
                Equal(string.Join(",", groups), string.Join(",", r.Groups()), "resctrl groups while the container exists");
                Equal(string.Join("|", schemata), string.Join("|", r.RootSchemata), "root schemata");
                return Pass();
            });
        yield return new("intelRdt.closID-root", Doc, S, Level.MUST,
            "closID \"/\" puts the process in the default CLOS (the root group's tasks)", ctx =>
            {
                var r = Need(ctx);
                var b = ctx.NewBundle("true");
                b.Linux["intelRdt"] = Obj(("closID", "/"));
                var c = ctx.Create(b);
                RemoveLater(ctx, r.Group(c.Id));
                That(r.InTasks(r.Root, c.Pid), $"pid {c.Pid} is not in the root group's tasks");
                return Pass();
            });
        yield return new("intelRdt.memBwSchema-invalid", Doc, S, Level.MUST,
            "a memBwSchema that does not start with MB: generates an error", ctx =>
            {
                var r = Need(ctx);
                var mb = NeedLine(r, "MB");
                var l3 = NeedLine(r, "L3");
                return ExpectInvalid(ctx, "memBwSchema without MB:",
                    b => b.Linux["intelRdt"] = Obj(("memBwSchema", mb)), b => b.Linux["intelRdt"] = Obj(("memBwSchema", l3)));
            });
        yield return new("intelRdt.schemata-newline", Doc, S, Level.MUST,
            "a schemata entry with a newline in it generates an error", ctx =>
            {
                var r = Need(ctx, "schemata");
                var l3 = NeedLine(r, "L3");
                return ExpectInvalid(ctx, "a schemata entry with a newline",
                    b => b.Linux["intelRdt"] = Obj(("schemata", Bundle.Strings(l3))),
                    b => b.Linux["intelRdt"] = Obj(("schemata", Bundle.Strings(l3 + "\n" + l3))));
            });
        yield return new("intelRdt.l3-and-mb", Doc, S, Level.MUST,
            "l3CacheSchema and memBwSchema together are both written to the group's schemata", ctx =>
            {
                var r = Need(ctx);
                var l3 = NeedLine(r, "L3");
                var mb = NeedLine(r, "MB");
                var b = ctx.NewBundle("true");
                b.Linux["intelRdt"] = Obj(("l3CacheSchema", l3), ("memBwSchema", mb));
                var c = ctx.Create(b);
                var group = r.Group(c.Id);
                RemoveLater(ctx, group);
                var lines = Lines(Path.Combine(group, "schemata"));
                That(lines.Contains(l3) && lines.Contains(mb), $"{group}/schemata lacks {l3} or {mb}: {Show(string.Join(" | ", lines))}");
                return Pass();
            });
        yield return new("intelRdt.schemata-field", Doc, S, Level.MUST,
            "the schemata field is written to the group's schemata", ctx =>
            {
                var r = Need(ctx, "schemata");
                var l3 = NeedLine(r, "L3");
                var b = ctx.NewBundle("true");
                b.Linux["intelRdt"] = Obj(("schemata", Bundle.Strings(l3)));
                var c = ctx.Create(b);
                var group = r.Group(c.Id);
                RemoveLater(ctx, group);
                That(Lines(Path.Combine(group, "schemata")).Contains(l3), $"{group}/schemata lacks {l3}");
                return Pass();
            });
        yield return new("intelRdt.preconfigured", Doc, S, Level.MUST,
            "closID naming an existing group, without schemata: the process joins it, its schemata is not written, and it stays after delete", ctx =>
            {
                var r = Need(ctx);
                var name = MakeGroup(ctx, r);
                var before = Lines(Path.Combine(r.Group(name), "schemata"));
                var b = ctx.NewBundle("true");
                b.Linux["intelRdt"] = Obj(("closID", name));
                var c = ctx.Create(b);
                That(r.InTasks(r.Group(name), c.Pid), $"pid {c.Pid} is not in {name}/tasks");
                Equal(string.Join("|", before), string.Join("|", Lines(Path.Combine(r.Group(name), "schemata"))), $"{name}/schemata");
                c.Delete(force: true);
                That(Directory.Exists(r.Group(name)), $"the runtime removed the group {name} it did not create");
                return Pass();
            });
        yield return new("intelRdt.closID-missing", Doc, S, Level.MUST,
            "closID naming a group that does not exist, without schemata, generates an error", ctx =>
            {
                var r = Need(ctx);
                var name = MakeGroup(ctx, r);
                return ExpectInvalid(ctx, "closID of a missing group without schemata",
                    b => b.Linux["intelRdt"] = Obj(("closID", name)),
                    b => b.Linux["intelRdt"] = Obj(("closID", "oci-conf-missing-" + Guid.NewGuid().ToString("N")[..6])));
            });
        yield return new("intelRdt.closID-created", Doc, S, Level.MUST,
            "closID naming a group that does not exist, with l3CacheSchema: the runtime makes it and, closID being set, does not remove it at delete", ctx =>
            {
                var r = Need(ctx);
                var l3 = NeedLine(r, "L3");
                var name = "oci-conf-" + Guid.NewGuid().ToString("N")[..8];
                RemoveLater(ctx, r.Group(name));
                var b = ctx.NewBundle("true");
                b.Linux["intelRdt"] = Obj(("closID", name), ("l3CacheSchema", l3));
                var c = ctx.Create(b);
                That(Directory.Exists(r.Group(name)), $"no group {name}");
                That(r.InTasks(r.Group(name), c.Pid), $"pid {c.Pid} is not in {name}/tasks");
                c.Delete(force: true);
                That(Directory.Exists(r.Group(name)), $"the group {name} was removed at delete although closID is set");
                return Pass();
            });
        yield return new("intelRdt.closID-mismatch", Doc, S, Level.MUST,
            "closID naming an existing group whose schemata differs from l3CacheSchema generates an error", ctx =>
            {
                var r = Need(ctx);
                var l3 = NeedLine(r, "L3");
                var name = MakeGroup(ctx, r);
                var minBits = int.TryParse(Host.Read(Path.Combine(r.Root, "info", "L3", "min_cbm_bits")).Trim(), out var mbits) ? mbits : 1;
                var small = ((1L << minBits) - 1).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
                var ids = l3[3..].Split(';').Select(p => p.Split('=')[0]);
                var other = "L3:" + string.Join(";", ids.Select(i => $"{i}={small}"));
                if (other == l3) throw Skip("the host's L3 mask cannot be made smaller");
                try { File.WriteAllText(Path.Combine(r.Group(name), "schemata"), other + "\n"); }
                catch (IOException e) { throw Skip($"resctrl refuses schemata {other}: {e.Message}"); }
                return ExpectInvalid(ctx, "closID whose schemata differs from l3CacheSchema",
                    b => b.Linux["intelRdt"] = Obj(("closID", name), ("l3CacheSchema", other)),
                    b => b.Linux["intelRdt"] = Obj(("closID", name), ("l3CacheSchema", l3)));
            });
        yield return new("intelRdt.monitoring", Doc, S, Level.MUST,
            "enableMonitoring makes mon_groups/<container-id> in the container's group with the process in it, and removes it at delete", ctx =>
            {
                var r = Need(ctx, "monitoring");
                if (!Directory.Exists(Path.Combine(r.Root, "info", "L3_MON"))) throw Skip("the host's resctrl has no monitoring (info/L3_MON)");
                var b = ctx.NewBundle("true");
                b.Linux["intelRdt"] = Obj(("enableMonitoring", true));
                var c = ctx.Create(b);
                var group = r.Group(c.Id);
                RemoveLater(ctx, group);
                var mon = Path.Combine(group, "mon_groups", c.Id);
                That(Directory.Exists(mon), $"no MON group {mon}");
                That(r.InTasks(mon, c.Pid), $"pid {c.Pid} is not in {mon}/tasks");
                c.Delete(force: true);
                That(!Directory.Exists(mon), $"{mon} is still there after delete");
                return Pass();
            });
        yield return new("intelRdt.monitoring-exhausted", Doc, S, Level.MUST,
            "enableMonitoring when no MON group can be made (all RMIDs used) generates an error", ctx =>
            {
                var r = Need(ctx, "monitoring");
                if (!Directory.Exists(Path.Combine(r.Root, "info", "L3_MON"))) throw Skip("the host's resctrl has no monitoring (info/L3_MON)");
                var (works, _, why) = ctx.TryRunProbe(WithMonitoring(ctx));
                if (!works) throw Skip("a container with enableMonitoring fails even with free MON groups, so the error cannot be told apart: " + why);
                var made = new List<string>();
                ctx.Defer(() => { foreach (var d in made) Host.Cmd("rmdir", d); });
                bool full = false;
                for (int i = 0; i < 4096 && !full; i++)
                {
                    var d = Path.Combine(r.Root, "mon_groups", $"oci-conf-fill-{i}");
                    try { Directory.CreateDirectory(d); made.Add(d); }
                    catch (IOException) { full = true; }
                }
                if (!full) throw Skip("could not use up the host's MON groups (RMIDs) to provoke the failure");
                return ExpectCreateOrStartError(ctx, WithMonitoring(ctx), "enableMonitoring with no free MON group");
            });
    }
}
