using System.Text.Json.Nodes;
using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>runtime.md: State and Query State.</summary>
internal static class RuntimeState
{
    private const string Doc = "runtime.md";

    public static IEnumerable<Check> Checks()
    {
        yield return new("state.status.created", Doc, "State", Level.MUST,
            "status is `created` after create, before start", ctx =>
            {
                var c = ctx.Create(ctx.NewBundle("echo hi"));
                Equal("created", ctx.Status(c.Id), "status");
                return Pass();
            });
        yield return new("state.status.running", Doc, "State", Level.MUST,
            "status is `running` after start while the program runs", ctx =>
            {
                var c = StartSleeper(ctx);
                Equal("running", ctx.Status(c.Id), "status");
                return Pass();
            });
        yield return new("state.status.stopped", Doc, "State", Level.MUST,
            "status is `stopped` after the container process exited", ctx =>
            {
                var c = ctx.Create(ctx.NewBundle("exit 0"));
                c.Start();
                c.WaitStopped();
                Equal("stopped", ctx.Status(c.Id), "status");
                return Pass();
            });
        foreach (var (field, kind) in new[] { ("ociVersion", "string"), ("id", "string"), ("status", "string"), ("pid", "number"), ("bundle", "string") })
        {
            yield return new($"state.field.{field}", Doc, "State", Level.MUST,
                $"state of a created container has the REQUIRED `{field}` ({kind})", ctx =>
                {
                    var c = ctx.Create(ctx.NewBundle("true"));
                    var st = ctx.State(c.Id) ?? throw Fail("state failed");
                    var v = st[field] ?? throw Fail($"`{field}` missing from {Show(st.ToJsonString())}");
                    var vk = v.GetValueKind();
                    That(kind == "string" ? vk == System.Text.Json.JsonValueKind.String : vk == System.Text.Json.JsonValueKind.Number,
                        $"`{field}` is {vk}, expected {kind}");
                    return Pass();
                });
        }
        yield return new("state.id", Doc, "State", Level.MUST, "state `id` is the container's ID", ctx =>
        {
            var c = ctx.Create(ctx.NewBundle("true"));
            Equal(c.Id, ctx.State(c.Id)?["id"]?.ToString(), "id");
            return Pass();
        });
        yield return new("state.bundle", Doc, "State", Level.MUST, "state `bundle` is the absolute path of the bundle directory", ctx =>
        {
            var c = ctx.Create(ctx.NewBundle("true"));
            var bundle = ctx.State(c.Id)?["bundle"]?.ToString();
            That(bundle is not null && Path.IsPathRooted(bundle), $"bundle '{bundle}' is not absolute");
            Equal(Path.GetFullPath(c.Bundle.Dir).TrimEnd('/'), bundle!.TrimEnd('/'), "bundle");
            return Pass();
        });
        yield return new("state.pid.created", Doc, "State", Level.MUST,
            "state `pid` of a created container is a live process on the host in the container's namespaces", ctx =>
            {
                var c = ctx.Create(ctx.NewBundle("true"));
                int pid = c.Pid;
                That(Host.ProcessAlive(pid), $"pid {pid} is not a live process");
                var mine = Host.NsLink("self", "uts");
                var theirs = Host.NsLink(pid.ToString(), "uts");
                That(theirs is not null && theirs != mine, $"pid {pid} is not in the container's new uts namespace ({theirs} vs host {mine})");
                return Pass();
            });
        yield return new("state.pid.running", Doc, "State", Level.MUST,
            "state `pid` of a running container is the process running the user program", ctx =>
            {
                var c = StartSleeper(ctx);
                var cmd = Host.Read($"/proc/{c.Pid}/cmdline").Replace('\0', ' ');
                That(cmd.Contains("sleep 600", StringComparison.Ordinal), $"/proc/{c.Pid}/cmdline is '{cmd}'");
                return Pass();
            });
        yield return new("state.annotations", Doc, "State", Level.SHOULD,
            "annotations from config.json are reported in the state", ctx =>
            {
                var b = ctx.NewBundle("true");
                b.Config["annotations"] = Obj(("org.example.conformance", "yes"), ("org.example.other", "1"));
                var c = ctx.Create(b);
                var st = ctx.State(c.Id) ?? throw Fail("state failed");
                Equal("yes", st["annotations"]?["org.example.conformance"]?.ToString(), "annotations[org.example.conformance]");
                return Pass();
            });
        yield return new("state.annotations-none", Doc, "State", Level.MAY,
            "without annotations in config.json the state's `annotations` is absent or an empty map", ctx =>
            {
                var c = ctx.Create(ctx.NewBundle("true"));
                var st = ctx.State(c.Id) ?? throw Fail("state failed");
                var a = st["annotations"];
                That(!st.ContainsKey("annotations") || a is JsonObject { Count: 0 },
                    $"`annotations` is {Show(a?.ToJsonString() ?? "null")}, expected absent or {{}}");
                return Pass();
            });
        yield return new("state.schema", Doc, "State", Level.MUST,
            "the state (created, running, stopped; with annotations) adheres to schema/state-schema.json", ctx =>
            {
                var schema = new JsonSchema(n => Spec.SpecSource.Embedded.Schema(n));
                void Validate(string id, string when)
                {
                    var r = ctx.Rt("state", id);
                    That(r.Ok, $"state ({when}) failed: {r.Brief}");
                    JsonNode? doc;
                    try { doc = JsonNode.Parse(r.Stdout); }
                    catch (System.Text.Json.JsonException e) { throw Fail($"state ({when}) is not JSON: {e.Message}"); }
                    var errors = schema.Validate(doc, "state-schema.json");
                    That(errors.Count == 0, $"state ({when}) breaks state-schema.json: {string.Join("; ", errors)}");
                }
                var b = ctx.NewBundle("true");
                b.Config["annotations"] = Obj(("org.example.conformance", "yes"));
                var c = ctx.Create(b);
                Validate(c.Id, "created");
                Validate(StartSleeper(ctx).Id, "running");
                c.Start();
                c.WaitStopped();
                Validate(c.Id, "stopped");
                return Pass();
            });
        yield return new("state.unknown-id", Doc, "Query State", Level.MUST,
            "querying the state of a container that does not exist generates an error", ctx =>
            {
                var r = ctx.Rt("state", ctx.NewId());
                That(!r.Ok, $"state of an unknown id succeeded: {Show(r.Stdout)}");
                return Pass();
            });
        yield return new("state.no-id", Doc, "Query State", Level.MUST,
            "state without a container ID generates an error", ctx =>
            {
                var r = ctx.Rt("state");
                That(!r.Ok, "state without an id succeeded");
                return Pass();
            });
        yield return new("state.after-delete", Doc, "Query State", Level.MUST,
            "state of a deleted container generates an error", ctx =>
            {
                var c = ctx.Create(ctx.NewBundle("true"));
                c.Start();
                c.WaitStopped();
                c.Delete();
                That(!ctx.Rt("state", c.Id).Ok, "state still succeeds after delete");
                return Pass();
            });
    }
}
