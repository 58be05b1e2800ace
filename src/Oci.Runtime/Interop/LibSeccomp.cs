using System.Runtime.InteropServices;

namespace Oci.Runtime.Interop;

/// <summary>libseccomp (libseccomp.so.2, present wherever runc or crun is installed), used only to compile a filter
/// into BPF. A program that uses the library loads it on first use, so a container without seccomp never maps it;
/// oci-run, a static executable, has it linked in (see its project file).</summary>
internal static unsafe partial class LibSeccomp
{
    const string Library = "libseccomp.so.2";

    public const uint SCMP_ACT_KILL_PROCESS = 0x80000000, SCMP_ACT_KILL_THREAD = 0, SCMP_ACT_TRAP = 0x00030000,
        SCMP_ACT_ERRNO = 0x00050000, SCMP_ACT_TRACE = 0x7ff00000, SCMP_ACT_LOG = 0x7ffc0000, SCMP_ACT_ALLOW = 0x7fff0000,
        SCMP_ACT_NOTIFY = 0x7fc00000;

    public const int SCMP_FLTATR_CTL_NNP = 3;

    [StructLayout(LayoutKind.Sequential)]
    public struct ArgCompare { public uint Arg; public int Op; public ulong DatumA; public ulong DatumB; }

    /// <summary>libseccomp's <c>struct scmp_version</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Version { public uint Major; public uint Minor; public uint Micro; }

    [LibraryImport(Library)]
    public static partial Version* seccomp_version();

    [LibraryImport(Library)]
    public static partial nint seccomp_init(uint defaultAction);

    [LibraryImport(Library)]
    public static partial void seccomp_release(nint context);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint seccomp_arch_resolve_name(string name);

    [LibraryImport(Library)]
    public static partial int seccomp_arch_add(nint context, uint architecture);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int seccomp_syscall_resolve_name(string name);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int seccomp_syscall_resolve_name_arch(uint architecture, string name);

    [LibraryImport(Library)]
    public static partial uint seccomp_arch_native();

    [LibraryImport(Library)]
    public static partial int seccomp_rule_add_array(nint context, uint action, int syscall, uint count, ArgCompare* comparisons);

    [LibraryImport(Library)]
    public static partial int seccomp_attr_set(nint context, int attribute, uint value);

    [LibraryImport(Library)]
    public static partial int seccomp_export_bpf(nint context, int fd);
}
