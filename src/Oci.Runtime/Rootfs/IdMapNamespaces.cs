using Oci.Runtime.Executor;
using Oci.Runtime.Interop;
using Oci.Runtime.Lifecycle;
using Oci.Runtime.Namespaces;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Rootfs;

/// <summary>
/// User namespaces that only carry the id mappings of id-mapped mounts (mount_setattr(2) takes the mapping of a
/// mount from a user namespace). The runtime is multithreaded and cannot unshare one itself: an executor creates
/// it and waits while the runtime writes its maps and opens it, then is killed; the namespace lives on through
/// the descriptor for as long as the mounts need it. One namespace per distinct mapping, closed on dispose.
/// </summary>
internal sealed class IdMapNamespaces : IDisposable
{
    const int O_RDONLY = 0;
    readonly Dictionary<string, int> byMappings = new(StringComparer.Ordinal);

    /// <summary>A descriptor of a user namespace with these mappings (owned by this object).</summary>
    public int For(IReadOnlyList<LinuxIdMapping> uidMappings, IReadOnlyList<LinuxIdMapping> gidMappings, string field)
    {
        string uid = ContainerSetup.MapText(uidMappings), gid = ContainerSetup.MapText(gidMappings);
        string key = uid + "/" + gid;
        if (byMappings.TryGetValue(key, out int fd)) return fd;
        fd = Create(uidMappings, gidMappings, field);
        byMappings[key] = fd;
        return fd;
    }

    /// <summary>A descriptor of the user namespace at <paramref name="path"/> (owned by this object).</summary>
    public int Open(string path, string field)
    {
        string key = "path:" + path;
        if (byMappings.TryGetValue(key, out int fd)) return fd;
        fd = Sys.TryOpen(path, O_RDONLY | Sys.O_CLOEXEC, out int errno);
        if (fd < 0) throw new SyscallException($"{field}: user namespace {path}", errno);
        byMappings[key] = fd;
        return fd;
    }

    static int Create(IReadOnlyList<LinuxIdMapping> uidMappings, IReadOnlyList<LinuxIdMapping> gidMappings, string field)
    {
        var exe = ExecutorProcess.Start(0);
        try
        {
            var b = new PlanBuilder();
            using (b.For(field))
            {
                b.Unshare(NamespaceType.User.CloneFlag, "a user namespace with the mount's id mappings");
                b.Sync(ExecutorSync.UserNamespace);
            }
            if (!exe.Send(b.Take()))
                while (true) exe.Receive();
            exe.Await(ExecutorSync.UserNamespace);
            ContainerSetup.WriteIdMaps(exe.Pid, uidMappings, gidMappings, field);
            return Sys.Open($"/proc/{exe.Pid}/ns/user", O_RDONLY | Sys.O_CLOEXEC);
        }
        finally
        {
            // Its work is done: the namespace outlives it through the descriptor.
            exe.Abort();
            exe.Dispose();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (int fd in byMappings.Values) Sys.Close(fd);
        byMappings.Clear();
    }
}
