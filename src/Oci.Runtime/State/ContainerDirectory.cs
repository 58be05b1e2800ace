using Oci.Runtime.Interop;

namespace Oci.Runtime.State;

/// <summary>A container's directory in the root, held under an exclusive lock until disposed.</summary>
public sealed class ContainerDirectory : IDisposable
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
        Sys.Flock(fd, 2 /* LOCK_EX */);
        return new ContainerDirectory(path, id, fd);
    }

    /// <summary>Reads the container's record.</summary>
    public ContainerRecord Load() =>
        ContainerRecordJson.Parse(Sys.TryReadFile(System.IO.Path.Combine(Path, StateStore.StateFileName))
                                  ?? throw new ContainerNotFoundException(Id));

    /// <summary>Writes the record atomically: a temporary file renamed over state.json.</summary>
    public void Save(ContainerRecord record)
    {
        string target = System.IO.Path.Combine(Path, StateStore.StateFileName);
        string temporary = target + ".tmp";
        Sys.WriteFile(temporary, ContainerRecordJson.Serialize(record));
        Sys.Rename(temporary, target);
    }

    /// <summary>Removes the directory and everything in it; the lock goes with it.</summary>
    public void Remove()
    {
        // The files the runtime makes there, then the directory; anything else (left by a crash of another
        // version, say) falls to the recursive delete.
        foreach (var name in (ReadOnlySpan<string>)[StateStore.StateFileName, StateStore.StateFileName + ".tmp", StateStore.ExecFifoName])
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
