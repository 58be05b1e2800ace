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
    /// privileged, keep capabilities across the uid change, change groups and user, enter the working directory,
    /// then set the final capability sets. Returns the warnings of capabilities that could not be granted.</summary>
    public static IReadOnlyList<string> SwitchUser(Process process)
    {
        var user = process.User;
        // Checked by the runtime already; again here, where (uid_t)-1 would silently keep init's root.
        Lifecycle.Preflight.UserIds(user);
        Capabilities.ApplyBounding(process.Capabilities);
        Sys.Prctl(Native.PR_SET_KEEPCAPS, 1);
        var groups = (user.AdditionalGids ?? []).ToArray();
        // Per-thread system calls, not glibc's process-wide wrappers: this thread execs the user's process (see Sys).
        if (!SetgroupsDenied()) Sys.SetThreadGroups(groups);
        Sys.SetThreadResGid(user.Gid);
        Sys.SetThreadResUid(user.Uid);
        Sys.Prctl(Native.PR_SET_KEEPCAPS, 0);
        if (process.Cwd.Length > 0)
        {
            try
            {
                Sys.Chdir(process.Cwd);
            }
            catch (SyscallException e)
            {
                throw new OciException($"process.cwd: {e.Message}", e);
            }
        }
        return Capabilities.Apply(process.Capabilities);
    }

    static bool SetgroupsDenied() => Sys.TryReadText("/proc/self/setgroups")?.Trim() == "deny";
}
