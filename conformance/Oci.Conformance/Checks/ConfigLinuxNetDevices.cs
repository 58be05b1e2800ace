using System.Text.Json.Nodes;
using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>
/// config-linux.md: Network Devices (linux.netDevices). Each check makes a virtual interface on the host (iproute2), has
/// the runtime move it into the container's new network namespace, and looks at it from inside and from the host.
/// </summary>
internal static class ConfigLinuxNetDevices
{
    private const string Doc = "config-linux.md";
    private const string S = "Network Devices";

    /// <summary>A virtual interface on the host, deleted at cleanup if it is still there.</summary>
    private static string Dummy(CheckContext ctx)
    {
        ctx.Host.RequireFeature(f => f["linux"]?["netDevices"]?["enabled"] is JsonValue v && v.TryGetValue<bool>(out var e) ? e : null,
            "linux.netDevices.enabled");
        if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip") && !File.Exists("/bin/ip"))
            throw Skip("the host has no `ip` command (iproute2) to make a dummy network device");
        var name = "ocd" + Guid.NewGuid().ToString("N")[..8];
        // a dummy interface if the kernel has them, else one end of a veth pair (the pair dies with either end)
        var r = Host.Cmd("ip", "link", "add", name, "type", "dummy");
        if (!r.Ok)
        {
            var v = Host.Cmd("ip", "link", "add", name, "type", "veth", "peer", "name", name + "p");
            if (!v.Ok) throw Skip($"the host can make neither a dummy nor a veth network device ({r.Brief}; {v.Brief})");
        }
        ctx.Defer(() => Host.Cmd("ip", "link", "del", name));
        return name;
    }

    private static void Move(Bundle b, string hostName, string? containerName)
    {
        var entry = new JsonObject();
        if (containerName is not null) entry["name"] = containerName;
        b.Linux["netDevices"] = Obj((hostName, entry));
    }

    private static bool OnHost(string name) => Host.Cmd("ip", "link", "show", name).Ok;

