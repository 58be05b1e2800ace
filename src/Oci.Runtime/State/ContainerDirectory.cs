using Oci.Runtime.Interop;

namespace Oci.Runtime.State;

/// <summary>A container's directory in the root, held under an exclusive lock until disposed.</summary>
internal sealed class ContainerDirectory : IDisposable
{
    int lockFd;

    ContainerDirectory(string path, string id, int lockFd)
    {
        Path = path;
        Id = id;
        this.lockFd = lockFd;
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>The container's id.</summary>
    public string Id { get; }

    /// <summary>The exec fifo's path.</summary>
    public string ExecFifoPath => System.IO.Path.Combine(Path, StateStore.ExecFifoName);

    internal static ContainerDirectory Lock(string path, string id)
    {
        int fd = Sys.TryOpen(path, Sys.O_RDONLY | Sys.O_DIRECTORY, out int errno);
        if (fd < 0)
        {
            if (errno == 2) throw new ContainerNotFoundException(id);
            throw new SyscallException($"opening {path}", errno);
        }
        var directory = new ContainerDirectory(path, id, fd);
        try
        {
            Sys.Flock(fd, 2 /* LOCK_EX */);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
        // While this waited for the lock, the holder may have removed the directory (a delete, a failed create),
        // and a new create of the same id may have made another: what is done by path from here on must reach the
        // directory that is locked.
        if (!directory.IsStillInPlace())
        {
            directory.Dispose();
            throw new ContainerNotFoundException(id);
        }
        return directory;
    }

    /// <summary>Whether the locked directory is still the one at <see cref="Path"/>.</summary>
    bool IsStillInPlace()
    {
        try
        {
            return Sys.FileIdentity(Path) == Sys.FileIdentity(lockFd);
        }
        catch (SyscallException)
        {
            return false;
        }
    }

    /// <summary>Reads the container's record.</summary>
    public ContainerRecord Load() => TryLoad() ?? throw new ContainerNotFoundException(Id);

    /// <summary>Reads the container's record, or null when it has none (a create that has not finished).</summary>
    public ContainerRecord? TryLoad() => Read(StateStore.StateFileName);

    /// <summary>Writes the record atomically: a temporary file renamed over state.json.</summary>
    public void Save(ContainerRecord record) => Write(StateStore.StateFileName, record);

    /// <summary>Records, while <c>create</c> works, what it has made so far (before anything is made: the cgroups
    /// it will create; then init's pid), so that <c>delete</c> finds and removes all of it even when the create
    /// dies before it writes state.json. Written atomically, as state.json is.</summary>
    /// <remarks>The second save (init's pid) exchanges the new record with the old one and unlinks the old, rather
    /// than renaming over it: ext4 writes a file renamed over another back to disk at once (auto_da_alloc), and this
    /// record is unlinked moments later, so every create paid a writeback and a block truncation for it (about 1.5%
    /// of a <c>run</c>'s CPU in the profile, where /run is ext4). A reader still always finds one whole record.</remarks>
    public void SaveCreating(ContainerRecord partial)
    {
        string target = System.IO.Path.Combine(Path, StateStore.CreatingFileName);
        string temporary = target + ".tmp";
        Sys.WriteFile(temporary, ContainerRecordJson.Serialize(partial));
        if (Sys.TryRenameExchange(temporary, target) == 0) Sys.TryUnlink(temporary);
        else Sys.Rename(temporary, target); // the first save, or a filesystem that cannot exchange
    }

    /// <summary>The record of a create that did not finish, or null.</summary>
    public ContainerRecord? TryLoadCreating() => Read(StateStore.CreatingFileName);

    /// <summary>Ends the create's record once state.json holds everything.</summary>
    public void FinishCreating() => Sys.TryUnlink(System.IO.Path.Combine(Path, StateStore.CreatingFileName));

    ContainerRecord? Read(string name) =>
        Sys.TryReadFile(System.IO.Path.Combine(Path, name)) is { } bytes ? ContainerRecordJson.Parse(bytes) : null;

    void Write(string name, ContainerRecord record)
    {
        string target = System.IO.Path.Combine(Path, name);
        string temporary = target + ".tmp";
        Sys.WriteFile(temporary, ContainerRecordJson.Serialize(record));
        Sys.Rename(temporary, target);
    }

    /// <summary>Removes the directory and everything in it; the lock goes with it.</summary>
    public void Remove()
    {
        // The files the runtime makes there, then the directory; anything else (left by a crash of another
        // version, say) falls to the recursive delete. The create's record goes before state.json: a delete killed
        // in between leaves state.json (deleted again in full) or neither (an empty leftover), never a create's
        // record of a container that was complete.
        foreach (var name in (ReadOnlySpan<string>)[StateStore.CreatingFileName, StateStore.CreatingFileName + ".tmp",
                     StateStore.StateFileName, StateStore.StateFileName + ".tmp", StateStore.ExecFifoName])
            Sys.TryUnlink(System.IO.Path.Combine(Path, name));
        int errno = Sys.TryRmdir(Path);
        if (errno is 0 or 2 /* ENOENT */) return;
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException) { }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        Sys.Close(lockFd);
        lockFd = -1;
    }
}
