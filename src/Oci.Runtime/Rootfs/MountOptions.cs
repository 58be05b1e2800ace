using static Oci.Runtime.Rootfs.MountFlags;

namespace Oci.Runtime.Rootfs;

/// <summary>
/// A mount's <c>options</c> sorted the way runc sorts them: mount(2) flags to set and clear, a propagation change,
/// recursive attributes applied with mount_setattr(2), runc's extensions, and the rest passed to the filesystem as
/// data.
/// </summary>
internal sealed class MountOptions
{
    public ulong Flags { get; private set; }
    public ulong ClearedFlags { get; private set; }
    public List<ulong> Propagation { get; } = [];
    public ulong RecursiveSet { get; private set; }
    public ulong RecursiveClear { get; private set; }
    public bool TmpCopyUp { get; private set; }
    public bool IdMap { get; private set; }
    public bool RecursiveIdMap { get; private set; }
    public string Data { get; private set; } = "";

    public bool IsBind => (Flags & MS_BIND) != 0;

    static readonly Dictionary<string, (bool Clear, ulong Flag)> FlagOptions = new()
    {
        ["acl"] = (false, MS_POSIXACL), ["noacl"] = (true, MS_POSIXACL),
        ["async"] = (true, MS_SYNCHRONOUS), ["sync"] = (false, MS_SYNCHRONOUS),
        ["atime"] = (true, MS_NOATIME), ["noatime"] = (false, MS_NOATIME),
        ["bind"] = (false, MS_BIND), ["rbind"] = (false, MS_BIND | MS_REC),
        ["defaults"] = (false, 0),
        // Options mount(8) knows and keeps to itself (they steer `mount -a`, boot ordering and error reporting, and
        // never reach the kernel): config.md asks a runtime to follow mount(8) for them, so they are no flag and no
        // filesystem data either.
        ["auto"] = (false, 0), ["noauto"] = (false, 0), ["nofail"] = (false, 0), ["_netdev"] = (false, 0),
        ["dev"] = (true, MS_NODEV), ["nodev"] = (false, MS_NODEV),
        ["diratime"] = (true, MS_NODIRATIME), ["nodiratime"] = (false, MS_NODIRATIME),
        ["dirsync"] = (false, MS_DIRSYNC),
        ["exec"] = (true, MS_NOEXEC), ["noexec"] = (false, MS_NOEXEC),
        ["iversion"] = (false, MS_I_VERSION), ["noiversion"] = (true, MS_I_VERSION),
        ["lazytime"] = (false, MS_LAZYTIME), ["nolazytime"] = (true, MS_LAZYTIME),
        ["loud"] = (true, MS_SILENT), ["silent"] = (false, MS_SILENT),
        ["mand"] = (false, MS_MANDLOCK), ["nomand"] = (true, MS_MANDLOCK),
        ["relatime"] = (false, MS_RELATIME), ["norelatime"] = (true, MS_RELATIME),
        ["strictatime"] = (false, MS_STRICTATIME), ["nostrictatime"] = (true, MS_STRICTATIME),
        ["nosuid"] = (false, MS_NOSUID), ["suid"] = (true, MS_NOSUID),
        ["nosymfollow"] = (false, MS_NOSYMFOLLOW), ["symfollow"] = (true, MS_NOSYMFOLLOW),
        ["remount"] = (false, MS_REMOUNT),
        ["ro"] = (false, MS_RDONLY), ["rw"] = (true, MS_RDONLY),
    };

    static readonly Dictionary<string, ulong> PropagationOptions = new()
    {
        ["private"] = MS_PRIVATE, ["rprivate"] = MS_PRIVATE | MS_REC,
        ["shared"] = MS_SHARED, ["rshared"] = MS_SHARED | MS_REC,
        ["slave"] = MS_SLAVE, ["rslave"] = MS_SLAVE | MS_REC,
        ["unbindable"] = MS_UNBINDABLE, ["runbindable"] = MS_UNBINDABLE | MS_REC,
    };

    /// <summary>Recursive attributes: (clear, set). The atime family clears the whole atime field first.</summary>
    static readonly Dictionary<string, (ulong Clear, ulong Set)> RecursiveOptions = new()
    {
        ["rro"] = (0, MOUNT_ATTR_RDONLY), ["rrw"] = (MOUNT_ATTR_RDONLY, 0),
        ["rnosuid"] = (0, MOUNT_ATTR_NOSUID), ["rsuid"] = (MOUNT_ATTR_NOSUID, 0),
        ["rnodev"] = (0, MOUNT_ATTR_NODEV), ["rdev"] = (MOUNT_ATTR_NODEV, 0),
        ["rnoexec"] = (0, MOUNT_ATTR_NOEXEC), ["rexec"] = (MOUNT_ATTR_NOEXEC, 0),
        ["rnodiratime"] = (0, MOUNT_ATTR_NODIRATIME), ["rdiratime"] = (MOUNT_ATTR_NODIRATIME, 0),
        ["rrelatime"] = (MOUNT_ATTR__ATIME, MOUNT_ATTR_RELATIME), ["rnorelatime"] = (MOUNT_ATTR__ATIME, 0),
        ["rnoatime"] = (MOUNT_ATTR__ATIME, MOUNT_ATTR_NOATIME), ["ratime"] = (MOUNT_ATTR__ATIME, 0),
        ["rstrictatime"] = (MOUNT_ATTR__ATIME, MOUNT_ATTR_STRICTATIME), ["rnostrictatime"] = (MOUNT_ATTR__ATIME, 0),
        ["rnosymfollow"] = (0, MOUNT_ATTR_NOSYMFOLLOW), ["rsymfollow"] = (MOUNT_ATTR_NOSYMFOLLOW, 0),
    };

    /// <summary>Every option runc recognises (the rest are filesystem data).</summary>
    public static IEnumerable<string> Known =>
        FlagOptions.Keys.Concat(PropagationOptions.Keys).Concat(RecursiveOptions.Keys)
            .Concat(["tmpcopyup", "idmap", "ridmap"]).Order(StringComparer.Ordinal);

    public static MountOptions Parse(IEnumerable<string>? options)
    {
        var result = new MountOptions();
        var data = new List<string>();
        foreach (var option in options ?? [])
        {
            if (FlagOptions.TryGetValue(option, out var flag))
            {
                if (flag.Clear)
                {
                    result.Flags &= ~flag.Flag;
                    result.ClearedFlags |= flag.Flag;
                }
                else
                {
                    result.Flags |= flag.Flag;
                    result.ClearedFlags &= ~flag.Flag;
                }
            }
            else if (PropagationOptions.TryGetValue(option, out var propagation))
                result.Propagation.Add(propagation);
            else if (RecursiveOptions.TryGetValue(option, out var attribute))
            {
                result.RecursiveClear |= attribute.Clear;
                result.RecursiveSet = (result.RecursiveSet & ~attribute.Clear) | attribute.Set;
            }
            else if (option == "tmpcopyup") result.TmpCopyUp = true;
            else if (option == "idmap") result.IdMap = true;
            else if (option == "ridmap") result.RecursiveIdMap = true;
            else data.Add(option);
        }
        result.Data = string.Join(',', data);
        return result;
    }
}
