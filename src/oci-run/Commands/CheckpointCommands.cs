using Microsoft.Extensions.Logging;
using Oci.Cli.CommandLine;
using Oci.Runtime;
using Oci.Runtime.Lifecycle;

namespace Oci.Cli.Commands;

/// <summary><c>checkpoint</c>: save a running container to disk with CRIU.</summary>
internal sealed class CheckpointCommand : Command
{
    public override string Name => "checkpoint";

    public override string Summary => "checkpoint a running container (CRIU)";

    protected override string Description =>
        "Saves the container's processes to an image directory with CRIU (--criu PATH, default criu on PATH).\n" +
        "Unless --leave-running or --pre-dump, the container is stopped and deleted. With --lazy-pages it stays\n" +
        "frozen until criu lazy-pages (--page-server --address ADDRESS --port PORT -D IMAGES) has taken its memory\n" +
        "for a restore --lazy-pages.";

    protected override FlagSet Flags { get; } = new FlagSet()
        .Value("image-path", "directory for the checkpoint's images (default: ./checkpoint)")
        .Value("work-path", "directory for CRIU's work files and log (default: the image path)")
        .Value("parent-path", "a pre-dump's image directory, relative to the image path: dump only what changed since")
        .Switch("leave-running", "leave the container running after the checkpoint")
        .Switch("tcp-established", "allow open TCP connections")
        .Switch("ext-unix-sk", "allow external unix sockets")
        .Switch("shell-job", "allow a shell job")
        .Switch("lazy-pages", "keep the container frozen and serve its memory on --page-server's port to criu lazy-pages")
        .ValueWithDefault("status-fd", "-1", "with --lazy-pages: a descriptor written a zero byte once the page server is ready")
        .Switch("file-locks", "handle file locks")
        .Switch("pre-dump", "dump memory only, leaving the container running")
        .Value("manage-cgroups-mode", "cgroups mode: soft, full, strict or ignore (default: CRIU's)")
        .Value("empty-ns", "a namespace left empty (repeatable): network")
        .Switch("auto-dedup", "deduplicate memory pages against the parent images")
        .Value("page-server", "ADDRESS:PORT of a criu page-server to send the memory to (with --lazy-pages: the port to serve it on)");

    protected override int Execute(ParsedArguments a, ContainerRuntime runtime, ILogger? logger)
    {
        runtime.Checkpoint(a.Positional[0], new CheckpointOptions
        {
            ImagePath = a.Value("image-path") ?? Path.Combine(Environment.CurrentDirectory, "checkpoint"),
            WorkPath = a.Value("work-path"),
            ParentPath = a.Value("parent-path"),
            LeaveRunning = a.Has("leave-running"),
            TcpEstablished = a.Has("tcp-established"),
            ExternalUnixSockets = a.Has("ext-unix-sk"),
            ShellJob = a.Has("shell-job"),
            LazyPages = a.Has("lazy-pages"),
            PageServer = a.Value("page-server"),
            StatusFd = a.IntValue("status-fd", -1),
            FileLocks = a.Has("file-locks"),
            PreDump = a.Has("pre-dump"),
            CgroupsMode = ManageCgroupsMode.Parse(a.Value("manage-cgroups-mode")),
            EmptyNamespaces = a.Values("empty-ns"),
            AutoDedup = a.Has("auto-dedup"),
        });
        return 0;
    }
}

/// <summary><c>restore</c>: restore a container from a checkpoint with CRIU.</summary>
internal sealed class RestoreCommand : Command
{
    public override string Name => "restore";

    public override string Summary => "restore a container from a checkpoint (CRIU)";

    protected override string Description =>
        "Restores a container from a checkpoint's images into a bundle's config and rootfs. Unless --detach,\n" +
        "waits for it, forwarding signals, deletes it and exits with its status.";

    protected override FlagSet Flags { get; } = new FlagSet()
        .Value("console-socket", "an AF_UNIX socket to receive the master of the restored container's terminal")
        .Value("image-path", "the checkpoint's image directory (default: ./checkpoint)")
        .Value("work-path", "directory for CRIU's work files and log (default: the image path)")
        .Switch("tcp-established", "allow open TCP connections")
        .Switch("ext-unix-sk", "allow external unix sockets")
        .Switch("shell-job", "allow a shell job")
        .Switch("file-locks", "handle file locks")
        .Value("manage-cgroups-mode", "cgroups mode: soft, full, strict or ignore (default: CRIU's)")
        .Value("bundle", "the bundle directory (default: the current directory)", "b")
        .Switch("detach", "return once the container runs instead of waiting for it", "d")
        .Value("pid-file", "a file to write the restored init's pid to")
        .Switch("no-subreaper", "do not adopt the container's orphaned processes while waiting for it")
        .Switch("no-pivot", "refused: CRIU enters the restored root itself")
        .Value("empty-ns", "a namespace left empty (repeatable): network")
        .Switch("auto-dedup", "deduplicate memory pages of the images")
        .Switch("lazy-pages", "take the memory on demand from criu lazy-pages (its work directory: the work path)")
        .Value("lsm-profile", "refused: oci-run applies no AppArmor or SELinux profile")
        .Value("lsm-mount-context", "refused: oci-run applies no SELinux mount context");

    protected override int Execute(ParsedArguments a, ContainerRuntime runtime, ILogger? logger)
    {
        // CRIU, not oci-run, makes the restored mount namespace's root: the flag would change nothing.
        if (a.Has("no-pivot")) throw new OciException("--no-pivot: not supported by restore (CRIU sets up the container's root itself)");
        foreach (var lsm in new[] { "lsm-profile", "lsm-mount-context" })
            if (a.Value(lsm) is not null) throw new OciException($"--{lsm}: not supported (oci-run applies no AppArmor or SELinux labels)");
        return runtime.Restore(a.Positional[0], new RestoreOptions
        {
            ConsoleSocket = a.Value("console-socket"),
            ImagePath = a.Value("image-path") ?? Path.Combine(Environment.CurrentDirectory, "checkpoint"),
            WorkPath = a.Value("work-path"),
            TcpEstablished = a.Has("tcp-established"),
            ExternalUnixSockets = a.Has("ext-unix-sk"),
            ShellJob = a.Has("shell-job"),
            FileLocks = a.Has("file-locks"),
            CgroupsMode = ManageCgroupsMode.Parse(a.Value("manage-cgroups-mode")),
            Bundle = a.Value("bundle") ?? "",
            Detach = a.Has("detach"),
            PidFile = a.Value("pid-file"),
            NoSubreaper = a.Has("no-subreaper"),
            EmptyNamespaces = a.Values("empty-ns"),
            AutoDedup = a.Has("auto-dedup"),
            LazyPages = a.Has("lazy-pages"),
        });
    }
}

/// <summary>The values of <c>--manage-cgroups-mode</c> (runc's words) as the library's <see cref="CriuCgroupsMode"/>.</summary>
internal static class ManageCgroupsMode
{
    /// <summary><c>soft</c>, <c>full</c>, <c>strict</c> or <c>ignore</c>, or none for CRIU's default; a one-line
    /// error naming the flag otherwise.</summary>
    public static CriuCgroupsMode Parse(string? value) => value switch
    {
        null or "" => CriuCgroupsMode.Default,
        "soft" => CriuCgroupsMode.Soft,
        "full" => CriuCgroupsMode.Full,
        "strict" => CriuCgroupsMode.Strict,
        "ignore" => CriuCgroupsMode.Ignore,
        _ => throw new OciException($"--manage-cgroups-mode: invalid value \"{value}\": must be soft, full, strict or ignore"),
    };
}
