using System.Text.Json;
using Oci.Runtime.Interop;
using Oci.Runtime.Lifecycle;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Lifecycle;

/// <summary>Runs lifecycle hooks (config.md "POSIX-platform Hooks"): each with the container's state on its standard
/// input, its own args and env, and its timeout. The hooks of the runtime's namespace (prestart, createRuntime,
/// poststart, poststop) run in the bundle directory, where runc runs them, so that hooks written for runc find their
/// relative paths; the container's createContainer hooks run in the container's root and startContainer hooks in the
/// process's working directory (the callers in the container pass those).</summary>
internal static class HookRunner
{
    /// <summary>Runs <paramref name="hooks"/> in order. The first failure stops the rest and throws an error naming
    /// the hook by its JSON path, with what it wrote. They run in <paramref name="workingDirectory"/>, or by default
    /// in the state's bundle directory (null or missing: this process's directory).</summary>
    public static void Run(IReadOnlyList<Hook>? hooks, string phase, ContainerStateDocument state, string? workingDirectory = null)
    {
        if (hooks is null || hooks.Count == 0) return;
        byte[] input = SpecLoader.SerializeState(state);
        string? directory = WorkingDirectory(state, workingDirectory);
        for (int i = 0; i < hooks.Count; i++)
        {
            string jsonPath = $"hooks.{phase}[{i}]";
            RunOne(hooks[i], input, jsonPath, directory);
        }
    }

    /// <summary>Runs every hook even when some fail (poststop), returning the failures' messages; in the bundle
    /// directory, as <see cref="Run"/>.</summary>
    public static IReadOnlyList<string> RunAll(IReadOnlyList<Hook>? hooks, string phase, ContainerStateDocument state)
    {
        var failures = new List<string>();
        if (hooks is null) return failures;
        byte[] input = SpecLoader.SerializeState(state);
        string? directory = WorkingDirectory(state, null);
        for (int i = 0; i < hooks.Count; i++)
        {
            try
            {
                RunOne(hooks[i], input, $"hooks.{phase}[{i}]", directory);
            }
            catch (OciException e)
            {
                failures.Add(e.Message);
            }
        }
        return failures;
    }

    /// <summary>The directory to run hooks in: the one asked for, else the bundle; one that no longer exists (a
    /// bundle removed before delete) leaves the caller's, rather than failing the hook.</summary>
    static string? WorkingDirectory(ContainerStateDocument state, string? requested)
    {
        string? directory = requested ?? state.Bundle;
        return directory is not null && Directory.Exists(directory) ? directory : null;
    }

    static void RunOne(Hook hook, byte[] input, string jsonPath, string? workingDirectory)
    {
        var (stdinRead, stdinWrite) = Sys.Pipe();
        int output = Sys.MemfdSealable("hook-output");
        int pid;
        try
        {
            IReadOnlyList<string> args = hook.Args is { Count: > 0 } ? hook.Args : [hook.Path];
            pid = Sys.Spawn(hook.Path, args, hook.Env ?? [], [(stdinRead, 0), (output, 1), (output, 2)], workingDirectory);
        }
        catch (SyscallException e)
        {
            Sys.Close(stdinRead);
            Sys.Close(stdinWrite);
            Sys.Close(output);
            throw new OciException($"{jsonPath}: running {hook.Path}: {e.Message}", e);
        }
        Sys.Close(stdinRead);
        try
        {
            try
            {
                Sys.WriteAll(stdinWrite, input);
            }
            catch (SyscallException) { } // The hook need not read its input.
            Sys.Close(stdinWrite);
            stdinWrite = -1;
            int status = WaitWithTimeout(pid, hook.Timeout, out bool timedOut);
            if (timedOut)
                throw new OciException($"{jsonPath}: {hook.Path} did not finish within its timeout of {hook.Timeout}s and was killed");
            if (status != 0)
            {
                string text = System.Text.Encoding.UTF8.GetString(Sys.ReadBytesFrom(output, 4096));
                string how = (status & 0x7f) == 0 ? $"exit status {(status >> 8) & 0xff}" : $"signal {status & 0x7f}";
                throw new OciException($"{jsonPath}: {hook.Path} failed with {how}" + (text.Length > 0 ? $": {text.Trim()}" : ""));
            }
        }
        finally
        {
            Sys.Close(stdinWrite);
            Sys.Close(output);
        }
    }

    static int WaitWithTimeout(int pid, int? timeoutSeconds, out bool timedOut)
    {
        timedOut = false;
        if (timeoutSeconds is > 0)
        {
            int pidfd = Sys.PidfdOpen(pid);
            if (pidfd >= 0)
            {
                try
                {
                    if (!Sys.PollReadable(pidfd, timeoutSeconds.Value * 1000))
                    {
                        timedOut = true;
                        Sys.Kill(pid, 9);
                    }
                }
                finally
                {
                    Sys.Close(pidfd);
                }
            }
        }
        return Sys.WaitPid(pid);
    }
}
