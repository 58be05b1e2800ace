using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>runtime.md: Start.</summary>
internal static class RuntimeStart
{
    private const string Doc = "runtime.md";

    public static IEnumerable<Check> Checks()
    {
        yield return new("start.runs-program", Doc, "Start", Level.MUST, "start runs the user-specified program", ctx =>
        {
            var output = ctx.RunProbe(ctx.NewBundle("echo started-ok"));
            That(output.Contains("started-ok", StringComparison.Ordinal), $"output: {Show(output)}");
            return Pass();
        });
        yield return new("start.unknown-id", Doc, "Start", Level.MUST, "start of an unknown container ID fails", ctx =>
        {
            That(!ctx.Rt("start", ctx.NewId()).Ok, "start of unknown id succeeded");
            return Pass();
        });
        yield return new("start.no-id", Doc, "Start", Level.MUST, "start without a container ID fails", ctx =>
        {
            That(!ctx.Rt("start").Ok, "start without id succeeded");
            return Pass();
        });
        yield return new("start.running", Doc, "Start", Level.MUST,
            "start of a running container fails and has no effect on it", ctx =>
            {
                var c = StartSleeper(ctx);
                int pid = c.Pid;
                That(!ctx.Rt("start", c.Id).Ok, "second start succeeded");
                Equal("running", ctx.Status(c.Id), "status");
                That(Host.ProcessAlive(pid), "container process died");
                That(c.Stdout.Split("ready").Length == 2, $"program ran twice: {Show(c.Stdout)}");
                return Pass();
            });
        yield return new("start.stopped", Doc, "Start", Level.MUST,
            "start of a stopped container fails and has no effect", ctx =>
            {
                var c = ctx.Create(ctx.NewBundle("echo once"));
                c.Start();
                c.WaitStopped();
                That(!ctx.Rt("start", c.Id).Ok, "start of a stopped container succeeded");
                Thread.Sleep(100);
                Equal("stopped", ctx.Status(c.Id), "status");
                That(c.Stdout.Split("once").Length == 2, $"program ran twice: {Show(c.Stdout)}");
                return Pass();
            });
        yield return new("start.no-process", Doc, "Start", Level.MUST,
            "start generates an error if `process` was not set (create or start fails)", ctx =>
            {
                return ExpectInvalid(ctx, "config without process", _ => { }, b => b.Config.Remove("process"));
            });
        yield return new("start.missing-executable", Doc, "Lifecycle", Level.MUST,
            "a program that cannot be executed makes create or start fail", ctx =>
            {
                return ExpectInvalid(ctx, "args[0] does not exist", b => b.Args("/bin/true"), b => b.Args("/no/such/program"));
            });
    }
}
