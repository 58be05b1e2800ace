using System.Buffers.Binary;

namespace Oci.Runtime.Seccomp;

/// <summary>
/// Classic BPF as seccomp runs it: the instructions the runtime adds to libseccomp's program (the ENOSYS stub), and
/// an evaluator of a whole program against one system call, so that the runtime can check what a filter does to
/// the exec it must still make, and tests can check a filter without loading it.
/// </summary>
internal static class BpfProgram
{
    public const ushort LdAbsW = 0x20, Ja = 0x05, Jeq = 0x15, Jgt = 0x25, Jge = 0x35, Jset = 0x45, RetK = 0x06;
    const ushort LdImm = 0x00, LdMem = 0x60, LdxMem = 0x61, St = 0x02, Stx = 0x03, Tax = 0x07 | 0x00, Txa = 0x07 | 0x80,
        AluAndK = 0x54, AluOrK = 0x44, JeqX = 0x1d, JgtX = 0x2d, JgeX = 0x3d, JsetX = 0x4d, RetA = 0x16;

    /// <summary>One instruction in the kernel's layout (struct sock_filter).</summary>
    public static byte[] Instruction(ushort code, byte jt, byte jf, uint k)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, code);
        bytes[2] = jt;
        bytes[3] = jf;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), k);
        return bytes;
    }

    /// <summary>The action (SECCOMP_RET_*) <paramref name="program"/> returns for system call <paramref name="nr"/>
    /// of architecture <paramref name="arch"/> (an AUDIT_ARCH_* value) with <paramref name="args"/>.</summary>
    public static uint Evaluate(ReadOnlySpan<byte> program, uint arch, int nr, ulong[]? args = null, ulong instructionPointer = 0)
    {
        // struct seccomp_data: nr, arch, instruction_pointer, args[6], little-endian.
        Span<byte> data = stackalloc byte[64];
        BinaryPrimitives.WriteInt32LittleEndian(data, nr);
        BinaryPrimitives.WriteUInt32LittleEndian(data[4..], arch);
        BinaryPrimitives.WriteUInt64LittleEndian(data[8..], instructionPointer);
        for (int i = 0; i < 6; i++) BinaryPrimitives.WriteUInt64LittleEndian(data[(16 + 8 * i)..], args is { } given && i < given.Length ? given[i] : 0);
        Span<uint> memory = stackalloc uint[16];
        uint a = 0, x = 0;
        int count = program.Length / 8;
        for (int pc = 0; pc < count; pc++)
        {
            var insn = program.Slice(pc * 8, 8);
            ushort code = BinaryPrimitives.ReadUInt16LittleEndian(insn);
            byte jt = insn[2], jf = insn[3];
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(insn[4..]);
            switch (code)
            {
                case LdAbsW:
                    if (k > 60) throw new InvalidOperationException($"BPF load beyond seccomp_data at {pc}");
                    a = BinaryPrimitives.ReadUInt32LittleEndian(data[(int)k..]);
                    break;
                case LdImm: a = k; break;
                case LdMem: a = memory[(int)(k & 15)]; break;
                case LdxMem: x = memory[(int)(k & 15)]; break;
                case St: memory[(int)(k & 15)] = a; break;
                case Stx: memory[(int)(k & 15)] = x; break;
                case Tax: x = a; break;
                case Txa: a = x; break;
                case AluAndK: a &= k; break;
                case AluOrK: a |= k; break;
                case Ja: pc += (int)k; break;
                case Jeq: pc += a == k ? jt : jf; break;
                case Jgt: pc += a > k ? jt : jf; break;
                case Jge: pc += a >= k ? jt : jf; break;
                case Jset: pc += (a & k) != 0 ? jt : jf; break;
                case JeqX: pc += a == x ? jt : jf; break;
                case JgtX: pc += a > x ? jt : jf; break;
                case JgeX: pc += a >= x ? jt : jf; break;
                case JsetX: pc += (a & x) != 0 ? jt : jf; break;
                case RetK: return k;
                case RetA: return a;
                default: throw new InvalidOperationException($"BPF instruction 0x{code:x} at {pc} is not evaluated");
            }
        }
        throw new InvalidOperationException("BPF program ends without returning");
    }
}
