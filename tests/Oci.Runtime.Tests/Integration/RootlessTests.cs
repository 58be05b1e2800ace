using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Integration;

/// <summary>oci-run run by an unprivileged user created for the test (issue 13), with no root involved: its own
/// HOME and XDG_RUNTIME_DIR, no supplementary groups, no capabilities. In the environment collection: it adds a user
/// (and so /etc/subuid ranges), as the podman test edits /etc/subuid.</summary>
[Collection(ContainerEnvironment.EnvironmentCollection.Name)]
public sealed class RootlessTests
{
    /// <summary>Why an unprivileged user cannot have a user namespace here (or the test cannot make one), or null.</summary>
    static string? MissingForRootless()
    {
        if (HostRequirements.MissingForContainers() is { } reason) return reason;
        foreach (var program in new[] { "/usr/sbin/useradd", "/usr/sbin/userdel", "/usr/bin/setpriv" })
            if (!File.Exists(program)) return $"{program} is missing";
        static string? Read(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        if (Read("/proc/sys/kernel/unprivileged_userns_clone") is "0") return "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0)";
        if (Read("/proc/sys/user/max_user_namespaces") is "0") return "user namespaces are disabled (user.max_user_namespaces=0)";
        if (Read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") is "1") return "AppArmor restricts unprivileged user namespaces";
        return null;
    }

    public sealed class RootlessFactAttribute : FactAttribute
    {
        public RootlessFactAttribute()
        {
            if (MissingForRootless() is { } reason) Skip = reason;
        }
    }

    [RootlessFact]
    public void An_unprivileged_user_runs_execs_kills_and_deletes_a_container()
    {
        using var h = new OciRunHarness();
        string user = "ocirt" + Guid.NewGuid().ToString("N")[..8];
        string home = Path.Combine(h.Root, "home-" + user), bundle = Path.Combine(home, "bundle"), runtimeDir = Path.Combine(home, "run");
        Directory.CreateDirectory(bundle);
        Directory.CreateDirectory(runtimeDir);
        ContainerEnvironment.Env.Shell($"useradd --no-create-home --home-dir {home} --shell /bin/sh --user-group {user}");
        string id = "rootless-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            string uid = ContainerEnvironment.Env.Shell($"id -u {user}").Trim(), gid = ContainerEnvironment.Env.Shell($"id -g {user}").Trim();
            ContainerEnvironment.Env.Shell($"cp -a {BusyboxRootfs.Path} {bundle}/rootfs && chown -R {user}:{user} {home} && chmod 0700 {runtimeDir}");
            // As the user, in the bundle, with nothing of root's: the harness's "--root DIR" after the binary is
            // dropped, so that the state goes where oci-run puts it by default, under $XDG_RUNTIME_DIR.
            string[] asUser =
            [
                "/bin/sh", "-c",
                $"bin=$1; shift 3; cd {bundle} && exec setpriv --reuid={uid} --regid={gid} --clear-groups --inh-caps=-all " +
                $"env -i HOME={home} XDG_RUNTIME_DIR={runtimeDir} PATH=/usr/sbin:/usr/bin:/sbin:/bin \"$bin\" \"$@\"",
                "sh",
            ];
            CommandResult OciRun(params string[] args) => h.RunThrough(asUser, [], args);

            var spec = OciRun("spec", "--rootless");
            Assert.True(spec.ExitCode == 0, spec.ToString());
            // A long-running process without a terminal, for exec; written in place, so the user still owns it.
            var config = SpecLoader.Parse(File.ReadAllBytes(Path.Combine(bundle, "config.json")));
            config.Process!.Terminal = false;
            config.Process.Args = ["sleep", "1000"];
            File.WriteAllBytes(Path.Combine(bundle, "config.json"), SpecLoader.Serialize(config));

            var run = OciRun("run", "-d", id);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.True(Directory.Exists(Path.Combine(runtimeDir, "oci-run", id)), "state under $XDG_RUNTIME_DIR/oci-run");

            var exec = OciRun("exec", id, "sh", "-c", "id -u; cat /proc/self/uid_map");
            Assert.True(exec.ExitCode == 0, exec.ToString());
            var lines = exec.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
            Assert.Equal(["0", $"0 {uid} 1"], lines);

            var kill = OciRun("kill", id, "KILL");
            Assert.True(kill.ExitCode == 0, kill.ToString());
            Assert.True(OciRunHarness.Eventually(() => OciRun("state", id).Stdout.Contains("\"stopped\"")), "the container stops");
            var delete = OciRun("delete", id);
            Assert.True(delete.ExitCode == 0, delete.ToString());
            Assert.False(Directory.Exists(Path.Combine(runtimeDir, "oci-run", id)));

            // More than the user's own ids, from the ranges useradd gave it in /etc/subuid and /etc/subgid: mapped
            // through newuidmap and newgidmap.
            string? Range(string file) => File.ReadAllLines(file).Select(l => l.Split(':')).FirstOrDefault(f => f[0] == user)?[1];
            if (Range("/etc/subuid") is { } subuid && Range("/etc/subgid") is { } subgid && File.Exists("/usr/bin/newuidmap"))
            {
                config.Process.Args = ["cat", "/proc/self/uid_map", "/proc/self/gid_map"];
                config.Linux!.UidMappings!.Add(new LinuxIdMapping { ContainerId = 1, HostId = uint.Parse(subuid), Size = 1000 });
                config.Linux.GidMappings!.Add(new LinuxIdMapping { ContainerId = 1, HostId = uint.Parse(subgid), Size = 1000 });
                File.WriteAllBytes(Path.Combine(bundle, "config.json"), SpecLoader.Serialize(config));
                var ranged = OciRun("run", id);
                Assert.True(ranged.ExitCode == 0, ranged.ToString());
                var maps = ranged.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
                Assert.Equal([$"0 {uid} 1", $"1 {subuid} 1000", $"0 {gid} 1", $"1 {subgid} 1000"], maps);
            }
        }
        finally
        {
            // As root, through the user's state: whatever the test left running goes.
            h.RunWithGlobal(["--root", Path.Combine(runtimeDir, "oci-run")], ["delete", "--force", id]);
            ContainerEnvironment.Env.Shell($"userdel {user}");
        }
    }
}
