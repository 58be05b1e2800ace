using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>runtime.md: Kill.</summary>
internal static class RuntimeKill
{
    private const string Doc = "runtime.md";

    public static IEnumerable<Check> Checks()
    {
        // Signal delivery: pid 1 in a pid namespace ignores signals it has no handler for, so the probe traps them.
        foreach (var (sig, arg) in new[] { ("USR1", "USR1"), ("USR2", "SIGUSR2"), ("HUP", "HUP"), ("INT", "SIGINT"), ("TERM", "TERM"), ("QUIT", "3") })
        {
            yield return new($"kill.delivers.{sig.ToLowerInvariant()}", Doc, "Kill", Level.MUST,
                $"kill ID {arg} delivers SIG{sig} to the container process", ctx =>
                {
                    var b = ctx.NewBundle($"trap 'echo got-{sig}; exit 0' {sig}; echo ready; while :; do sleep 0.05; done");
                    var c = ctx.Create(b);
                    c.Start();
                    WaitOutput(c, "ready");
                    c.Kill(arg);
                    c.WaitStopped();
                    That(c.Stdout.Contains($"got-{sig}", StringComparison.Ordinal), $"trap did not fire; output: {Show(c.Stdout)}");
                    return Pass();
                });
        }
        yield return new("kill.sigkill-running", Doc, "Kill", Level.MUST, "kill ID KILL stops a running container", ctx =>
        {
            var c = StartSleeper(ctx);
            c.Kill("KILL");
            c.WaitStopped();
            Equal("stopped", ctx.Status(c.Id), "status");
            return Pass();
        });
        yield return new("kill.default-term", Doc, "Kill", Level.SHOULD, "(runc CLI) kill without a signal sends SIGTERM", ctx =>
        {
            var c = ctx.Create(ctx.NewBundle("trap 'echo got-TERM; exit 0' TERM; echo ready; while :; do sleep 0.05; done"));
            c.Start();
            WaitOutput(c, "ready");
            var r = ctx.Rt("kill", c.Id);
            That(r.Ok, "kill without signal failed: " + r.Brief);
            c.WaitStopped();
            That(c.Stdout.Contains("got-TERM", StringComparison.Ordinal), $"output: {Show(c.Stdout)}");
            return Pass();
        });
        yield return new("kill.created", Doc, "Kill", Level.MUST, "kill of a `created` container is accepted and the container stops", ctx =>
        {
            var c = ctx.Create(ctx.NewBundle("echo should-not-run"));
            c.Kill("KILL");
            c.WaitStopped();
            Equal("stopped", ctx.Status(c.Id), "status");
            That(!c.Stdout.Contains("should-not-run", StringComparison.Ordinal), "program ran although never started");
            return Pass();
        });
        yield return new("kill.stopped", Doc, "Kill", Level.MUST, "kill of a stopped container generates an error", ctx =>
        {
            var c = ctx.Create(ctx.NewBundle("true"));
            c.Start();
            c.WaitStopped();
            var r = ctx.Rt("kill", c.Id, "KILL");
            That(!r.Ok, "kill of a stopped container succeeded");
            Equal("stopped", ctx.Status(c.Id), "status");
            return Pass();
        });
        yield return new("kill.unknown-id", Doc, "Kill", Level.MUST, "kill of an unknown container ID fails", ctx =>
        {
            That(!ctx.Rt("kill", ctx.NewId(), "KILL").Ok, "kill of an unknown id succeeded");
            return Pass();
        });
        yield return new("kill.no-id", Doc, "Kill", Level.MUST, "kill without a container ID fails", ctx =>
        {
            That(!ctx.Rt("kill").Ok, "kill without id succeeded");
            return Pass();
        });
        yield return new("kill.bad-signal", Doc, "Kill", Level.SHOULD, "kill with an unknown signal name fails and the container keeps running", ctx =>
        {
            var c = StartSleeper(ctx);
            That(!ctx.Rt("kill", c.Id, "SIGNOTASIGNAL").Ok, "kill with an unknown signal succeeded");
            Equal("running", ctx.Status(c.Id), "status");
            return Pass();
        });
    }
}
