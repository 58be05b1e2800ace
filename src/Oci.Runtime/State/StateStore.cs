using System.Text.Json;
using Oci.Runtime.Interop;

namespace Oci.Runtime.State;

/// <summary>
/// The runtime's root directory (<c>--root</c>): one directory per container holding state.json and, while the
/// container is created but not started, the exec fifo. Commands on one container are serialised by an exclusive
/// flock on its directory; commands on different containers never wait for each other.
/// </summary>
internal sealed class StateStore
{
    /// <summary>The state file's name inside a container's directory.</summary>
    public const string StateFileName = "state.json";
    /// <summary>The record of a <c>create</c> that has not finished (<see cref="ContainerDirectory.SaveCreating"/>).</summary>
    public const string CreatingFileName = "creating.json";
    /// <summary>The fifo that init blocks on until <c>start</c>.</summary>
    public const string ExecFifoName = "exec.fifo";

    /// <summary>The root directory.</summary>
    public string Root { get; }

    /// <summary>Uses <paramref name="root"/> as the root directory; it is made on first use.</summary>
    /// <exception cref="OciException"><paramref name="root"/> is empty.</exception>
    public StateStore(string root) =>
        Root = string.IsNullOrEmpty(root) ? throw new OciException("--root: must not be empty") : Path.GetFullPath(root);

    /// <summary>Checks a container id as runc does: ASCII letters, digits and <c>_ + - .</c> (Go's <c>\w</c> is
    /// ASCII-only), and neither <c>.</c> nor <c>..</c>.</summary>
    public static void ValidateId(string id)
    {
        if (id.Length == 0) throw new OciException("container id cannot be empty");
        foreach (char c in id)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '-' or '.'))
                throw new OciException($"invalid container id format: {id}");
        if (id is "." or "..") throw new OciException($"invalid container id format: {id}");
    }

    /// <summary>Makes the directory of a new container and locks it.</summary>
    public ContainerDirectory CreateNew(string id)
    {
        ValidateId(id);
        CheckRoot();
        Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string dir = Path.Combine(Root, id);
        // mkdir is the atomic test-and-set: of two concurrent creates of one id, exactly one succeeds.
        try
        {
            Sys.MkdirAt(Sys.AT_FDCWD, dir, 0x1C9); // 0711
        }
        catch (SyscallException e) when (e.Errno == 17) // EEXIST
        {
            throw new ContainerAlreadyExistsException(id);
        }
        try
        {
            return ContainerDirectory.Lock(dir, id);
        }
        catch (ContainerNotFoundException)
        {
            // A delete of this id took the lock between the mkdir and ours, and removed the directory.
            throw new OciException($"container {id} was deleted while it was being created");
        }
    }

    /// <summary>Opens and locks a container's directory whether or not its create finished (for <c>delete</c>):
    /// waits for a create in progress, and then finds state.json, the record of a create that died
    /// (<see cref="ContainerDirectory.TryLoadCreating"/>), or neither.</summary>
    public ContainerDirectory OpenAny(string id)
    {
        ValidateId(id);
        CheckRoot();
        return ContainerDirectory.Lock(Path.Combine(Root, id), id);
    }

    /// <summary>Opens and locks an existing container's directory.</summary>
    public ContainerDirectory Open(string id)
    {
        ValidateId(id);
        string dir = Path.Combine(Root, id);
        if (!File.Exists(Path.Combine(dir, StateFileName)))
        {
            CheckRoot();
            throw new ContainerNotFoundException(id);
        }
        var handle = ContainerDirectory.Lock(dir, id);
        if (!File.Exists(Path.Combine(dir, StateFileName)))
        {
            handle.Dispose();
            throw new ContainerNotFoundException(id);
        }
        return handle;
    }

    /// <summary>Reads a container's record without locking (state.json is replaced atomically).</summary>
    public ContainerRecord? TryLoad(string id)
    {
        try
        {
            var bytes = Sys.TryReadFile(Path.Combine(Root, id, StateFileName));
            if (bytes is not null) return ContainerRecordJson.Parse(bytes);
        }
        catch (Exception e) when (e is SyscallException or IOException or UnauthorizedAccessException or JsonException)
        {
        }
        CheckRoot();
        return null;
    }

    /// <summary>Refuses a root that exists but is not a directory, or lies under something that is not one: every
    /// command would otherwise fail in its own way ("does not exist", an empty list, a .NET resource key). A root
    /// that does not exist yet is fine: create makes it.</summary>
    void CheckRoot()
    {
        const int ENOTDIR = 20, S_IFDIR = 0x4000;
        int fd = Sys.TryOpen(Root, Sys.O_PATH, out int errno);
        if (fd < 0)
        {
            if (errno == ENOTDIR) throw new OciException($"--root {Root}: not a directory");
            return;
        }
        try
        {
            if (Sys.FileTypeAndDevice(fd).Type != S_IFDIR) throw new OciException($"--root {Root}: not a directory");
        }
        finally
        {
            Sys.Close(fd);
        }
    }

    /// <summary>The ids of every container directory in the root, in name order (a create at work has one before
    /// it has a state file).</summary>
    public IReadOnlyList<string> ListIds()
    {
        if (!Directory.Exists(Root))
        {
            CheckRoot();
            return [];
        }
        // Every valid id, those that start with "." included (runc lists them); nothing else is kept in the root.
        // A directory without state.json yet (a create at work) is listed too: its reader finds no record. A loop,
        // not chained LINQ (see Lifecycle/RuntimeLog.cs), and no stat of each state.json that is read anyway.
        var ids = new List<string>();
        foreach (var path in Directory.EnumerateDirectories(Root)) ids.Add(Path.GetFileName(path));
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }
}

