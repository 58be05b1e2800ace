using Oci.Runtime.Interop;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Init;

/// <summary>The user's process: its identity, capabilities, working directory, environment and executable.</summary>
internal static class UserProcess
{
    /// <summary>The process's environment: config.json's, plus HOME from the container's /etc/passwd when the
    /// config has none, as runc does.</summary>
    public static List<string> Environment(Process process)
    {
        var environment = new List<string>(process.Env ?? []);
        if (!environment.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
            environment.Add("HOME=" + (HomeOf(process.User.Uid) ?? "/"));
        return environment;
    }

    static string? HomeOf(uint uid) => PasswdFile.EntryOf(uid) is { Length: > 5 } entry ? entry[5] : null;

    /// <summary>Finds args[0] as execvp would, in the container's PATH; an error here fails <c>create</c>, as in
    /// runc, rather than the container after <c>start</c>.</summary>
    public static string ResolveExecutable(Process process, IReadOnlyList<string> environment)
    {
        if (process.Args is not { Count: > 0 })
            throw new SpecValidationException("process.args", "must name at least the program to run");
        string name = process.Args[0];
        if (name.Contains('/'))
        {
            string candidate = name.StartsWith('/') ? name : Path.Combine(process.Cwd.Length > 0 ? process.Cwd : "/", name);
            if (!File.Exists(candidate)) throw new OciException($"exec: \"{name}\": stat {candidate}: no such file or directory");
            return name;
        }
        string path = environment.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..]
                      ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var directory in path.Split(':'))
        {
            string candidate = Path.Combine(directory.Length == 0 ? "." : directory, name);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                return candidate;
        }
        throw new OciException($"exec: \"{name}\": executable file not found in $PATH");
    }

    /// <summary>Drops to the configured user and capabilities, in runc's order: bounding set while still
    /// privileged, stdio given to the user, the working directory entered, keep capabilities across the uid change,
    /// change groups and user, then set the final capability sets. Returns the warnings of capabilities that could
    /// not be granted.</summary>
    public static IReadOnlyList<string> SwitchUser(Process process)
    {
        Capabilities.ApplyBounding(process.Capabilities);
        var user = process.User;
        GiveStdioTo(user.Uid);
        // As runc: into the working directory while still privileged, so that a directory only root may enter works
        // for any user; if root is refused (a root-squashed network filesystem), again as the user.
        bool inCwd = process.Cwd.Length == 0 || TryChdir(process.Cwd, privileged: true);
        Sys.Prctl(Native.PR_SET_KEEPCAPS, 1);
        var groups = (user.AdditionalGids ?? []).ToArray();
        // Per-thread system calls, not glibc's process-wide wrappers: this thread execs the user's process (see Sys).
        if (!SetgroupsDenied()) Sys.SetThreadGroups(groups);
        Sys.SetThreadResGid(user.Gid);
        Sys.SetThreadResUid(user.Uid);
        Sys.Prctl(Native.PR_SET_KEEPCAPS, 0);
        if (!inCwd) TryChdir(process.Cwd, privileged: false);
        return Capabilities.Apply(process.Capabilities);
    }

    /// <summary>chdir into the process's working directory. A refusal while privileged is left for a second try as
    /// the user (false); any other failure is the error of process.cwd.</summary>
    static bool TryChdir(string cwd, bool privileged)
    {
        const int EPERM = 1, EACCES = 13;
        try
        {
            Sys.Chdir(cwd);
            return true;
        }
        catch (SyscallException e) when (privileged && e.Errno is EPERM or EACCES)
        {
            return false;
        }
        catch (SyscallException e)
        {
            throw new OciException($"process.cwd: {e.Message}", e);
        }
    }

    /// <summary>runc's fixStdioPermissions: stdio made outside the container (the pty, the caller's pipes) is given
    /// to the process's user, so that it can reopen /dev/stdout or /proc/self/fd/N. Only the owner changes (the pty's
    /// group stays tty); /dev/null is left alone, and a file whose owner or group is not mapped in the container's
    /// user namespace (EINVAL, EPERM) is left as it is.</summary>
    static void GiveStdioTo(uint uid)
    {
        const uint S_IFCHR = 0x2000;
        ulong devNull = Rootfs.DeviceSetup.MakeDev(1, 3);
        const int EPERM = 1, EINVAL = 22;
        for (int fd = 0; fd < 3; fd++)
        {
            (uint type, ulong rdev) device;
            (uint Mode, uint Uid, uint Gid) owner;
            try
            {
                device = Sys.FileTypeAndDevice(fd);
                owner = Sys.FileModeAndOwner(fd);
            }
            catch (SyscallException)
            {
                continue; // a closed standard descriptor
            }
            if (owner.Uid == uid || (device.type == S_IFCHR && device.rdev == devNull)) continue;
            int errno = Sys.TryFchown(fd, uid, owner.Gid);
            if (errno is not (0 or EPERM or EINVAL))
                throw new SyscallException($"giving stdio descriptor {fd} to uid {uid}", errno);
        }
    }

    static bool SetgroupsDenied() => Sys.TryReadText("/proc/self/setgroups")?.Trim() == "deny";
}
