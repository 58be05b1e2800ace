using System.Text.Json.Nodes;
using Oci.Conformance.Framework;

namespace Oci.Conformance.Checks;

/// <summary>Shared probe helpers for check definitions.</summary>
internal static class Common
{
    /// <summary>A script that keeps the container running until killed (busybox sh as pid 1).</summary>
    public const string Sleep = "echo ready; exec sleep 600";

    /// <summary>Parses `key=value` lines printed by a probe.</summary>
    public static Dictionary<string, string> KV(string output)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            int eq = line.IndexOf('=');
            if (eq > 0) d[line[..eq].Trim()] = line[(eq + 1)..].TrimEnd('\r');
        }
        return d;
    }

    public static string Get(this Dictionary<string, string> kv, string key, string output) =>
        kv.TryGetValue(key, out var v) ? v : throw new CheckFailedException($"probe did not print {key}=…; output: {Verify.Show(output)}");

    /// <summary>Waits (bounded) until the container's stdout contains a marker.</summary>
    public static void WaitOutput(Container c, string marker, double seconds = 15)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            if (c.Stdout.Contains(marker, StringComparison.Ordinal)) return;
            Thread.Sleep(20);
        }
        throw new CheckFailedException($"container never printed '{marker}'; stdout: {Verify.Show(c.Stdout)} stderr: {Verify.Show(c.Stderr)}");
    }

    /// <summary>Creates and starts a long-running container and waits until it printed "ready".</summary>
    public static Container StartSleeper(CheckContext ctx, Bundle? b = null)
    {
        b ??= ctx.NewBundle();
        b.Sh(Sleep);
        var c = ctx.Create(b);
        c.Start();
        WaitOutput(c, "ready");
        return c;
    }

    public static CheckResult Pass(string m = "") => CheckResult.Pass(m);

    public static JsonObject Obj(params (string Key, JsonNode? Value)[] items)
    {
        var o = new JsonObject();
        foreach (var (k, v) in items) o[k] = v;
        return o;
    }

    /// <summary>Expects an operation to fail: either create, or start if create succeeded.</summary>
    public static CheckResult ExpectCreateOrStartError(CheckContext ctx, Bundle b, string what)
    {
        var id = ctx.NewId();
        var r = ctx.TryCreate(b, id);
        if (!r.Ok) return Pass($"create failed as required: {r.Brief}");
        var s = ctx.Rt("start", id);
        if (!s.Ok) return Pass($"start failed as required: {s.Brief}");
        return CheckResult.Fail($"{what}: create and start both succeeded");
    }

    /// <summary>
    /// For a value the spec makes invalid: the config with <paramref name="valid"/> applied must run (else the runtime's
    /// error for the invalid one would say nothing, and the check skips), and with <paramref name="invalid"/> applied
    /// create or start must generate an error.
    /// </summary>
    public static CheckResult ExpectInvalid(CheckContext ctx, string what, Action<Bundle> valid, Action<Bundle> invalid, string script = "true")
    {
        var good = ctx.NewBundle(script);
        valid(good);
        var (ok, _, error) = ctx.TryRunProbe(good);
        if (!ok) throw Verify.Skip($"the runtime refuses the valid counterpart too, so its error for {what} cannot be told apart ({error})");
        var bad = ctx.NewBundle(script);
        invalid(bad);
        return ExpectCreateOrStartError(ctx, bad, what);
    }

    /// <summary>
    /// Creates a container whose config uses a valid value the runtime may not support: config.md's Valid values rule
    /// lets a runtime support a subset of the valid values as long as it generates an error for the others, so a
    /// create that fails skips the check (naming the value and the error) instead of failing it.
    /// </summary>
    public static Container CreateOrRefused(CheckContext ctx, Bundle b, string value)
    {
        var id = ctx.NewId();
        var r = ctx.TryCreate(b, id);
        if (!r.Ok) throw Verify.Skip($"the runtime refuses {value} with an error, which config.md#valid-values allows for a valid value it does not support ({r.Brief})");
        return new Container(ctx, id, b);
    }

    /// <summary><see cref="CheckContext.RunProbe"/> with <see cref="CreateOrRefused"/>'s rule for a refused value.</summary>
    public static string RunProbeOrRefused(CheckContext ctx, Bundle b, string value)
    {
        var c = CreateOrRefused(ctx, b, value);
        c.Start();
        c.WaitStopped();
        var output = c.Stdout;
        c.TryDelete();
        return output;
    }

    /// <summary><see cref="StartSleeper"/> with <see cref="CreateOrRefused"/>'s rule for a refused value.</summary>
    public static Container StartSleeperOrRefused(CheckContext ctx, Bundle b, string value)
    {
        b.Sh(Sleep);
        var c = CreateOrRefused(ctx, b, value);
        c.Start();
        WaitOutput(c, "ready");
        return c;
    }
}
