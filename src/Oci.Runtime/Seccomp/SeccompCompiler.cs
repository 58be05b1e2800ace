using Oci.Runtime.Interop;
using Oci.Runtime.Spec;
using static Oci.Runtime.Interop.LibSeccomp;

namespace Oci.Runtime.Seccomp;

/// <summary>
/// Compiles <c>linux.seccomp</c> (config-linux.md "Seccomp") into BPF with libseccomp, in the runtime, before the
/// container exists. The container's init then loads the finished program with one seccomp(2) call: it needs no
/// libseccomp inside the container's root, and loads nothing it does not use.
/// </summary>
internal static class SeccompCompiler
{
    const uint FlagTsync = 1, FlagLog = 2, FlagSpecAllow = 4;
    const int EPERM = 1;

    /// <summary>Compiles <paramref name="seccomp"/>; errors name the offending field.</summary>
    public static SeccompProgram Compile(LinuxSeccomp seccomp)
    {
        uint defaultAction = Action(seccomp.DefaultAction, seccomp.DefaultErrnoRet, "linux.seccomp.defaultAction");
        uint flags = Flags(seccomp.Flags);
        nint context;
        try
        {
            context = seccomp_init(defaultAction);
        }
        catch (DllNotFoundException)
        {
            throw new OciException("linux.seccomp: libseccomp.so.2 is not installed (apt-get install libseccomp2)");
        }
        if (context == 0) throw new OciException("linux.seccomp: seccomp_init failed");
        try
        {
            // The runtime sets no_new_privs itself when the config asks for it; the filter must not imply it.
            seccomp_attr_set(context, SCMP_FLTATR_CTL_NNP, 0);
            AddArchitectures(context, seccomp.Architectures);
            var syscalls = seccomp.Syscalls ?? [];
            for (int i = 0; i < syscalls.Count; i++)
                AddRule(context, syscalls[i], defaultAction, $"linux.seccomp.syscalls[{i}]");
            return new SeccompProgram(Export(context), flags);
        }
        finally
        {
            seccomp_release(context);
        }
    }

    static uint Action(string name, uint? errno, string path) => name switch
    {
        "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => SCMP_ACT_KILL_THREAD,
        "SCMP_ACT_KILL_PROCESS" => SCMP_ACT_KILL_PROCESS,
        "SCMP_ACT_TRAP" => SCMP_ACT_TRAP,
        "SCMP_ACT_ERRNO" => SCMP_ACT_ERRNO | ((errno ?? EPERM) & 0xffff),
        "SCMP_ACT_TRACE" => SCMP_ACT_TRACE | ((errno ?? EPERM) & 0xffff),
        "SCMP_ACT_LOG" => SCMP_ACT_LOG,
        "SCMP_ACT_ALLOW" => SCMP_ACT_ALLOW,
        "SCMP_ACT_NOTIFY" => throw new SpecValidationException(path, "SCMP_ACT_NOTIFY (a seccomp agent on listenerPath) is not supported yet"),
        _ => throw new SpecValidationException(path, $"unknown seccomp action \"{name}\""),
    };

    static uint Flags(IReadOnlyList<string>? names)
    {
        uint flags = 0;
        for (int i = 0; i < (names?.Count ?? 0); i++)
        {
            flags |= names![i] switch
            {
                "SECCOMP_FILTER_FLAG_TSYNC" => FlagTsync,
                "SECCOMP_FILTER_FLAG_LOG" => FlagLog,
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => FlagSpecAllow,
                _ => throw new SpecValidationException($"linux.seccomp.flags[{i}]", $"seccomp flag \"{names[i]}\" is not supported"),
            };
        }
        return flags;
    }

    static void AddArchitectures(nint context, IReadOnlyList<string>? architectures)
    {
        for (int i = 0; i < (architectures?.Count ?? 0); i++)
        {
            string name = architectures![i];
            string libseccompName = name.StartsWith("SCMP_ARCH_", StringComparison.Ordinal) ? name[10..].ToLowerInvariant() : name;
            uint token = seccomp_arch_resolve_name(libseccompName);
            if (token == 0) throw new SpecValidationException($"linux.seccomp.architectures[{i}]", $"unknown architecture \"{name}\"");
            int result = seccomp_arch_add(context, token);
            if (result < 0 && result != -17) // EEXIST: the native architecture is always there
                throw new SyscallException($"linux.seccomp.architectures[{i}]: adding {name}", -result);
        }
    }

    static unsafe void AddRule(nint context, LinuxSyscall rule, uint defaultAction, string path)
    {
        uint action = Action(rule.Action, rule.ErrnoRet, $"{path}.action");
        // A rule that does what the default does changes nothing, and libseccomp refuses it.
        if (action == defaultAction) return;
        var comparisons = new List<ArgCompare>();
        var args = rule.Args ?? [];
        for (int j = 0; j < args.Count; j++)
            comparisons.Add(new ArgCompare { Arg = args[j].Index, Op = Operator(args[j].Op, $"{path}.args[{j}].op"), DatumA = args[j].Value, DatumB = args[j].ValueTwo ?? 0 });
        // libseccomp ANDs the comparisons of one rule but accepts one per argument: when an argument is compared
        // more than once, each comparison becomes a rule of its own (ORed), as runc does.
        bool repeated = comparisons.Select(c => c.Arg).Distinct().Count() != comparisons.Count;
        var groups = repeated ? comparisons.Select(c => new[] { c }).ToList() : [comparisons.ToArray()];
        foreach (var name in rule.Names)
        {
            int number = seccomp_syscall_resolve_name(name);
            // A syscall this architecture does not have is skipped, as runc does: profiles list every arch's.
            if (number < 0) continue;
            foreach (var group in groups)
            {
                fixed (ArgCompare* p = group)
                {
                    int result = seccomp_rule_add_array(context, action, number, (uint)group.Length, p);
                    if (result < 0) throw new SyscallException($"{path}: adding a rule for {name}", -result);
                }
            }
        }
    }

    static int Operator(string name, string path) => name switch
    {
        "SCMP_CMP_NE" => 1,
        "SCMP_CMP_LT" => 2,
        "SCMP_CMP_LE" => 3,
        "SCMP_CMP_EQ" => 4,
        "SCMP_CMP_GE" => 5,
        "SCMP_CMP_GT" => 6,
        "SCMP_CMP_MASKED_EQ" => 7,
        _ => throw new SpecValidationException(path, $"unknown seccomp operator \"{name}\""),
    };

    static byte[] Export(nint context)
    {
        int fd = Sys.MemfdSealable("seccomp-bpf");
        try
        {
            int result = seccomp_export_bpf(context, fd);
            if (result < 0) throw new SyscallException("linux.seccomp: exporting the filter", -result);
            return Sys.ReadBytesFrom(fd, 1 << 20);
        }
        finally
        {
            Sys.Close(fd);
        }
    }
}
