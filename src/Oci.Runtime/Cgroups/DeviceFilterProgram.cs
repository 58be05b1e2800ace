namespace Oci.Runtime.Cgroups;

/// <summary>
/// The cgroup v2 device controller: a BPF_PROG_TYPE_CGROUP_DEVICE program made from a <see cref="DeviceRuleSet"/>,
/// which the kernel runs for every device access with a <c>struct bpf_cgroup_dev_ctx { u32 access_type; u32 major;
/// u32 minor; }</c> (access_type = access &lt;&lt; 16 | type) and whose return value (1 or 0) allows or refuses the access.
/// It is runc's devicefilter: one block per exception, checked in order, then the default.
/// </summary>
internal static class DeviceFilterProgram
{
    /// <summary>BPF_DEVCG_DEV_BLOCK and BPF_DEVCG_DEV_CHAR.</summary>
    public const int DevBlock = 1, DevChar = 2;

    // Instruction classes and codes (linux/bpf_common.h, linux/bpf.h).
    internal const byte LdxMemW = 0x61, Alu32AndK = 0x54, Alu32RshK = 0x74, Alu32MovK = 0xb4, Alu32MovX = 0xbc,
        JneK = 0x55, JneX = 0x5d, JeqK = 0x15, JsetK = 0x45, Exit = 0x95;
    const byte R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

    /// <summary>One 8-byte instruction (<c>struct bpf_insn</c>).</summary>
    public readonly record struct Instruction(byte Code, byte Dst, byte Src, short Offset, int Immediate)
    {
        /// <summary>The instruction as the kernel reads it (little endian).</summary>
        public ulong Encode() =>
            Code | ((ulong)(byte)((Src << 4) | (Dst & 0xf)) << 8) | ((ulong)(ushort)Offset << 16) | ((ulong)(uint)Immediate << 32);
    }

    /// <summary>The program enforcing <paramref name="rules"/>.</summary>
    public static IReadOnlyList<Instruction> Build(DeviceRuleSet rules)
    {
        var program = new List<Instruction>
        {
            // R2 = type (low 16 bits of access_type), R3 = access (high 16 bits), R4 = major, R5 = minor.
            new(LdxMemW, R2, R1, 0, 0),
            new(Alu32AndK, R2, 0, 0, 0xffff),
            new(LdxMemW, R3, R1, 0, 0),
            new(Alu32RshK, R3, 0, 0, 16),
            new(LdxMemW, R4, R1, 4, 0),
            new(LdxMemW, R5, R1, 8, 0),
        };
        foreach (var rule in rules.Exceptions)
        {
            var block = new List<Instruction>();
            // Each check jumps past the rest of the block when the device does not match; the offset is patched
            // once the block's length is known.
            block.Add(new(JneK, R2, 0, 0, rule.Type == 'b' ? DevBlock : DevChar));
            if (rule.Access != DeviceAccess.All)
            {
                if (rule.Allow)
                {
                    // An allow exception must grant all of the requested access: (access & granted) == access.
                    block.Add(new(Alu32MovX, R1, R3, 0, 0));
                    block.Add(new(Alu32AndK, R1, 0, 0, (int)rule.Access));
                    block.Add(new(JneX, R1, R3, 0, 0));
                }
                else
                {
                    // A deny exception applies when it touches any of it: (access & denied) != 0.
                    block.Add(new(Alu32MovX, R1, R3, 0, 0));
                    block.Add(new(Alu32AndK, R1, 0, 0, (int)rule.Access));
                    block.Add(new(JeqK, R1, 0, 0, 0));
                }
            }
            if (rule.Major != DeviceRule.Wildcard) block.Add(new(JneK, R4, 0, 0, checked((int)rule.Major)));
            if (rule.Minor != DeviceRule.Wildcard) block.Add(new(JneK, R5, 0, 0, checked((int)rule.Minor)));
            block.Add(new(Alu32MovK, R0, 0, 0, rule.Allow ? 1 : 0));
            block.Add(new(Exit, 0, 0, 0, 0));
            for (int i = 0; i < block.Count - 2; i++)
                if (block[i].Code is JneK or JneX or JeqK)
                    block[i] = block[i] with { Offset = (short)(block.Count - 1 - i) };
            program.AddRange(block);
        }
        program.Add(new(Alu32MovK, R0, 0, 0, rules.DefaultAllow ? 1 : 0));
        program.Add(new(Exit, 0, 0, 0, 0));
        return program;
    }

    /// <summary>Runs <paramref name="program"/> as the kernel would on one access (for tests and diagnostics): an
    /// interpreter of exactly the instructions <see cref="Build"/> emits.</summary>
    public static int Evaluate(IReadOnlyList<Instruction> program, int type, DeviceAccess access, uint major, uint minor)
    {
        uint[] context = [(uint)(((int)access << 16) | type), major, minor];
        var r = new uint[11];
        int pc = 0;
        while (true)
        {
            var insn = program[pc++];
            switch (insn.Code)
            {
                case LdxMemW: r[insn.Dst] = context[insn.Offset / 4]; break;
                case Alu32AndK: r[insn.Dst] &= (uint)insn.Immediate; break;
                case Alu32RshK: r[insn.Dst] >>= insn.Immediate; break;
                case Alu32MovK: r[insn.Dst] = (uint)insn.Immediate; break;
                case Alu32MovX: r[insn.Dst] = r[insn.Src]; break;
                case JneK: if (r[insn.Dst] != (uint)insn.Immediate) pc += insn.Offset; break;
                case JneX: if (r[insn.Dst] != r[insn.Src]) pc += insn.Offset; break;
                case JeqK: if (r[insn.Dst] == (uint)insn.Immediate) pc += insn.Offset; break;
                case Exit: return (int)r[R0];
                default: throw new InvalidOperationException($"opcode 0x{insn.Code:x2}");
            }
        }
    }
}
