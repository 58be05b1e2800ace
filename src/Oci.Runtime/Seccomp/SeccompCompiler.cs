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
    const uint FlagTsync = 1, FlagLog = 2, FlagSpecAllow = 4, FlagNewListener = 8, FlagWaitKillableRecv = 32;
    const int EPERM = 1, ENOSYS = 38, EEXIST = 17;
    const uint RetActionMask = 0xffff0000;
    const uint AuditArchX86_64 = 0xc000003e, ScmpArchX32 = 0x4000003e, X32SyscallBit = 0x40000000;

    /// <summary>Compiles <paramref name="seccomp"/>; errors name the offending field.</summary>
    public static SeccompProgram Compile(LinuxSeccomp seccomp)
    {
        // As runc: with every call sent to the agent, the runtime could not even hand the agent the listener.
        if (seccomp.DefaultAction == "SCMP_ACT_NOTIFY")
            throw new SpecValidationException("linux.seccomp.defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
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
            var architectures = AddArchitectures(context, seccomp.Architectures);
            var warnings = new List<string>();
            var syscalls = seccomp.Syscalls ?? [];
            for (int i = 0; i < syscalls.Count; i++)
                AddRule(context, syscalls[i], defaultAction, $"linux.seccomp.syscalls[{i}]", warnings);
            bool notifies = syscalls.Any(r => r.Action == "SCMP_ACT_NOTIFY");
            if (notifies)
            {
                if (string.IsNullOrEmpty(seccomp.ListenerPath))
                    throw new SpecValidationException("linux.seccomp.listenerPath", "is required when a rule uses SCMP_ACT_NOTIFY");
                flags |= FlagNewListener;
            }
            else if ((flags & FlagWaitKillableRecv) != 0)
                throw new SpecValidationException($"linux.seccomp.flags[{seccomp.Flags!.IndexOf("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")}]",
                    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a rule with SCMP_ACT_NOTIFY (a listener)");
            byte[] filter = Export(context);
            // As runc: a system call newer than the profile (a number above the highest it names, per architecture)
            // gets ENOSYS rather than the default action, so that a program falls back to the older call (clone3 to
            // clone, faccessat2 to faccessat) instead of failing with EPERM. Not when the default lets calls through.
            if (!IsAllowAction(defaultAction))
                filter = [.. EnosysStub(architectures, syscalls), .. filter];
            if (filter.Length / 8 > 4096) throw new OciException($"linux.seccomp: the filter has {filter.Length / 8} instructions; the kernel takes at most 4096");
            CheckExecAllowed(filter, architectures[0]);
            return new SeccompProgram(filter, flags)
            {
                Warnings = warnings,
                ListenerPath = notifies ? seccomp.ListenerPath : null,
                ListenerMetadata = notifies ? seccomp.ListenerMetadata : null,
            };
        }
        finally
        {
            seccomp_release(context);
        }
    }

    /// <summary>runc's "allow" actions: a tracer or the log handles a call it does not know.</summary>
    static bool IsAllowAction(uint action) => (action & RetActionMask) is SCMP_ACT_ALLOW or SCMP_ACT_LOG or SCMP_ACT_TRACE;

    static uint Action(string name, uint? errno, string path) => name switch
    {
        "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => SCMP_ACT_KILL_THREAD,
        "SCMP_ACT_KILL_PROCESS" => SCMP_ACT_KILL_PROCESS,
        "SCMP_ACT_TRAP" => SCMP_ACT_TRAP,
        "SCMP_ACT_ERRNO" => SCMP_ACT_ERRNO | ((errno ?? EPERM) & 0xffff),
        "SCMP_ACT_TRACE" => SCMP_ACT_TRACE | ((errno ?? EPERM) & 0xffff),
        "SCMP_ACT_LOG" => SCMP_ACT_LOG,
        "SCMP_ACT_ALLOW" => SCMP_ACT_ALLOW,
        "SCMP_ACT_NOTIFY" => SCMP_ACT_NOTIFY,
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
                "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" => FlagWaitKillableRecv,
                _ => throw new SpecValidationException($"linux.seccomp.flags[{i}]", $"seccomp flag \"{names[i]}\" is not supported"),
            };
        }
        return flags;
    }

    /// <summary>The architectures of the spec that this host's libseccomp knows (none without libseccomp): what
    /// <c>features</c> lists.</summary>
    internal static IEnumerable<string> SupportedArchitectures()
    {
        try
        {
            return [.. SpecNames.SeccompArchitectures.Where(a => ArchitectureToken(a) != 0).Order(StringComparer.Ordinal)];
        }
        catch (DllNotFoundException)
        {
            return [];
        }
    }

    /// <summary>The version of the libseccomp in use (<c>2.5.4</c>), or null without one: runc's
    /// <c>io.github.seccomp.libseccomp.version</c> in <c>features</c>.</summary>
    internal static unsafe string? LibseccompVersion()
    {
        try
        {
            var version = seccomp_version();
            return version is null ? null : $"{version->Major}.{version->Minor}.{version->Micro}";
        }
        catch (DllNotFoundException)
        {
            return null;
        }
    }

    /// <summary>libseccomp's token of architecture <paramref name="name"/> (<c>SCMP_ARCH_X86</c>), 0 if it does
    /// not know it.</summary>
    internal static uint ArchitectureToken(string name)
    {
        string libseccompName = name.StartsWith("SCMP_ARCH_", StringComparison.Ordinal) ? name[10..].ToLowerInvariant() : name;
        return seccomp_arch_resolve_name(libseccompName);
    }

    /// <summary>Adds the profile's architectures; returns the filter's, native first.</summary>
    static List<uint> AddArchitectures(nint context, IReadOnlyList<string>? architectures)
    {
        var tokens = new List<uint> { seccomp_arch_native() };
        for (int i = 0; i < (architectures?.Count ?? 0); i++)
        {
            string name = architectures![i];
            uint token = ArchitectureToken(name);
            if (token == 0) throw new SpecValidationException($"linux.seccomp.architectures[{i}]", $"unknown architecture \"{name}\" (not supported by this libseccomp)");
            int result = seccomp_arch_add(context, token);
            if (result < 0 && result != -EEXIST) // the native architecture is always there
                throw new SyscallException($"linux.seccomp.architectures[{i}]: adding {name}", -result);
            if (!tokens.Contains(token)) tokens.Add(token);
        }
        return tokens;
    }

    static unsafe void AddRule(nint context, LinuxSyscall rule, uint defaultAction, string path, List<string> warnings)
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
        for (int n = 0; n < rule.Names.Count; n++)
        {
            string name = rule.Names[n];
            // The executor hands the listener over with sendmsg under the filter: notified, it would wait for an
            // agent that has no listener yet.
            if (action == SCMP_ACT_NOTIFY && name == "sendmsg")
                throw new SpecValidationException($"{path}.names[{n}]", "SCMP_ACT_NOTIFY cannot be used for sendmsg (the runtime sends the listener with it)");
            // The native number, or libseccomp's pseudo number (below -10000) for a call the native architecture
            // lacks (socketcall, _llseek on x86-64): libseccomp installs the rule for every architecture of the
            // filter that has the call. -1: no architecture libseccomp knows has it.
            int number = seccomp_syscall_resolve_name(name);
            if (number is -1 or -2)
            {
                // As runc: a name this libseccomp does not know is left out (profiles name calls newer than the
                // library), and said.
                warnings.Add($"{path}.names[{n}]: unknown syscall {name}, not in the filter (libseccomp does not know it)");
                continue;
            }
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

    /// <summary>
    /// BPF run before libseccomp's program: for each architecture of the filter, a system call numbered above the
    /// highest one the profile names for it returns ENOSYS; everything else falls through to the filter. On x86-64
    /// the x32 calls (bit 30 of the number) are compared with x32's highest, or left to the filter when the
    /// profile does not list x32.
    /// </summary>
    internal static byte[] EnosysStub(IReadOnlyList<uint> architectures, IReadOnlyList<LinuxSyscall> syscalls)
    {
        const uint ErrnoEnosys = SCMP_ACT_ERRNO | ENOSYS;
        long Highest(uint arch)
        {
            long highest = -1;
            foreach (var rule in syscalls)
                foreach (var name in rule.Names)
                {
                    // x32's numbers carry bit 30 and are positive; a negative one is a pseudo number (absent).
                    int number = seccomp_syscall_resolve_name_arch(arch, name);
                    if (number >= 0)
                        highest = Math.Max(highest, number);
                }
            return highest;
        }

        var sections = new List<byte[]>();
        bool x32 = architectures.Contains(ScmpArchX32);
        foreach (uint arch in architectures)
        {
            if (arch == ScmpArchX32) continue; // with x86-64's section, which shares its AUDIT_ARCH
            long highest = Highest(arch);
            if (highest < 0) continue;
            var section = new List<byte[]>();
            if (arch == AuditArchX86_64)
            {
                long highestX32 = x32 ? Highest(ScmpArchX32) : -1;
                // ld nr; jset X32 → x32 part; jgt highest → ENOSYS; ja filter; x32 part; ENOSYS
                section.Add(BpfProgram.Instruction(BpfProgram.LdAbsW, 0, 0, 0));
                if (highestX32 >= 0)
                {
                    section.Add(BpfProgram.Instruction(BpfProgram.Jset, 2, 0, X32SyscallBit));
                    section.Add(BpfProgram.Instruction(BpfProgram.Jgt, 3, 0, (uint)highest));
                    section.Add(BpfProgram.Instruction(BpfProgram.Ja, 0, 0, 0)); // patched: to the filter
                    section.Add(BpfProgram.Instruction(BpfProgram.Jgt, 1, 0, (uint)highestX32));
                    section.Add(BpfProgram.Instruction(BpfProgram.Ja, 0, 0, 0)); // patched
                }
                else
                {
                    section.Add(BpfProgram.Instruction(BpfProgram.Jset, 2, 0, X32SyscallBit));
                    section.Add(BpfProgram.Instruction(BpfProgram.Jgt, 2, 0, (uint)highest));
                    section.Add(BpfProgram.Instruction(BpfProgram.Ja, 0, 0, 0)); // patched
                    section.Add(BpfProgram.Instruction(BpfProgram.Ja, 0, 0, 0)); // patched: x32, to the filter
                }
            }
            else
            {
                section.Add(BpfProgram.Instruction(BpfProgram.LdAbsW, 0, 0, 0));
                section.Add(BpfProgram.Instruction(BpfProgram.Jgt, 1, 0, (uint)highest));
                section.Add(BpfProgram.Instruction(BpfProgram.Ja, 0, 0, 0)); // patched
            }
            section.Add(BpfProgram.Instruction(BpfProgram.RetK, 0, 0, ErrnoEnosys));
            // jeq arch, else skip the section (the accumulator still holds the architecture there).
            section.Insert(0, BpfProgram.Instruction(BpfProgram.Jeq, 0, checked((byte)section.Count), arch));
            sections.Add([.. section.SelectMany(i => i)]);
        }
        if (sections.Count == 0) return [];
        var stub = new List<byte[]> { BpfProgram.Instruction(BpfProgram.LdAbsW, 0, 0, 4) };
        foreach (var section in sections)
            for (int i = 0; i < section.Length; i += 8) stub.Add(section[i..(i + 8)]);
        // Every "ja 0" of a section goes to the first instruction after the stub.
        for (int i = 0; i < stub.Count; i++)
        {
            if (BitConverter.ToUInt16(stub[i]) == BpfProgram.Ja)
                stub[i] = BpfProgram.Instruction(BpfProgram.Ja, 0, 0, (uint)(stub.Count - i - 1));
        }
        return [.. stub.SelectMany(i => i)];
    }

    /// <summary>After the filter is loaded the executor makes one call, execve: a filter that refuses it would leave
    /// a container whose process never runs, so the runtime refuses the filter instead.</summary>
    static void CheckExecAllowed(byte[] filter, uint nativeArch)
    {
        int execve = seccomp_syscall_resolve_name("execve");
        uint result = BpfProgram.Evaluate(filter, nativeArch, execve) & RetActionMask;
        if (result is SCMP_ACT_ALLOW or SCMP_ACT_LOG or SCMP_ACT_TRACE or SCMP_ACT_NOTIFY) return;
        throw new OciException("linux.seccomp: the profile does not allow execve, so the container's process could not be executed");
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
