using System.Text.Json.Nodes;
using Oci.Conformance.Framework;
using static Oci.Conformance.Checks.Common;
using static Oci.Conformance.Framework.Verify;

namespace Oci.Conformance.Checks;

/// <summary>
/// config.md's Valid values and Extensibility rules: a value the spec makes invalid generates an error (each check
/// first runs the valid counterpart, so that the error is the invalid value's), unknown properties and annotation keys
/// are ignored; and the rules of Annotations.
/// </summary>
internal static class ConfigValidity
{
    private const string Doc = "config.md";
    private const string LDoc = "config-linux.md";

    private static Check Invalid(string id, string doc, string section, string desc, Action<Bundle> valid, Action<Bundle> invalid,
        string script = "true", string? deviation = null) =>
        new(id, doc, section, Level.MUST, desc, ctx => ExpectInvalid(ctx, desc, valid, invalid, script)) { RuncDeviation = deviation };

    private static JsonObject Seccomp(JsonObject rule) =>
        Obj(("defaultAction", "SCMP_ACT_ALLOW"), ("syscalls", new JsonArray(rule)));

    public static IEnumerable<Check> Checks()
    {
        yield return Invalid("version.invalid", Doc, "Specification version",
            "an ociVersion that is not SemVer 2.0.0 (\"1.0\") generates an error",
            b => b.Config["ociVersion"] = "1.0.0", b => b.Config["ociVersion"] = "1.0");
        yield return Invalid("root.not-directory", Doc, "Root",
            "a root.path that names a regular file, not a directory, generates an error",
            _ => { }, b =>
            {
                b.Save();
                File.WriteAllText(Path.Combine(b.Dir, "rootfs-file"), "not a directory\n");
                Bundle.Obj(b.Config, "root")["path"] = "rootfs-file";
            });
        yield return Invalid("process.cwd.relative", Doc, "Process",
            "a relative process.cwd (\"tmp\") generates an error",
            b => b.Process["cwd"] = "/tmp", b => b.Process["cwd"] = "tmp");
        yield return Invalid("process.args.empty", Doc, "Process",
            "process.args without an entry generates an error",
            b => b.Args("true"), b => b.Process["args"] = new JsonArray());
        yield return Invalid("hooks.relative-path", Doc, "POSIX-platform Hooks",
            "a hook path that is not absolute (\"bin/sh\", which resolves from /) generates an error",
            b => b.AddHook("createRuntime", "/bin/sh", ["sh", "-c", "cat >/dev/null"]),
            b => b.AddHook("createRuntime", "bin/sh", ["sh", "-c", "cat >/dev/null"]));
        yield return Invalid("hooks.timeout-zero", Doc, "POSIX-platform Hooks",
            "a hook timeout of 0 (it MUST be greater than zero) generates an error",
            b => b.AddHook("createRuntime", "/bin/sh", ["sh", "-c", "cat >/dev/null"], null, 5),
            b => b.AddHook("createRuntime", "/bin/sh", ["sh", "-c", "cat >/dev/null"], null, 0));
        yield return new("namespaces.relative-path", LDoc, "Namespaces", Level.MUST,
            "a namespace path that is not absolute generates an error", ctx =>
            {
                var holder = ctx.StartHelper("unshare", "--uts", "sleep", "600");
                var abs = $"/proc/{holder.Id}/ns/uts";
                SpinUntil(() => Host.NsLink(holder.Id.ToString(), "uts") != Host.NsLink("self", "uts"));
                return ExpectInvalid(ctx, "a relative uts namespace path",
                    b => b.SetNamespace("uts", abs), b => b.SetNamespace("uts", abs.TrimStart('/')));
            });
        yield return Invalid("maskedPaths.relative", LDoc, "Masked Paths",
            "a maskedPaths entry that is not absolute (\"proc/kcore\") generates an error",
            b => b.Linux["maskedPaths"] = Bundle.Strings("/proc/kcore"), b => b.Linux["maskedPaths"] = Bundle.Strings("proc/kcore"));
        yield return Invalid("readonlyPaths.relative", LDoc, "Readonly Paths",
            "a readonlyPaths entry that is not absolute (\"proc/sys\") generates an error",
            b => b.Linux["readonlyPaths"] = Bundle.Strings("/proc/sys"), b => b.Linux["readonlyPaths"] = Bundle.Strings("proc/sys"));
        foreach (var (field, other) in new[] { ("uidMappings", "gidMappings"), ("gidMappings", "uidMappings") })
        {
            string id = field == "uidMappings" ? "mounts.idmap.uid-without-gid" : "mounts.idmap.gid-without-uid";
            yield return new(id, Doc, "POSIX-platform Mounts", Level.MUST,
                $"an idmapped mount with {field} but no {other} generates an error", ctx =>
                {
                    ctx.Host.RequireFeature(f => f["linux"]?["mountExtensions"]?["idmap"]?["enabled"] is JsonValue v && v.TryGetValue<bool>(out var e) ? e : null,
                        "linux.mountExtensions.idmap.enabled");
                    var d = ctx.NewDir("idmap-src");
                    JsonArray Map() => new(Obj(("containerID", 0), ("hostID", 1000), ("size", 1)));
                    return ExpectInvalid(ctx, $"{field} without {other}",
                        b =>
                        {
                            b.AddMount("/mnt/idmapped", "none", d, "bind", "idmap");
                            var m = b.Mounts[^1]!.AsObject();
                            m["uidMappings"] = Map();
                            m["gidMappings"] = Map();
                        },
                        b =>
                        {
                            b.AddMount("/mnt/idmapped", "none", d, "bind", "idmap");
                            b.Mounts[^1]!.AsObject()[field] = Map();
                        });
                });
        }

        // --- unknown and invalid values (config.md#valid-values)
        const string VV = "Valid values";
        yield return Invalid("invalid.namespace-type", Doc, VV, "an unknown namespace type (\"conformance\") generates an error",
            b => b.SetNamespace("uts"), b => b.Namespaces.Add((JsonNode)Obj(("type", "conformance"))));
        yield return Invalid("invalid.device-type", Doc, VV, "a device of unknown type (\"x\") generates an error",
            b => b.Linux["devices"] = new JsonArray(Obj(("path", "/dev/conf-null"), ("type", "c"), ("major", 1), ("minor", 3))),
            b => b.Linux["devices"] = new JsonArray(Obj(("path", "/dev/conf-null"), ("type", "x"), ("major", 1), ("minor", 3))));
        yield return Invalid("invalid.rootfsPropagation", Doc, VV, "an unknown rootfsPropagation (\"conformance\") generates an error",
            b => b.Linux["rootfsPropagation"] = "private", b => b.Linux["rootfsPropagation"] = "conformance");
        yield return Invalid("invalid.seccomp-action", Doc, VV, "an unknown seccomp action (\"SCMP_ACT_CONFORMANCE\") generates an error",
            b => b.Linux["seccomp"] = Seccomp(Obj(("names", Bundle.Strings("acct")), ("action", "SCMP_ACT_ERRNO"))),
            b => b.Linux["seccomp"] = Seccomp(Obj(("names", Bundle.Strings("acct")), ("action", "SCMP_ACT_CONFORMANCE"))));
        yield return Invalid("invalid.seccomp-operator", Doc, VV, "an unknown seccomp argument operator (\"SCMP_CMP_CONFORMANCE\") generates an error",
            b => b.Linux["seccomp"] = Seccomp(Obj(("names", Bundle.Strings("acct")), ("action", "SCMP_ACT_ERRNO"),
                ("args", new JsonArray(Obj(("index", 0), ("value", 1), ("op", "SCMP_CMP_EQ")))))),
            b => b.Linux["seccomp"] = Seccomp(Obj(("names", Bundle.Strings("acct")), ("action", "SCMP_ACT_ERRNO"),
                ("args", new JsonArray(Obj(("index", 0), ("value", 1), ("op", "SCMP_CMP_CONFORMANCE")))))));
        yield return Invalid("invalid.personality-domain", Doc, VV, "an unknown personality domain (\"CONFORMANCE\") generates an error",
            b => b.Linux["personality"] = Obj(("domain", "LINUX")), b => b.Linux["personality"] = Obj(("domain", "CONFORMANCE")),
            deviation: "runc 1.1 ignores linux.personality");
        yield return Invalid("invalid.scheduler-policy", Doc, VV, "an unknown scheduler policy (\"SCHED_CONFORMANCE\") generates an error",
            b => b.Process["scheduler"] = Obj(("policy", "SCHED_OTHER")), b => b.Process["scheduler"] = Obj(("policy", "SCHED_CONFORMANCE")),
            deviation: "runc 1.1 ignores process.scheduler");
        yield return Invalid("invalid.ioPriority-class", Doc, VV, "an unknown ioPriority class (\"IOPRIO_CLASS_CONFORMANCE\") generates an error",
            b => b.Process["ioPriority"] = Obj(("class", "IOPRIO_CLASS_BE"), ("priority", 4)),
            b => b.Process["ioPriority"] = Obj(("class", "IOPRIO_CLASS_CONFORMANCE"), ("priority", 4)),
            deviation: "runc 1.1 ignores process.ioPriority");
        yield return Invalid("invalid.memoryPolicy-mode", Doc, VV, "an unknown memoryPolicy mode (\"MPOL_CONFORMANCE\") generates an error",
            b => b.Linux["memoryPolicy"] = Obj(("mode", "MPOL_DEFAULT")), b => b.Linux["memoryPolicy"] = Obj(("mode", "MPOL_CONFORMANCE")),
            deviation: "runc 1.1 ignores linux.memoryPolicy");

        // --- annotations and unknown properties
        const string A = "Annotations";
        yield return Invalid("annotations.not-object", Doc, A, "annotations that are not a key-value map (an array) generate an error",
            b => b.Config["annotations"] = Obj(("org.example.a", "b")), b => b.Config["annotations"] = Bundle.Strings("org.example.a"));
        yield return Invalid("annotations.empty-key", Doc, A, "an annotation with an empty key generates an error",
            b => b.Config["annotations"] = Obj(("org.example.a", "b")), b => b.Config["annotations"] = Obj(("", "b")));
        yield return Invalid("annotations.non-string-value", Doc, A, "an annotation whose value is not a string (a number) generates an error",
            b => b.Config["annotations"] = Obj(("org.example.a", "1")), b => b.Config["annotations"] = Obj(("org.example.a", 1)));
        yield return new("annotations.empty-map", Doc, A, Level.MAY, "an empty annotations map is accepted", ctx =>
        {
            var b = ctx.NewBundle("echo ran");
            b.Config["annotations"] = new JsonObject();
            Equal("ran", ctx.RunProbe(b).Trim(), "program output");
            return Pass();
        });
        yield return new("annotations.empty-value", Doc, A, Level.MAY, "an annotation with an empty string value is accepted (and kept in the state)", ctx =>
        {
            var b = ctx.NewBundle("true");
            b.Config["annotations"] = Obj(("org.example.empty", ""));
            var c = ctx.Create(b);
            var st = ctx.State(c.Id) ?? throw Fail("state failed");
            if (st["annotations"] is JsonObject a) Equal("", a["org.example.empty"]?.ToString(), "annotations[org.example.empty] in the state");
            return Pass();
        });
        yield return new("annotations.unknown-key", Doc, A, Level.MUST,
            "an annotation key the runtime does not know is ignored: the container runs as without it", ctx =>
            {
                var b = ctx.NewBundle("echo ran");
                b.Config["annotations"] = Obj(("com.example.conformance.unknown-key", "some value"), ("run.oci.conformance-unknown", "x"));
                Equal("ran", ctx.RunProbe(b).Trim(), "program output");
                return Pass();
            });
        yield return new("annotations.stopSignal", Doc, A, Level.SHOULD,
            "with org.opencontainers.image.stopSignal SIGUSR1, `kill ID` without a signal sends SIGUSR1", ctx =>
            {
                var b = ctx.NewBundle("trap 'echo got-USR1; exit 0' USR1; trap 'echo got-TERM; exit 0' TERM; echo ready; while :; do sleep 0.05; done");
                b.Config["annotations"] = Obj(("org.opencontainers.image.stopSignal", "SIGUSR1"));
                var c = ctx.Create(b);
                c.Start();
                WaitOutput(c, "ready");
                var r = ctx.Rt("kill", c.Id);
                That(r.Ok, "kill without a signal failed: " + r.Brief);
                c.WaitStopped();
                That(c.Stdout.Contains("got-USR1", StringComparison.Ordinal), $"the container got another signal; output: {Show(c.Stdout)}");
                return Pass();
            }) { RuncDeviation = "runc 1.1 ignores the stopSignal annotation (kill defaults to SIGTERM)" };
        yield return new("config.unknown-property", Doc, "Extensibility", Level.MUST,
            "unknown properties (top level, in process, in linux) are ignored: the container runs as without them", ctx =>
            {
                var b = ctx.NewBundle("echo ran");
                b.Config["org.example.conformanceUnknown"] = Obj(("nested", 1));
                b.Process["conformanceUnknownField"] = true;
                b.Linux["conformanceUnknownField"] = Bundle.Strings("x");
                Equal("ran", ctx.RunProbe(b).Trim(), "program output");
                return Pass();
            });
    }

    private static void SpinUntil(Func<bool> condition)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && sw.Elapsed.TotalSeconds < 10) Thread.Sleep(10);
    }
}
