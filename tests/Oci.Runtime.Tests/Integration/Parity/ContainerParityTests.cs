using Oci.Runtime.Spec;
using Oci.Runtime.Tests.Integration.ContainerEnvironment;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Parity;

/// <summary>What a container sees where runc and oci-run used to differ: tmpfs modes, a read-only /dev, the working
/// directory and stdio of a non-root process, the hooks' working directories, exec's terminal, device rules.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class ContainerParityTests
{
    [ContainerFact]
    public void A_tmpfs_over_an_existing_directory_keeps_its_mode()
    {
        using var h = new OciRunHarness();
        string rootfs = Env.PrivateRootfs(h);
        Directory.CreateDirectory(Path.Combine(rootfs, "kept"));
        File.SetUnixFileMode(Path.Combine(rootfs, "kept"), (UnixFileMode)0b111_101_000); // 0750
        var spec = Env.Sh("stat -c '%n %a' /kept /fresh /explicit");
        spec.Root!.Path = rootfs;
        Directory.CreateDirectory(Path.Combine(rootfs, "explicit"));
        spec.Mounts!.Add(Env.Tmpfs("/kept", "nosuid", "nodev"));
        spec.Mounts.Add(Env.Tmpfs("/fresh", "nosuid"));
        spec.Mounts.Add(Env.Tmpfs("/explicit", "mode=700"));
        string output = Env.Output(h, spec);
        Assert.Contains("/kept 750", output);
        Assert.Contains("/fresh 1777", output);
        Assert.Contains("/explicit 700", output);
    }

    [ContainerFact]
    public void A_read_only_dev_is_populated_and_then_read_only()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("ls /dev/null /dev/pts/ptmx /dev/shm >/dev/null && echo populated; touch /dev/new 2>&1; grep ' /dev ' /proc/self/mountinfo");
        spec.Mounts!.First(m => m.Destination == "/dev").Options!.Add("ro");
        string output = Env.Output(h, spec);
        Assert.Contains("populated", output);
        Assert.Contains("Read-only file system", output);
        Assert.Contains(" ro,", output.Split('\n').First(l => l.Contains(" /dev ")));
    }

    [ContainerFact]
    public void A_working_directory_only_root_may_enter_works_for_another_user()
    {
        using var h = new OciRunHarness();
        string dir = Env.HostDirectory(h, "private");
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var spec = Env.Sh("pwd; id -u");
        spec.Mounts!.Add(Env.Bind(dir, "/private"));
        spec.Process!.Cwd = "/private";
        spec.Process.User = new User { Uid = 42, Gid = 42 };
        Assert.Equal("/private\n42\n", Env.Output(h, spec));
    }

    [ContainerFact]
    public void Stdio_belongs_to_the_process_user()
    {
        using var h = new OciRunHarness();
        // The caller's pipes: the process can reopen them (nginx-style logging to /dev/stdout).
        var spec = Env.Sh("stat -L -c %u /proc/self/fd/1; echo reopened > /dev/stdout");
        spec.Process!.User = new User { Uid = 1000, Gid = 1000 };
        string output = Env.Output(h, spec);
        Assert.Equal("1000\nreopened\n", output);
    }

    [ContainerFact]
    public void The_terminal_belongs_to_the_process_user()
    {
        using var h = new OciRunHarness();
        // The pty's owner becomes the user; its group stays tty (gid 5 of the devpts mount), as runc leaves it.
        var spec = Env.Sh("stat -c %u:%g $(tty)");
        spec.Process!.Terminal = true;
        spec.Process.User = new User { Uid = 1000, Gid = 100 };
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("1000:5", result.Stdout.Trim());
    }

    [ContainerFact]
    public void Hooks_run_in_runcs_working_directories()
    {
        using var h = new OciRunHarness();
        string dir = Env.HostDirectory(h, "hooks");
        static Hook Pwd(string file, string name) => new()
        {
            Path = "/bin/sh", Args = ["sh", "-c", $"echo {name} $(pwd) >> {file}"], Env = ["PATH=/usr/bin:/bin"],
        };
        string host = Path.Combine(dir, "pwd");
        var spec = Env.Sh("true");
        spec.Mounts!.Add(Env.Bind(dir, "/out"));
        spec.Process!.Cwd = "/bin";
        spec.Hooks = new Hooks
        {
            Prestart = [Pwd(host, "prestart")],
            CreateRuntime = [Pwd(host, "createRuntime")],
            CreateContainer = [Pwd(host, "createContainer")],
            StartContainer = [Pwd("/out/pwd", "startContainer")],
            Poststart = [Pwd(host, "poststart")],
            Poststop = [Pwd(host, "poststop")],
        };
        string id = Env.Create(h, spec);
        string bundle = h.State(id).Bundle;
        Assert.Equal(0, h.Run("start", id).ExitCode);
        Assert.True(OciRunHarness.Eventually(() => h.State(id).Status == "stopped"));
        Assert.Equal(0, h.Run("delete", id).ExitCode);
        var lines = File.ReadAllLines(host).Select(l => l.Split(' ', 2)).ToDictionary(p => p[0], p => p[1]);
        // The runtime's hooks in the bundle (not the caller's directory), the container's in its root and in the
        // process's working directory.
        Assert.Equal(bundle, lines["prestart"]);
        Assert.Equal(bundle, lines["createRuntime"]);
        Assert.Equal(bundle, lines["poststart"]);
        Assert.Equal(bundle, lines["poststop"]);
        Assert.Equal(BusyboxRootfs.Path, lines["createContainer"]);
        Assert.Equal("/bin", lines["startContainer"]);
    }

    [ContainerFact]
    public void Exec_with_a_terminal_and_no_console_socket_relays_it()
    {
        using var h = new OciRunHarness();
        string id = Env.Create(h, OciRunHarness.NewSpec("sleep", "1000"));
        Assert.Equal(0, h.Run("start", id).ExitCode);
        var exec = h.Run("exec", "-t", id, "sh", "-c", "tty; [ -t 0 ] && [ -t 1 ] && echo both-terminals; exit 3");
        Assert.True(exec.ExitCode == 3, exec.ToString());
        Assert.Contains("/dev/pts/", exec.Stdout);
        Assert.Contains("both-terminals", exec.Stdout);
        // Detached, it still needs a socket.
        var detached = h.Run("exec", "-t", "-d", id, "true");
        Assert.Equal(255, detached.ExitCode);
    }

    [ContainerFact]
    public void The_container_has_a_session_keyring_of_its_own_unless_no_new_keyring()
    {
        using var h = new OciRunHarness();
        var spec = OciRunHarness.NewSpec("sleep", "1000");
        spec.Linux!.MaskedPaths!.Remove("/proc/keys");
        string id = Env.Create(h, spec);
        Assert.Equal(0, h.Run("start", id).ExitCode);
        var exec = h.Run("exec", id, "grep", "-c", $"keyring *_ses.{id}:", "/proc/keys");
        Assert.True(exec.ExitCode == 0 && exec.Stdout.Trim() == "1", exec.ToString());

        string shared = h.NewId();
        var sharing = Env.Sh($"grep -c '_ses.{shared}:' /proc/keys; grep -c keyring /proc/keys");
        sharing.Linux!.MaskedPaths!.Remove("/proc/keys");
        var run = h.Run("run", "--no-new-keyring", "--bundle", h.WriteBundle(sharing), shared);
        // grep's status is that of the last count: the caller's keyrings are there, the container's own is not.
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("0\n", run.Stdout);
    }

    [ContainerFact]
    public void Device_access_letters_other_than_rwm_grant_nothing_with_a_warning()
    {
        using var h = new OciRunHarness();
        var spec = Env.Sh("true");
        spec.Linux!.Resources!.Devices!.Add(new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 5, Access = "rwa" });
        var result = h.RunContainer(spec);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("linux.resources.devices[1].access", result.Stderr);
        Assert.Contains("'a'", result.Stderr);
    }
}
