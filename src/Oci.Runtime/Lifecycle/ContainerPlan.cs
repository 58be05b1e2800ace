using System.Text;
using Oci.Runtime.Namespaces;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Lifecycle;

/// <summary>What a validated config asks of the runtime before anything is made: which namespaces to create and
/// join, where the rootfs is, and the checks that need the host.</summary>
internal sealed class ContainerPlan
{
    public uint CloneFlags { get; private init; }
    public IReadOnlyList<(NamespaceType Type, string Path)> Joins { get; private init; } = [];
    public string Rootfs { get; private init; } = "";
    public string? TimeOffsets { get; private init; }
    public Seccomp.SeccompProgram? Seccomp { get; private init; }

    public bool Creates(string type) => NamespaceType.Find(type) is { } t && (CloneFlags & t.CloneFlag) != 0;

    public static ContainerPlan For(RuntimeSpec spec, string bundle, bool hasConsoleSocket)
    {
        if (spec.Process is null)
            throw new SpecValidationException("process", "is required to create a container");
        if (spec.Process.Terminal == true && !hasConsoleSocket)
            throw new OciException("cannot allocate tty if runc will detach without setting console socket");
        string rootPath = spec.Root?.Path ?? throw new SpecValidationException("root", "is required");
        string rootfs = Path.GetFullPath(rootPath, bundle);
        if (!Directory.Exists(rootfs)) throw new SpecValidationException("root.path", $"{rootfs} is not a directory");

        uint flags = 0;
        var joins = new List<(NamespaceType, string)>();
        var namespaces = spec.Linux?.Namespaces ?? [];
        for (int i = 0; i < namespaces.Count; i++)
        {
            var type = NamespaceType.Find(namespaces[i].Type)
                       ?? throw new SpecValidationException($"linux.namespaces[{i}].type", $"unknown namespace type \"{namespaces[i].Type}\"");
            if (string.IsNullOrEmpty(namespaces[i].Path))
                flags |= type.CloneFlag;
            else if (!File.Exists(namespaces[i].Path))
                throw new SpecValidationException($"linux.namespaces[{i}].path", $"{namespaces[i].Path} does not exist");
            else
                joins.Add((type, namespaces[i].Path!));
        }
        joins.Sort((a, b) => IndexOf(a.Item1).CompareTo(IndexOf(b.Item1)));

        string? timeOffsets = null;
        if (spec.Linux?.TimeOffsets is { Count: > 0 } offsets)
        {
            var text = new StringBuilder();
            foreach (var (clock, offset) in offsets)
                text.Append(clock).Append(' ').Append(offset.Secs).Append(' ').Append(offset.Nanosecs).Append('\n');
            timeOffsets = text.ToString();
        }
        var seccomp = spec.Linux?.Seccomp is { } filter ? Oci.Runtime.Seccomp.SeccompCompiler.Compile(filter) : null;
        var plan = new ContainerPlan { CloneFlags = flags, Joins = joins, Rootfs = rootfs, TimeOffsets = timeOffsets, Seccomp = seccomp };
        Preflight.Check(spec, plan);
        return plan;
    }

    static int IndexOf(NamespaceType type)
    {
        for (int i = 0; i < NamespaceType.All.Count; i++)
            if (NamespaceType.All[i] == type) return i;
        return int.MaxValue;
    }
}