    public static IEnumerable<Check> Checks()
    {
        yield return new("netDevices.move", Doc, S, Level.MUST,
            "a host interface listed with a name is moved into the container's network namespace under that name", ctx =>
            {
                var dev = Dummy(ctx);
                var b = ctx.NewBundle("ip -o link show conf0 >/dev/null 2>&1 && echo present=1; echo done=1");
                Move(b, dev, "conf0");
                var c = CreateOrRefused(ctx, b, "linux.netDevices");
                That(!OnHost(dev), $"{dev} is still in the host's network namespace after create");
                c.Start();
                c.WaitStopped();
                var kv = KV(c.Stdout);
                kv.Get("done", c.Stdout);
                Equal("1", kv.GetValueOrDefault("present"), "conf0 inside the container");
                return Pass();
            });
        yield return new("netDevices.keep-name", Doc, S, Level.MUST,
            "a host interface listed without a name keeps its name inside the container", ctx =>
            {
                var dev = Dummy(ctx);
                var b = ctx.NewBundle($"ip -o link show {dev} >/dev/null 2>&1 && echo present=1; echo done=1");
                Move(b, dev, null);
                var o = RunProbeOrRefused(ctx, b, "linux.netDevices");
                var kv = KV(o);
                kv.Get("done", o);
                Equal("1", kv.GetValueOrDefault("present"), $"{dev} inside the container");
                return Pass();
            });
        yield return new("netDevices.missing-device", Doc, S, Level.MUST,
            "a listed interface that does not exist on the host (the move is impossible) generates an error", ctx =>
            {
                var dev = Dummy(ctx);
                return ExpectInvalid(ctx, "moving an interface that does not exist",
                    b => Move(b, dev, "conf0"), b => Move(b, "ocdmissing" + Guid.NewGuid().ToString("N")[..4], "conf0"));
            });
        yield return new("netDevices.name-exists", Doc, S, Level.MUST,
            "a name that already exists in the container's namespace (`lo`) generates an error", ctx =>
            {
                var good = Dummy(ctx);
                var bad = Dummy(ctx);
                return ExpectInvalid(ctx, "renaming an interface to `lo`", b => Move(b, good, "conf0"), b => Move(b, bad, "lo"));
            });
        yield return new("netDevices.name-template", Doc, S, Level.MUST,
            "a name with %d (`conf%d`) is a template: the move is allowed and the kernel picks a unique name", ctx =>
            {
                var dev = Dummy(ctx);
                var b = ctx.NewBundle("ip -o link show | sed -n 's/^[0-9]*: \\([^:@]*\\).*/\\1/p'; echo done=1");
                Move(b, dev, "conf%d");
                var o = RunProbeOrRefused(ctx, b, "linux.netDevices");
                KV(o).Get("done", o);
                That(o.Split('\n').Any(l => System.Text.RegularExpressions.Regex.IsMatch(l.Trim(), "^conf[0-9]+$")),
                    "no interface named conf<N> inside the container: " + Show(o));
                return Pass();
            });
        yield return new("netDevices.addresses", Doc, S, Level.MUST,
            "the interface keeps its permanent global addresses (IPv4 and IPv6) across the move", ctx =>
            {
                var dev = Dummy(ctx);
                var a4 = Host.Cmd("ip", "addr", "add", "10.199.7.2/24", "dev", dev);
                if (!a4.Ok) throw Skip("the host cannot put an address on the dummy interface: " + a4.Brief);
                bool v6 = Host.Cmd("ip", "-6", "addr", "add", "fd00:c0f::2/64", "dev", dev, "nodad").Ok;
                var b = ctx.NewBundle("ip -o addr show dev conf0; echo done=1");
                Move(b, dev, "conf0");
                var o = RunProbeOrRefused(ctx, b, "linux.netDevices");
                KV(o).Get("done", o);
                That(o.Contains("10.199.7.2/24", StringComparison.Ordinal), "the IPv4 address is gone: " + Show(o));
                if (v6) That(o.Contains("fd00:c0f::2/64", StringComparison.Ordinal), "the IPv6 address is gone: " + Show(o));
                return Pass(v6 ? "" : "IPv6 not checked (the host could not add an IPv6 address)");
            });
        yield return new("netDevices.up", Doc, S, Level.MUST,
            "the moved interface is up inside the container", ctx =>
            {
                var dev = Dummy(ctx);
                var b = ctx.NewBundle("ip -o link show conf0; echo done=1");
                Move(b, dev, "conf0");
                var o = RunProbeOrRefused(ctx, b, "linux.netDevices");
                KV(o).Get("done", o);
                var flags = System.Text.RegularExpressions.Regex.Match(o, "<([^>]*)>").Groups[1].Value.Split(',');
                That(flags.Contains("UP"), "conf0 is not up: " + Show(o));
                return Pass();
            });
        yield return new("netDevices.not-moved-back", Doc, "Namespace Lifecycle and Container Termination", Level.MUST,
            "the runtime does not move the interface back to the host: after delete it is gone with the namespace", ctx =>
            {
                var dev = Dummy(ctx);
                var b = ctx.NewBundle("true");
                Move(b, dev, "conf0");
                var c = CreateOrRefused(ctx, b, "linux.netDevices");
                That(!OnHost(dev), $"{dev} was never moved out of the host's network namespace");
                c.Start();
                c.WaitStopped();
                c.Delete();
                // a virtual device dies with its namespace, which the kernel tears down asynchronously
                var sw = System.Diagnostics.Stopwatch.StartNew();
                while ((OnHost(dev) || OnHost("conf0")) && sw.Elapsed.TotalSeconds < 5) Thread.Sleep(50);
                That(!OnHost(dev) && !OnHost("conf0"), "the interface is back in the host's network namespace after delete");
                return Pass();
            });
    }
}
